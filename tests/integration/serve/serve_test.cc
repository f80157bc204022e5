// `mcpwatch serve` end to end: fixture targets probed every second into SQLite, exposed on
// /metrics and scraped by a real Prometheus.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct FourTargets {
  Fixture healthy{{}};
  Fixture hung{{"--fault", "hang"}};
  Fixture broken_db{{"--tools", "echo,db_error"}};
  int refused_port = ClosedPort();

  std::vector<DaemonTarget> Targets() const {
    return {{"healthy", healthy.Url(), ""},
            {"refused", "http://127.0.0.1:" + std::to_string(refused_port) + "/mcp", ""},
            {"hung", hung.Url(), ""},
            {"broken_db", broken_db.Url(), "tool_call: {name: db_error, arguments: {}}"}};
  }
};

}  // namespace

TEST_CASE("serve stores classified runs, exposes them on /metrics, and Prometheus scrapes them",
          "[serve]") {
  FourTargets fx;
  TempDir dir;
  int port = FreePort();
  std::string config = WriteConfig(dir, port, fx.Targets());
  Subprocess daemon = StartDaemon(config);
  std::string base = "http://127.0.0.1:" + std::to_string(port);

  REQUIRE(Eventually([&] {
    auto c = ClassCounts(dir.File("history.db"));
    return c["healthy"]["ok"] >= 3 && c["refused"]["connection_refused"] >= 3 &&
           c["hung"]["timeout"] >= 2 && c["broken_db"]["tool_error"] >= 3;
  }, 30s));
  auto counts = ClassCounts(dir.File("history.db"));
  CHECK(counts["healthy"].size() == 1);  // nothing but ok
  CHECK(counts["refused"].size() == 1);

  auto ready = HttpGet(base + "/readyz");
  CHECK(ready.status == 200);
  auto metrics = HttpGet(base + "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(Metric(metrics.body, "probe_success", {{"target", "healthy"}}) == 1.0);
  CHECK(Metric(metrics.body, "probe_success", {{"target", "refused"}}) == 0.0);
  CHECK(Metric(metrics.body, "probe_success", {{"target", "broken_db"}}) == 0.0);
  CHECK(Metric(metrics.body, "probe_mcp_runs_total", {{"target", "refused"}, {"class", "connection_refused"}}) >= 3.0);
  CHECK(Metric(metrics.body, "probe_mcp_runs_total", {{"target", "hung"}, {"class", "ok"}}) == 0.0);
  CHECK(Metric(metrics.body, "probe_mcp_state", {{"target", "refused"}, {"state", "down"}}) == 1.0);
  CHECK(Metric(metrics.body, "probe_mcp_state", {{"target", "healthy"}, {"state", "up"}}) == 1.0);
  CHECK(Metric(metrics.body, "probe_mcp_tools", {{"target", "healthy"}}) == 2.0);

  // mcpwatch status/history read the database while the daemon writes it.
  auto status = RunProcess({McpwatchBinary(), "status", "--config", config, "--json"}, 20s);
  REQUIRE(status.exit_code == 0);
  json rows = json::parse(status.out);
  REQUIRE(rows.size() == 4);
  for (const auto& r : rows) {
    for (const char* key : {"target", "state", "last_class", "last_run_at", "uptime_24h", "p95_ms"})
      CHECK(r.contains(key));
    if (r["target"] == "broken_db") CHECK(r["last_class"] == "tool_error");
  }
  auto history = RunProcess({McpwatchBinary(), "history", "broken_db", "--config", config, "--json"}, 20s);
  REQUIRE(history.exit_code == 0);
  json runs = json::parse(history.out);
  REQUIRE(runs.size() >= 3);
  CHECK(runs[0]["class"] == "tool_error");
  CHECK(runs[0]["started_at"].get<std::string>() >= runs[1]["started_at"].get<std::string>());
  CHECK_THAT(runs[0]["error"].get<std::string>(), Catch::Contains("column items.price does not exist"));
  for (const char* key : {"started_at", "class", "ok", "total_ms", "error"}) CHECK(runs[0].contains(key));

  // A real Prometheus scrapes the daemon; PromQL over probe_success gives the expected values.
  int prom_port = FreePort();
  std::string prom_config = dir.File("prometheus.yml");
  std::ofstream(prom_config) << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                             << "scrape_configs:\n  - job_name: mcpwatch\n"
                             << "    static_configs: [{targets: ['127.0.0.1:" << port << "']}]\n";
  Subprocess prom = Subprocess::Start(
      {"prometheus", "--config.file=" + prom_config, "--storage.tsdb.path=" + dir.File("prom"),
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)});
  std::string query = "http://127.0.0.1:" + std::to_string(prom_port) +
                      "/api/v1/query?query=probe_success";
  json result;
  REQUIRE(Eventually([&] {
    auto r = HttpGet(query);
    if (r.status != 200) return false;
    result = json::parse(r.body, nullptr, false);
    return result.is_object() && result["data"]["result"].size() == 4;
  }, 40s));
  std::map<std::string, std::string> value;
  for (const auto& s : result["data"]["result"]) value[s["metric"]["target"]] = s["value"][1];
  CHECK(value["healthy"] == "1");
  CHECK(value["refused"] == "0");
  CHECK(value["hung"] == "0");
  CHECK(value["broken_db"] == "0");
}

TEST_CASE("SIGTERM drains, checkpoints the WAL and exits 0 without losing a finished run",
          "[serve]") {
  Fixture slow{{"--latency", "150"}};
  TempDir dir;
  int port = FreePort();
  std::vector<DaemonTarget> targets;
  for (int i = 0; i < 6; ++i) targets.push_back({"slow" + std::to_string(i), slow.Url(), ""});
  std::string config = WriteConfig(dir, port, targets, "1s", "900ms");
  Subprocess daemon = StartDaemon(config);
  REQUIRE(Eventually([&] { return TotalRuns(dir.File("history.db")) >= 6; }, 20s));
  std::string metrics_before = HttpGet("http://127.0.0.1:" + std::to_string(port) + "/metrics").body;
  daemon.Signal(SIGTERM);
  auto code = daemon.Wait(20s);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  std::string wal = dir.File("history.db") + "-wal";
  CHECK((!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0));
  CHECK(PragmaText(dir.File("history.db"), "PRAGMA integrity_check") == "ok");
  // Every run the daemon finished is in the file: the counters it exported are all stored.
  double exported = 0;
  for (int i = 0; i < 6; ++i) {
    exported += Metric(metrics_before, "probe_mcp_runs_total",
                       {{"target", "slow" + std::to_string(i)}, {"class", "ok"}}).value_or(0);
  }
  CHECK(TotalRuns(dir.File("history.db")) >= static_cast<int>(exported));
  CHECK_THAT(daemon.Stdout(), Catch::Contains("shutting down"));
}

TEST_CASE("kill -9 mid-write: the file stays sound, committed runs survive, counters continue",
          "[serve]") {
  Fixture healthy{{}};
  TempDir dir;
  int port = FreePort();
  std::vector<DaemonTarget> targets;
  for (int i = 0; i < 20; ++i) targets.push_back({"t" + std::to_string(i), healthy.Url(), ""});
  std::string config = WriteConfig(dir, port, targets, "1s", "800ms");
  std::string metrics_url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  int committed = 0;
  double counter_before = 0;
  {
    Subprocess daemon = StartDaemon(config);
    REQUIRE(Eventually([&] { return TotalRuns(dir.File("history.db")) >= 60; }, 30s));
    committed = TotalRuns(dir.File("history.db"));
    counter_before = Metric(HttpGet(metrics_url).body, "probe_mcp_runs_total",
                            {{"target", "t0"}, {"class", "ok"}}).value_or(-1);
    daemon.Signal(SIGKILL);
    daemon.Wait(10s);
  }
  CHECK(PragmaText(dir.File("history.db"), "PRAGMA integrity_check") == "ok");
  CHECK(TotalRuns(dir.File("history.db")) >= committed);
  Subprocess again = StartDaemon(config);
  // Right after start-up, before any new run: counters continue from the stored totals.
  double counter_after = Metric(HttpGet(metrics_url).body, "probe_mcp_runs_total",
                                {{"target", "t0"}, {"class", "ok"}}).value_or(-1);
  CHECK(counter_after >= counter_before);
  CHECK(counter_after > 0);
}

TEST_CASE("a config with several mistakes exits 2 and lists every one with its line", "[serve]") {
  TempDir dir;
  std::string path = dir.File("bad.yaml");
  std::ofstream(path) << "listen: 127.0.0.1:9464\n"             // 1
                      << "databse: x.db\n"                      // 2 unknown key
                      << "targets:\n"                           // 3
                      << "  - name: a\n"                        // 4
                      << "    url: http://127.0.0.1:1/mcp\n"    // 5
                      << "    interval: soon\n"                 // 6 bad duration
                      << "  - name: a\n"                        // 7 duplicate name
                      << "    transport: carrier-pigeon\n";     // 8 bad transport (and no url)
  for (const char* cmd : {"check-config", "serve"}) {
    auto r = std::string(cmd) == "serve"
                 ? RunProcess({McpwatchBinary(), "serve", "--config", path}, 20s)
                 : RunProcess({McpwatchBinary(), "check-config", path}, 20s);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    for (const char* where : {"bad.yaml:2:", "bad.yaml:6:", "bad.yaml:7:", "bad.yaml:8:"}) {
      CHECK_THAT(r.err, Catch::Contains(where));
    }
    CHECK_THAT(r.err, Catch::Contains("url"));
  }
}

TEST_CASE("SIGHUP reloads a good config and keeps the running one when the new one is bad",
          "[serve]") {
  Fixture healthy{{}};
  TempDir dir;
  int port = FreePort();
  std::string config = WriteConfig(dir, port, {{"first", healthy.Url(), ""}});
  Subprocess daemon = StartDaemon(config);
  std::string metrics_url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  REQUIRE(Eventually([&] { return ClassCounts(dir.File("history.db"))["first"]["ok"] >= 1; }, 20s));

  WriteConfig(dir, port, {{"first", healthy.Url(), ""}, {"second", healthy.Url(), ""}});
  daemon.Signal(SIGHUP);
  REQUIRE(Eventually([&] { return ClassCounts(dir.File("history.db"))["second"]["ok"] >= 1; }, 20s));
  CHECK(Metric(HttpGet(metrics_url).body, "mcpwatch_config_last_reload_successful", {}) == 1.0);

  std::ofstream(config) << "targets: [{name: broken}]\n";  // no url: rejected
  daemon.Signal(SIGHUP);
  REQUIRE(Eventually([&] {
    return Metric(HttpGet(metrics_url).body, "mcpwatch_config_last_reload_successful", {}) == 0.0;
  }, 10s));
  int before = ClassCounts(dir.File("history.db"))["second"]["ok"];
  // The running config stays: both targets keep being probed.
  CHECK(Eventually([&] { return ClassCounts(dir.File("history.db"))["second"]["ok"] > before; }, 10s));
  CHECK_THAT(daemon.Stdout(), Catch::Contains("reload rejected"));
}
