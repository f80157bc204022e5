// Secrets never leak (issue 10): every secret the config can hold gets a distinct canary value,
// the targets echo every request header back in their error text (an HTTP 500 body to
// initialize, an isError tool result), the notifier receiver echoes its requests, and after a
// few runs and an alert no canary is in the database (main file and WAL), the daemon's log,
// /metrics, the API, the status page, the CLI's JSON, or what the notifiers sent, except each
// destination's own credential where the destination requires it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/alerts/receiver.h"
#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using mcpwatch::alerts::test::Receiver;
using nlohmann::json;

namespace {

constexpr const char* kTokenEnv = "cnry-tokenenv-8e2f7b";    // bearer_token_env
constexpr const char* kTokenFile = "cnry-tokenfile-41c0aa";  // bearer_token_file
constexpr const char* kHeader = "cnry-header-4c1d9a";        // a secret_headers value
constexpr const char* kHook = "cnry-hook-93b5e2";            // webhook secret_env
constexpr const char* kSlack = "cnry-slack-0d6f3c";          // in the Slack webhook URL path
constexpr const char* kPagerDuty = "cnry-pd-7a2e19";         // PagerDuty routing_key_env
const std::vector<std::string> kCanaries = {kTokenEnv, kTokenFile, kHeader,
                                            kHook,     kSlack,     kPagerDuty};
constexpr std::string_view kMarker = "[redacted]";

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The canaries found in `text` other than `allowed` ("" when none).
std::string Leaked(const std::string& text, const std::vector<std::string>& allowed = {}) {
  std::string found;
  for (const std::string& c : kCanaries) {
    if (std::find(allowed.begin(), allowed.end(), c) != allowed.end()) continue;
    if (text.find(c) != std::string::npos) found += c + " ";
  }
  return found;
}

std::string WriteCanaryConfig(const TempDir& dir, int port, const std::string& init_url,
                              const std::string& call_url, const Receiver& rx) {
  {
    std::ofstream token(dir.File("token"));
    token << kTokenFile << "\n";
  }
  std::string path = dir.File("mcpwatch.yaml");
  std::ofstream f(path);
  f << "listen: 127.0.0.1:" << port << "\n"
    << "database: " << dir.File("history.db") << "\n"
    << "defaults: {interval: 1s, timeout: 800ms}\n"
    << "scheduler: {jitter: 0s}\n"
    << "targets:\n"
    << "  - name: echo-init\n    url: " << init_url << "\n"
    << "    bearer_token_env: CANARY_TOKEN\n"
    << "    headers: {X-Api-Key: " << kHeader << "}\n"
    << "    secret_headers: [X-Api-Key]\n"
    << "  - name: echo-call\n    url: " << call_url << "\n"
    << "    bearer_token_file: " << dir.File("token") << "\n"
    << "    headers: {X-Api-Key: " << kHeader << "}\n"
    << "    secret_headers: [x-api-key]\n"
    << "    tool_call: {name: echo, arguments: {message: hi}}\n"
    << "alerting:\n  notifiers:\n"
    << "    - {name: ops, type: webhook, url: " << rx.Url("/hook")
    << ", secret_env: HOOK_SECRET, timeout: 2s}\n"
    << "    - {name: pager, type: pagerduty, url: " << rx.Url("/pd")
    << ", routing_key_env: PD_KEY, timeout: 2s}\n"
    << "    - {name: chat, type: slack, webhook_url_env: SLACK_URL, timeout: 2s}\n"
    << "  routes: [{notify: [ops, pager, chat]}]\n"
    << "  rules: [{name: TargetDown, for: 0s}]\n";
  return path;
}

json CommandJson(const std::vector<std::string>& args, std::string& raw) {
  ProcessResult r = RunProcess(args, 20s);
  raw = r.out + r.err;
  return r.exit_code == 0 ? json::parse(r.out, nullptr, false) : json();
}

}  // namespace

TEST_CASE("no configured secret leaves mcpwatch, even when servers echo them back",
          "[serve][secrets]") {
  Fixture init_fx({"--fault", "echo-headers", "--fault-step", "initialize"});
  Fixture call_fx({"--fault", "echo-headers"});  // default step: tool_call
  Receiver rx(FreePort(), 500, true);            // echoes each notification in a 500 body
  TempDir dir;
  const int port = FreePort();
  const std::string config = WriteCanaryConfig(dir, port, init_fx.Url(), call_fx.Url(), rx);
  const std::string slack_path = "/slack/" + std::string(kSlack);
  Subprocess daemon = Subprocess::Start(
      {McpwatchBinary(), "serve", "--config", config},
      {std::string("CANARY_TOKEN=") + kTokenEnv, std::string("HOOK_SECRET=") + kHook,
       std::string("PD_KEY=") + kPagerDuty, "SLACK_URL=" + rx.Url(slack_path)});
  REQUIRE(daemon.WaitForLine("ready targets=", 20s));
  const std::string db = dir.File("history.db");
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  // A few runs of each, an alert per target, and failed deliveries with the echo recorded.
  const auto settled = [&] {
    auto counts = ClassCounts(db);
    if (counts["echo-init"]["http_error"] < 3 || counts["echo-call"]["tool_error"] < 3 ||
        rx.RequestsTo("/hook").size() < 2 || rx.RequestsTo("/pd").size() < 2 ||
        rx.RequestsTo(slack_path).size() < 2) {
      return false;
    }
    std::string raw;
    json alerts = CommandJson({McpwatchBinary(), "alerts", "--config", config, "--json"}, raw);
    int chat_failures = 0;
    if (alerts.is_object()) {
      for (const json& u : alerts["undelivered"]) {
        chat_failures += u.value("notifier", "") == "chat" && u.value("attempts", 0) >= 1;
      }
    }
    return chat_failures >= 2;
  };
  const bool ready = Eventually(settled, 60s);
  INFO("daemon stdout: " << daemon.Stdout());
  INFO("daemon stderr: " << daemon.Stderr());
  INFO("runs: " << json(ClassCounts(db)).dump());
  REQUIRE(ready);

  // One daemon for every check below (Catch2 SECTIONs would start it once per section).
  {  // the runs are classified as before, with the marker where the secret was
    auto counts = ClassCounts(db);
    CHECK(counts["echo-init"].size() == 1);  // every run: http_error
    CHECK(counts["echo-call"].size() == 1);  // every run: tool_error
    for (const char* name : {"echo-init", "echo-call"}) {
      INFO(name);
      HttpResponse runs = HttpGet(base + "/api/v1/targets/" + name + "/runs");
      REQUIRE(runs.status == 200);
      CHECK_THAT(runs.body, Catch::Matchers::Contains(std::string(kMarker)));
      CHECK_THAT(runs.body, Catch::Matchers::Contains("x-api-key: [redacted]"));
      CHECK_THAT(runs.body, Catch::Matchers::Contains("authorization: Bearer [redacted]"));
    }
  }

  {  // nothing mcpwatch stores, logs, serves or prints holds a canary
    std::vector<std::pair<std::string, std::string>> places = {
        {"history.db", ReadFile(db)},
        {"history.db-wal", ReadFile(db + "-wal")},
        {"daemon stdout", daemon.Stdout()},
        {"daemon stderr", daemon.Stderr()},
    };
    for (const std::string path :
         {"/", "/metrics", "/api/v1/targets", "/api/v1/events", "/api/v1/targets/echo-init/runs",
          "/api/v1/targets/echo-call/runs", "/badge/echo-init.svg", "/badge/echo-call.svg"}) {
      HttpResponse r = HttpGet(base + path);
      CHECK(r.status == 200);
      places.emplace_back(path, r.body);
    }
    std::string raw;
    for (const char* name : {"echo-init", "echo-call"}) {
      json history =
          CommandJson({McpwatchBinary(), "history", name, "--config", config, "--json"}, raw);
      CHECK(history.is_array());
      CHECK_THAT(raw, Catch::Matchers::Contains(std::string(kMarker)));
      places.emplace_back(std::string("mcpwatch history ") + name, raw);
    }
    for (const char* command : {"status", "events", "alerts"}) {
      json out = CommandJson({McpwatchBinary(), command, "--config", config, "--json"}, raw);
      CHECK_FALSE(out.is_null());
      places.emplace_back(std::string("mcpwatch ") + command, raw);
    }
    // The receiver echoed the Slack URL path into last_error of every failed delivery.
    CHECK_THAT(places.back().second, Catch::Matchers::Contains("you sent: POST [redacted]"));
    for (const auto& [where, text] : places) {
      INFO(where);
      CHECK(Leaked(text) == "");
    }
  }

  {  // notifications carry only their destination's own credential
    bool marker_in_webhook = false;
    for (const auto& r : rx.Requests()) {
      INFO(r.method << " " << r.path);
      std::string headers;
      for (const auto& [name, value] : r.headers) headers += name + ": " + value + "\n";
      if (r.path == "/pd") {
        json body = json::parse(r.body);
        CHECK(body["routing_key"] == kPagerDuty);  // PagerDuty requires it in the body
        body.erase("routing_key");
        CHECK(Leaked(body.dump() + headers + r.path) == "");
      } else if (r.path == slack_path) {
        CHECK(Leaked(r.path, {kSlack}) == "");  // Slack's credential is its URL
        CHECK(Leaked(r.body + headers) == "");
      } else {
        CHECK(r.path == "/hook");
        CHECK(Leaked(r.path + headers + r.body) == "");
        marker_in_webhook = marker_in_webhook || r.body.find(kMarker) != std::string::npos;
      }
    }
    CHECK(marker_in_webhook);  // the run's error text, scrubbed, is in the notice
  }

  {  // after a clean shutdown the checkpointed database holds no canary
    daemon.Signal(SIGTERM);
    REQUIRE(daemon.Wait(20s).has_value());
    CHECK(Leaked(ReadFile(db)) == "");
    CHECK(Leaked(ReadFile(db + "-wal")) == "");
    CHECK(Leaked(daemon.Stdout() + daemon.Stderr()) == "");
  }
}
