// Issue 11, item 6 end to end (detection.rolling_deploy): a server that drains (503 with
// Retry-After, health 503), goes away and comes back with a new version within the grace is
// one deploy event with its measured downtime and no outage page; one that does not come back
// in time pages as without a rollout; tool errors right after a deploy that clear on their own
// are "served before its migration finished".
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/alerts/receiver.h"
#include "tests/integration/serve/detection_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using mcpwatch::alerts::test::Receiver;
using nlohmann::json;

namespace {

std::string RollingConfig(const TempDir& dir, int port, const RestartableFixture& server,
                          const Receiver& rx, const std::string& grace, const std::string& extra) {
  const std::string health =
      "health_url: http://127.0.0.1:" + std::to_string(server.port()) + "/health";
  std::string config = WriteConfig(dir, port, {{"svc", server.Url(), health + extra}});
  AppendYaml(config, "detection: {rolling_deploy: {grace: " + grace + ", migration_window: 1m}}");
  AppendYaml(config, "alerting:\n  notifiers:\n    - {name: ops, type: webhook, url: " +
                         rx.Url("/hook") + ", timeout: 2s}\n  routes: [{notify: [ops]}]");
  return config;
}

int Firing(const Receiver& rx, const std::string& alert) {
  int n = 0;
  for (const auto& req : rx.RequestsTo("/hook")) {
    json b = json::parse(req.body, nullptr, false);
    n += !b.is_discarded() && b.value("alert", "") == alert && b.value("status", "") == "firing";
  }
  return n;
}

std::vector<json> DownChanges(const std::string& config) {
  std::vector<json> out;
  for (const auto& e : EventsOfKind(StoredEvents(config), "state_change", "svc")) {
    if (e["details"]["to"] == "down") out.push_back(e);
  }
  return out;
}

}  // namespace

TEST_CASE("a drain and a new version within the grace is one deploy with its downtime, no page",
          "[rolling]") {
  RestartableFixture server({"--server-version", "1.0.0"});
  Receiver rx(FreePort());
  TempDir dir;
  const int port = FreePort();
  const std::string config = RollingConfig(dir, port, server, rx, "30s", "");
  Subprocess daemon = StartDaemon(config);
  REQUIRE(PollUntil([&] { return UpAfterOkRuns(port, "svc"); }, 20s));

  // Drain: the old process answers 503 + Retry-After and its health endpoint 503 ...
  server.Stop();
  server.Start({"--server-version", "1.0.0", "--fault", "status:503", "--health-status", "503"});
  REQUIRE(PollUntil(
      [&] { return RunsOf(RunsByClass(MetricsText(port), "svc"), "unavailable") >= 2; }, 15s));
  CHECK(Metric(MetricsText(port), "probe_mcp_rollout_draining", {{"target", "svc"}}) == 1.0);
  // ... then it is gone for a moment, and the new version comes up.
  server.Stop();
  REQUIRE(PollUntil(
      [&] { return RunsOf(RunsByClass(MetricsText(port), "svc"), "connection_refused") >= 2; },
      15s));
  server.Start({"--server-version", "2.0.0"});
  json deploys;
  REQUIRE(PollUntil(
      [&] {
        auto all = EventsOfKind(StoredEvents(config), "deploy", "svc");
        if (all.empty()) return false;
        deploys = all;
        return true;
      },
      20s, 500ms));
  INFO(deploys);
  REQUIRE(deploys.size() == 1);
  const json& d = deploys[0]["details"];
  CHECK(d["old_version"] == "1.0.0");
  CHECK(d["new_version"] == "2.0.0");
  CHECK(d["rolling"] == true);
  CHECK(d["downtime_ms"].get<int64_t>() >= 3000);  // 2 unavailable + 2 refused runs, 1 s apart
  CHECK(d["held_runs"].get<int>() >= 4);
  REQUIRE(PollUntil([&] { return UpAfterOkRuns(port, "svc", 1); }, 10s));
  std::string m = MetricsText(port);
  CHECK(Metric(m, "probe_mcp_rollout_draining", {{"target", "svc"}}) == 0.0);
  CHECK(Metric(m, "probe_mcp_last_deploy_downtime_seconds", {{"target", "svc"}}) >= 3.0);
  // No outage: the state never went down and nothing paged.
  CHECK(DownChanges(config).empty());
  std::this_thread::sleep_for(2s);  // the alert engine evaluates every second
  CHECK(Firing(rx, "TargetDown") == 0);
}

TEST_CASE("a drain that does not come back within the grace pages as without a rollout",
          "[rolling]") {
  RestartableFixture server({"--server-version", "1.0.0"});
  Receiver rx(FreePort());
  TempDir dir;
  const int port = FreePort();
  const std::string config = RollingConfig(dir, port, server, rx, "4s", "");
  Subprocess daemon = StartDaemon(config);
  REQUIRE(PollUntil([&] { return UpAfterOkRuns(port, "svc"); }, 20s));
  server.Stop();
  server.Start({"--server-version", "1.0.0", "--fault", "status:503", "--health-status", "503"});
  REQUIRE(PollUntil(
      [&] { return RunsOf(RunsByClass(MetricsText(port), "svc"), "unavailable") >= 1; }, 15s));
  server.Stop();  // drained and gone for good
  REQUIRE(PollUntil([&] { return Firing(rx, "TargetDown") >= 1; }, 30s));
  auto downs = DownChanges(config);
  REQUIRE_FALSE(downs.empty());
  CHECK_THAT(downs[0]["details"]["reason"].get<std::string>(),
             Catch::Contains("no new version answered within the rolling-deploy grace"));
}

TEST_CASE(
    "tool errors right after a deploy that clear on their own are served before the "
    "migration finished",
    "[rolling]") {
  RestartableFixture server({"--server-version", "1.0.0"});
  Receiver rx(FreePort());
  TempDir dir;
  const int port = FreePort();
  const std::string config = RollingConfig(
      dir, port, server, rx, "0s", "\n    tool_call: {name: echo, arguments: {message: hi}}");
  Subprocess daemon = StartDaemon(config);
  REQUIRE(PollUntil([&] { return UpAfterOkRuns(port, "svc"); }, 20s));
  server.Stop();
  server.Start({"--server-version", "2.0.0", "--migrating-ms", "4000"});
  REQUIRE(PollUntil(
      [&] {
        auto runs = json::parse(
            RunProcess({McpwatchBinary(), "history", "svc", "--config", config, "--json"}, 30s).out,
            nullptr, false);
        return runs.is_array() && !runs.empty() && runs[0]["class"] == "ok" &&
               RunsOf(RunsByClass(MetricsText(port), "svc"), "tool_error") >= 2;
      },
      30s, 500ms));
  auto runs = json::parse(
      RunProcess({McpwatchBinary(), "history", "svc", "--config", config, "--json"}, 30s).out);
  bool named = false;
  for (const auto& r : runs) {
    if (r["class"] != "ok") continue;
    const std::string diagnosis = r["diagnosis"];
    if (diagnosis.find("served before its migration finished") == std::string::npos) continue;
    named = true;
    CHECK_THAT(diagnosis, Catch::Contains("after deploy 1.0.0 → 2.0.0"));
  }
  CHECK(named);
  // The recovery's state change says it too when the errors took the target down.
  for (const auto& e : EventsOfKind(StoredEvents(config), "state_change", "svc")) {
    if (e["details"]["from"] == "down" && e["details"]["to"] == "up") {
      CHECK_THAT(e["details"]["reason"].get<std::string>(),
                 Catch::Contains("served before its migration finished"));
    }
  }
}
