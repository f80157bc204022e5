// HttpServer over real loopback HTTP, reading a real SQLite history written by HistoryWriter.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <prometheus/gauge.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <catch2/catch.hpp>
#include <mutex>
#include <nlohmann/json.hpp>

#include "server/probe_metrics.h"
#include "storage/migrations.h"
#include "storage/records.h"
#include "storage/writer.h"
#include "tests/support/support.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using test::HttpGet;
using test::HttpSend;

constexpr const char* kHostile = "<img src=x onerror=alert(1)>";

ProbeResult Run(const std::string& target, std::chrono::system_clock::time_point at,
                FailureClass cls) {
  ProbeResult r;
  r.target = target;
  r.started_at = at;
  r.transcript.server = {.name = "srv", .version = "1.0", .title = ""};
  r.transcript.timings.total = 120'000us;
  StepRecord init;
  init.step = Step::kInitialize;
  init.http_status = cls == FailureClass::kOk ? 200 : 503;
  init.duration = 100'000us;
  r.transcript.steps = {init};
  r.verdict.cls = cls;
  if (cls != FailureClass::kOk) r.verdict.error = "initialize: HTTP 503";
  return r;
}

// A history with a few runs of "shop" and of a target with a hostile name, one event and a
// stored state; written the way the daemon writes.
void WriteHistory(const std::filesystem::path& db_path) {
  auto db = storage::OpenForWriting(db_path);
  REQUIRE(db);
  auto writer = storage::HistoryWriter::Start(std::move(*db));
  const auto now = std::chrono::system_clock::now();
  for (int i = 0; i < 5; ++i) {
    const auto cls = i == 4 ? FailureClass::kUnavailable : FailureClass::kOk;
    REQUIRE(writer->Enqueue(Run("shop", now - std::chrono::minutes(10 - i), cls)));
  }
  REQUIRE(writer->Enqueue(Run(kHostile, now - 1min, FailureClass::kOk)));
  REQUIRE(writer->Submit([now](storage::Database& d) {
    return storage::InsertEvent(d, "shop", now - 2min, "deploy", R"({"to":"1.0"})");
  }));
  REQUIRE(writer->Submit([now](storage::Database& d) {
    return storage::SetTargetState(d, "shop", "up", now - 1h, "{}");
  }));
  REQUIRE(writer->Flush(10s));
  writer->Stop();
}

struct Server {
  test::TempDir dir;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::atomic<bool> ready{false};
  std::atomic<bool> draining{false};
  std::atomic<bool> degraded{false};
  std::mutex probes_mu;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> probes;
  ProbeMetrics probe_metrics{""};
  std::unique_ptr<HttpServer> http;

  Server() {
    WriteHistory(dir.File("history.db"));
    prometheus::BuildGauge().Name("mcpwatch_targets").Help("t").Register(*registry).Add({}).Set(2);
    HttpHooks hooks;
    hooks.ready = [this] { return ready.load(); };
    hooks.draining = [this] { return draining.load(); };
    hooks.degraded = [this]() -> std::optional<std::string> {
      if (!degraded) return std::nullopt;
      return "history writes failing: database or disk is full";
    };
    hooks.target_names = [] { return std::vector<std::string>{"shop", kHostile, "fresh"}; };
    hooks.more_metrics = [this](const ExpositionSink& sink) { probe_metrics.Expose(sink); };
    hooks.probe_now = [this](const std::string& target,
                             std::chrono::milliseconds timeout) -> std::optional<ProbeResult> {
      {
        std::lock_guard lock(probes_mu);
        probes.emplace_back(target, timeout);
      }
      if (target != "shop") return std::nullopt;
      return Run("shop", std::chrono::system_clock::now(), FailureClass::kOk);
    };
    auto started = HttpServer::Start("127.0.0.1", 0, registry, dir.File("history.db"), hooks);
    if (!started) FAIL(started.error());
    http = std::move(*started);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http->port()) + path;
  }
};

nlohmann::json Json(const test::HttpResponse& r) {
  INFO(r.body);
  REQUIRE(r.content_type.starts_with("application/json"));
  return nlohmann::json::parse(r.body);
}

TEST_CASE("HttpServer serves health, readiness and metrics") {
  Server s;
  REQUIRE(s.http->port() > 0);
  auto health = HttpGet(s.Url("/healthz"));
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");

  CHECK(HttpGet(s.Url("/readyz")).status == 503);
  CHECK(HttpGet(s.Url("/readyz")).body == "not ready\n");
  s.ready = true;
  CHECK(HttpGet(s.Url("/readyz")).status == 200);
  CHECK(HttpGet(s.Url("/readyz")).body == "ready\n");
  s.degraded = true;  // storage cannot keep the history: not ready, but alive
  CHECK(HttpGet(s.Url("/readyz")).status == 503);
  CHECK(HttpGet(s.Url("/readyz")).body ==
        "degraded: history writes failing: database or disk is full\n");
  CHECK(HttpGet(s.Url("/healthz")).status == 200);
  s.degraded = false;
  CHECK(HttpGet(s.Url("/readyz")).status == 200);
  s.draining = true;
  CHECK(HttpGet(s.Url("/readyz")).status == 503);
  CHECK(HttpGet(s.Url("/readyz")).body == "draining\n");
  auto draining_health = HttpGet(s.Url("/healthz"));  // shutdown fails liveness too
  CHECK(draining_health.status == 503);
  CHECK(draining_health.body == "draining\n");
  s.draining = false;

  auto metrics = HttpGet(s.Url("/metrics"));
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(metrics.body.find("mcpwatch_targets 2") != std::string::npos);

  auto post = HttpSend("POST", s.Url("/metrics"), "{}");
  CHECK(post.status == 405);
  CHECK(HttpGet(s.Url("/nope")).status == 404);
}

// The raw answer to a request sent as HTTP/1.0 over a plain socket (libcurl always speaks 1.1).
std::string RawHttp10(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[65536];
  ssize_t n = 0;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
    answer.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

TEST_CASE("/metrics streams the per-target families after the registry's, valid for promtool") {
  Server s;
  // More targets than one rendering slice, and label values that need escaping.
  for (int i = 0; i < 300; ++i) {
    const std::string name = "t" + std::to_string(1000 + i);
    s.probe_metrics.AddTarget({.name = name, .interval = 60s, .labels = {{"team", "a\"b\\c\nd"}}});
    ProbeResult run = Run(name, std::chrono::system_clock::now(), FailureClass::kOk);
    run.transcript.server.name = "quote\"server";
    s.probe_metrics.ObserveRun(run);
  }
  auto metrics = HttpGet(s.Url("/metrics"), 20s);
  REQUIRE(metrics.status == 200);
  CHECK(metrics.Header("transfer-encoding") == std::optional<std::string>("chunked"));
  CHECK(metrics.body ==
        "# HELP mcpwatch_targets t\n# TYPE mcpwatch_targets gauge\n"
        "mcpwatch_targets 2\n" +
            s.probe_metrics.ExpositionText());
  CHECK(metrics.body.find("probe_success{target=\"t1299\",team=\"a\\\"b\\\\c?d\"} 1\n") !=
        std::string::npos);
  CHECK(metrics.body.find("name=\"quote\\\"server\"") != std::string::npos);

  // Prometheus's own parser and linter accept every line.
  const std::string file = s.dir.File("metrics.txt");
  std::ofstream(file) << metrics.body;
  auto check = test::RunProcess({"sh", "-c", "promtool check metrics < '" + file + "'"}, 60s);
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);

  // An HTTP/1.0 client cannot take chunks: the same body with a Content-Length.
  const std::string raw = RawHttp10(s.http->port(), "/metrics");
  const size_t split = raw.find("\r\n\r\n");
  REQUIRE(split != std::string::npos);
  const std::string head = raw.substr(0, split);
  CHECK(head.find("Content-Length: " + std::to_string(metrics.body.size())) != std::string::npos);
  CHECK(head.find("chunked") == std::string::npos);
  CHECK(raw.substr(split + 4) == metrics.body);
}

TEST_CASE("the API answers targets, runs and events as JSON") {
  Server s;
  auto targets = HttpGet(s.Url("/api/v1/targets"));
  CHECK(targets.status == 200);
  const nlohmann::json rows = Json(targets);
  REQUIRE(rows.is_array());
  REQUIRE(rows.size() == 3);  // exactly the configured targets, by name
  CHECK(rows[0]["target"] == kHostile);
  CHECK(rows[1]["target"] == "fresh");
  CHECK(rows[1]["state"] == "unknown");
  CHECK(rows[1]["last_run_at"].is_null());
  CHECK(rows[2]["target"] == "shop");
  CHECK(rows[2]["state"] == "up");
  CHECK(rows[2]["last_class"] == "unavailable");
  CHECK(rows[2]["runs_24h"] == 5);
  CHECK(rows[2]["uptime_24h"] == Approx(0.8));
  for (const char* key : {"state_since", "last_run_at", "p95_ms"}) CHECK(rows[2].contains(key));

  auto runs = HttpGet(s.Url("/api/v1/targets/shop/runs?since=1h&limit=3"));
  CHECK(runs.status == 200);
  const nlohmann::json list = Json(runs);
  REQUIRE(list.size() == 3);
  CHECK(list[0]["class"] == "unavailable");  // newest first
  CHECK(list[0]["ok"] == false);
  CHECK(list[0]["error"] == "initialize: HTTP 503");
  CHECK(list[1]["class"] == "ok");
  for (const char* key : {"started_at", "class", "ok", "total_ms", "error", "diagnosis", "steps"}) {
    CHECK(list[0].contains(key));
  }
  CHECK(list[0]["steps"][0]["http_status"] == 503);
  CHECK(Json(HttpGet(s.Url("/api/v1/targets/shop/runs?since=7m"))).size() == 1);
  CHECK(Json(HttpGet(s.Url("/api/v1/targets/shop/runs"))).size() == 5);

  auto events = HttpGet(s.Url("/api/v1/events?target=shop&since=1h"));
  CHECK(events.status == 200);
  const nlohmann::json evs = Json(events);
  REQUIRE(evs.size() == 1);
  CHECK(evs[0]["kind"] == "deploy");
  CHECK(evs[0]["details"]["to"] == "1.0");
  CHECK(Json(HttpGet(s.Url("/api/v1/events?target=other"))).empty());
}

TEST_CASE("bad parameters answer 400 naming the parameter, unknown targets 404") {
  Server s;
  const auto expect_400 = [&](const std::string& path, const std::string& name) {
    auto r = HttpGet(s.Url(path));
    INFO(path << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(Json(r)["error"].get<std::string>().find(name) != std::string::npos);
  };
  expect_400("/api/v1/targets/shop/runs?limit=0", "limit");
  expect_400("/api/v1/targets/shop/runs?limit=1001", "limit");
  expect_400("/api/v1/targets/shop/runs?limit=ten", "limit");
  expect_400("/api/v1/targets/shop/runs?since=yesterday", "since");
  expect_400("/api/v1/events?since=-1h", "since");
  expect_400("/probe", "target");
  expect_400("/probe?target=shop&timeout=soon", "timeout");

  auto unknown = HttpGet(s.Url("/api/v1/targets/ghost/runs"));
  CHECK(unknown.status == 404);
  CHECK(Json(unknown)["error"] == "unknown target \"ghost\"");
}

TEST_CASE("/probe runs a configured target through the hook, never a URL") {
  Server s;
  auto r =
      HttpSend("GET", s.Url("/probe?target=shop"), "", {"X-Prometheus-Scrape-Timeout-Seconds: 4"});
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(r.body.find("probe_success 1") != std::string::npos);
  CHECK(r.body.find("probe_mcp_run_info{class=\"ok\"} 1") != std::string::npos);
  CHECK(r.body.find("probe_mcp_duration_seconds{phase=\"initialize\"} 0.1") != std::string::npos);
  CHECK(r.body.find("probe_mcp_tools ") != std::string::npos);

  auto explicit_timeout = HttpGet(s.Url("/probe?target=shop&timeout=2s"));
  CHECK(explicit_timeout.status == 200);

  auto url = HttpGet(s.Url("/probe?target=http%3A%2F%2F127.0.0.1%3A1%2Fmcp"));
  CHECK(url.status == 400);  // not even a target name (issue 10)
  CHECK(Json(url)["error"].get<std::string>().find("named in the config") != std::string::npos);
  auto ghost = HttpGet(s.Url("/probe?target=ghost"));  // a well-formed name not configured
  CHECK(ghost.status == 404);
  CHECK(Json(ghost)["error"].get<std::string>().find("named in the config") != std::string::npos);
  auto vanished = HttpGet(s.Url("/probe?target=fresh"));  // configured, but the hook says no
  CHECK(vanished.status == 404);

  std::lock_guard lock(s.probes_mu);
  REQUIRE(s.probes.size() == 3);  // the URL never reached the hook
  CHECK(s.probes[0] == std::make_pair(std::string("shop"), std::chrono::milliseconds(3500)));
  CHECK(s.probes[1] == std::make_pair(std::string("shop"), std::chrono::milliseconds(2000)));
  CHECK(s.probes[2].first == "fresh");
}

TEST_CASE("/probe accepts no new runs once shutdown has begun") {
  Server s;
  s.draining = true;
  auto r = HttpGet(s.Url("/probe?target=shop"));
  CHECK(r.status == 503);
  CHECK(Json(r)["error"].get<std::string>().find("shutting down") != std::string::npos);
  std::lock_guard lock(s.probes_mu);
  CHECK(s.probes.empty());  // the hook was never called
}

TEST_CASE("badges and the status page, hostile names are escaped") {
  Server s;
  auto badge = HttpGet(s.Url("/badge/shop.svg"));
  CHECK(badge.status == 200);
  CHECK(badge.content_type == "image/svg+xml");
  CHECK(badge.body.find(">up 80.0%<") != std::string::npos);
  auto missing = HttpGet(s.Url("/badge/ghost.svg"));
  CHECK(missing.status == 404);
  CHECK(missing.content_type == "image/svg+xml");

  auto page = HttpGet(s.Url("/"));
  CHECK(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.body.find("<td>shop</td>") != std::string::npos);
  CHECK(page.body.find(kHostile) == std::string::npos);
  CHECK(page.body.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
}

TEST_CASE("Start reports a taken port, Stop is idempotent and frees the port") {
  Server s;
  auto second = HttpServer::Start("127.0.0.1", s.http->port(), s.registry, s.dir.File("x.db"), {});
  REQUIRE_FALSE(second);
  CHECK(second.error().find("cannot listen") != std::string::npos);
  const int port = s.http->port();
  s.http->Stop();
  s.http->Stop();
  CHECK_FALSE(test::PortAccepts(port));
}

TEST_CASE("the API answers 503 while the history cannot be opened") {
  test::TempDir dir;
  auto started = HttpServer::Start("127.0.0.1", 0, std::make_shared<prometheus::Registry>(),
                                   dir.File("missing.db"), {});
  REQUIRE(started);
  const std::string base = "http://127.0.0.1:" + std::to_string((*started)->port());
  auto r = HttpGet(base + "/api/v1/targets");
  CHECK(r.status == 503);
  CHECK(HttpGet(base + "/healthz").status == 200);
  CHECK(HttpGet(base + "/probe?target=shop").status == 503);  // no probe_now hook
}

}  // namespace
}  // namespace mcpwatch
