// Detection over history with the real daemon (issue 5): a saturated tool pool becomes
// latency_spike runs and a degraded target that recovers when the load stops; a redeploy with a
// removed tool becomes a deploy event and a breaking schema_drift event.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/serve/detection_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kAccept = "Accept: application/json, text/event-stream";
constexpr const char* kVersion = "2025-06-18";

// Clients hammering one fixture with tools/call so calls queue behind its slot pool. Each
// thread opens a session, then calls echo until stopped or `limit` has passed.
class PoolLoad {
 public:
  PoolLoad(std::string url, int threads, std::chrono::seconds limit)
      : url_(std::move(url)), deadline_(std::chrono::steady_clock::now() + limit) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Worker(); });
  }
  ~PoolLoad() { Stop(); }
  PoolLoad(const PoolLoad&) = delete;
  PoolLoad& operator=(const PoolLoad&) = delete;

  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int calls() const { return calls_; }

 private:
  bool Running() const { return !stop_ && std::chrono::steady_clock::now() < deadline_; }

  void Worker() {
    const json init = {{"jsonrpc", "2.0"},
                       {"id", 1},
                       {"method", "initialize"},
                       {"params",
                        {{"protocolVersion", kVersion},
                         {"capabilities", json::object()},
                         {"clientInfo", {{"name", "load"}, {"version", "1"}}}}}};
    while (Running()) {
      auto r = HttpPost(url_, init.dump(), {kAccept}, 5s);
      auto session = r.Header("mcp-session-id");
      if (r.status != 200 || !session) {
        std::this_thread::sleep_for(50ms);
        continue;
      }
      const std::vector<std::string> headers = {kAccept, "Mcp-Session-Id: " + *session,
                                                std::string("MCP-Protocol-Version: ") + kVersion};
      for (int id = 2; Running(); ++id) {
        json call = {{"jsonrpc", "2.0"},
                     {"id", id},
                     {"method", "tools/call"},
                     {"params", {{"name", "echo"}, {"arguments", {{"message", "load"}}}}}};
        if (HttpPost(url_, call.dump(), headers, 5s).status != 200) break;
        ++calls_;
      }
    }
  }

  std::string url_;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
  std::vector<std::thread> threads_;
};

}  // namespace

TEST_CASE("a saturated tool pool makes latency_spike runs and a degraded target that recovers",
          "[detection]") {
  Fixture pool{{"--pool-size", "2", "--pool-hold-ms", "40"}};
  TempDir dir;
  int port = FreePort();
  std::string config = WriteConfig(
      dir, port, {{"pool", pool.Url(), "tool_call: {name: echo, arguments: {message: hi}}"}}, "1s",
      "950ms");
  AppendYaml(config,
             "detection: {baseline_min_samples: 5, spike_factor: 3, spike_margin: 100ms, "
             "window: 3, degraded_after: 2, up_after: 2}");
  Subprocess daemon = StartDaemon(config);

  // Warm-up: five quiet runs teach the baseline what a tool call through a free pool costs.
  std::optional<double> baseline_before;
  REQUIRE(PollUntil(
      [&] {
        std::string m = MetricsText(port);
        baseline_before = Metric(m, "probe_mcp_latency_baseline_seconds",
                                 {{"target", "pool"}, {"phase", "tool_call"}});
        return baseline_before.has_value() && StateOf(m, "pool") == "up";
      },
      30s));
  INFO("tool_call baseline before load: " << *baseline_before << " s");
  CHECK(*baseline_before < 0.1);

  // Load: 12 clients on a 2-slot, 40 ms pool keep ~12 calls queued, so the probe's call waits
  // about 6 x 40 ms behind them while initialize and tools/list stay fast.
  PoolLoad load(pool.Url(), 12, 15s);
  bool degraded = PollUntil([&] { return StateOf(MetricsText(port), "pool") == "degraded"; }, 14s);
  load.Stop();
  INFO("load calls: " << load.calls());
  REQUIRE(degraded);
  REQUIRE(PollUntil([&] { return StateOf(MetricsText(port), "pool") == "up"; }, 15s));

  std::string metrics = MetricsText(port);
  auto runs = RunsByClass(metrics, "pool");
  CHECK(RunsOf(runs, "latency_spike") >= 2);
  CHECK(FailedRuns(runs) == 0);
  // Spike runs never teach the baseline that slow is normal.
  auto baseline_after = Metric(metrics, "probe_mcp_latency_baseline_seconds",
                               {{"target", "pool"}, {"phase", "tool_call"}});
  REQUIRE(baseline_after.has_value());
  INFO("tool_call baseline after load: " << *baseline_after << " s");
  CHECK(*baseline_after < 0.1);

  auto history = RunProcess(
      {McpwatchBinary(), "history", "pool", "--config", config, "--json", "--since", "10m"}, 30s);
  REQUIRE(history.exit_code == 0);
  int spikes = 0;
  for (const auto& r : json::parse(history.out)) {
    if (r["class"] != "latency_spike") continue;
    ++spikes;
    INFO(r.dump());
    CHECK_THAT(r["error"].get<std::string>(), Catch::Contains("tool_call"));
    CHECK_THAT(r["diagnosis"].get<std::string>(), Catch::Contains("only the tool call is slow"));
  }
  CHECK(spikes >= 2);

  std::vector<std::pair<std::string, std::string>> transitions;
  REQUIRE(PollUntil(
      [&] {
        transitions.clear();
        auto changes = EventsOfKind(StoredEvents(config), "state_change", "pool");
        for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
          transitions.emplace_back((*it)["details"]["from"], (*it)["details"]["to"]);
        }
        return transitions.size() >= 3;
      },
      10s, 500ms));
  using T = std::pair<std::string, std::string>;
  CHECK(transitions == std::vector<T>{{"unknown", "up"}, {"up", "degraded"}, {"degraded", "up"}});
}

TEST_CASE("a redeploy that removes a tool is a deploy event and a breaking schema_drift event",
          "[detection]") {
  RestartableFixture server({"--server-version", "1.0.0", "--tools", "echo,add"});
  TempDir dir;
  int port = FreePort();
  std::string config = WriteConfig(dir, port, {{"svc", server.Url(), ""}});
  Subprocess daemon = StartDaemon(config);
  REQUIRE(PollUntil([&] { return UpAfterOkRuns(port, "svc"); }, 20s));

  // The deploy: the old process exits, the new version comes up on the same port.
  server.Stop();
  server.Start({"--server-version", "2.0.0", "--tools", "echo"});
  REQUIRE(PollUntil(
      [&] {
        std::string m = MetricsText(port);
        return Metric(m, "probe_mcp_events_total", {{"target", "svc"}, {"kind", "deploy"}}) >=
                   1.0 &&
               Metric(m, "probe_mcp_events_total", {{"target", "svc"}, {"kind", "schema_drift"}}) >=
                   1.0;
      },
      20s));

  json events;
  REQUIRE(PollUntil(
      [&] {
        events = StoredEvents(config);
        return !EventsOfKind(events, "deploy", "svc").empty() &&
               !EventsOfKind(events, "schema_drift", "svc").empty();
      },
      10s, 500ms));
  INFO(events.dump(2));
  auto deploys = EventsOfKind(events, "deploy", "svc");
  REQUIRE(deploys.size() == 1);
  CHECK(deploys[0]["details"]["old_version"] == "1.0.0");
  CHECK(deploys[0]["details"]["new_version"] == "2.0.0");
  CHECK(deploys[0]["details"]["tools_changed"] == true);

  auto drifts = EventsOfKind(events, "schema_drift", "svc");
  REQUIRE(drifts.size() == 1);
  const json& drift = drifts[0]["details"];
  CHECK(drift["grade"] == "breaking");
  CHECK_THAT(drift["summary"].get<std::string>(), Catch::Contains("tool add removed"));
  bool removed_add = false;
  for (const auto& c : drift["diff"]["changes"]) {
    removed_add = removed_add || (c["tool"] == "add" && c["grade"] == "breaking");
  }
  CHECK(removed_add);
  CHECK(Metric(MetricsText(port), "probe_mcp_tools", {{"target", "svc"}}) == 1.0);

  // The operator accepts the new tool list while the daemon keeps writing.
  auto accept = RunProcess({McpwatchBinary(), "schema", "accept", "svc", "--config", config}, 30s);
  INFO(accept.out << accept.err);
  REQUIRE(accept.exit_code == 0);
  CHECK_THAT(accept.out, Catch::Contains("svc: accepted schema"));
  auto shown = RunProcess({McpwatchBinary(), "schema", "svc", "--config", config, "--json"}, 30s);
  REQUIRE(shown.exit_code == 0);
  const json schema = json::parse(shown.out);
  CHECK(schema["current"]["accepted"] == true);
  CHECK(schema["current"]["tools"] == json::array({"echo"}));
  CHECK(schema["current"]["server_version"] == "2.0.0");
  CHECK(schema["last_drift"]["details"]["grade"] == "breaking");
}

// Issue 11: the deploy changes the called tool's input (echo now requires sku, not message) and
// removes a tool, so every tool call fails from then on. Drift and deploy detection read every
// run whose initialize and tools/list answered, so the daemon still records the deploy and the
// breaking drift, and again on the rollback.
TEST_CASE("a redeploy that breaks the configured tool call is still a deploy and a breaking "
          "schema_drift, and so is the rollback",
          "[detection]") {
  RestartableFixture server({"--server-version", "1.0.0", "--tools", "echo,add"});
  TempDir dir;
  int port = FreePort();
  std::string config = WriteConfig(
      dir, port, {{"svc", server.Url(), "tool_call: {name: echo, arguments: {message: hi}}"}});
  Subprocess daemon = StartDaemon(config);
  auto count = [&](const char* kind) {
    return Metric(MetricsText(port), "probe_mcp_events_total", {{"target", "svc"}, {"kind", kind}});
  };
  REQUIRE(PollUntil([&] { return UpAfterOkRuns(port, "svc"); }, 20s));

  server.Stop();
  server.Start({"--server-version", "2.0.0", "--tools", "echo", "--echo-arg", "sku"});
  REQUIRE(PollUntil(
      [&] {
        return count("deploy") >= 1.0 && count("schema_drift") >= 1.0 &&
               RunsOf(RunsByClass(MetricsText(port), "svc"), "tool_error") >= 2;
      },
      20s));
  json events = StoredEvents(config);
  INFO(events.dump(2));
  auto deploys = EventsOfKind(events, "deploy", "svc");
  REQUIRE(deploys.size() == 1);
  CHECK(deploys[0]["details"]["new_version"] == "2.0.0");
  auto drifts = EventsOfKind(events, "schema_drift", "svc");
  REQUIRE(drifts.size() == 1);
  CHECK(drifts[0]["details"]["grade"] == "breaking");
  CHECK_THAT(drifts[0]["details"]["summary"].get<std::string>(), Catch::Contains("add removed"));
  auto shown = RunProcess({McpwatchBinary(), "schema", "svc", "--config", config, "--json"}, 30s);
  REQUIRE(shown.exit_code == 0);
  CHECK(json::parse(shown.out)["current"]["server_version"] == "2.0.0");
  auto runs = json::parse(
      RunProcess({McpwatchBinary(), "history", "svc", "--config", config, "--json"}, 30s).out);
  REQUIRE_FALSE(runs.empty());
  CHECK_THAT(runs[0]["error"].get<std::string>(),
             Catch::Contains("the configured arguments no longer fit echo's input schema"));
  CHECK_THAT(runs[0]["diagnosis"].get<std::string>(),
             Catch::StartsWith("tool calls failing since deploy 1.0.0 → 2.0.0 at ") &&
                 Catch::Contains("which changed the tools: ") && Catch::Contains("add removed"));

  // The rollback: version 1.0.0 with both tools and the old input again.
  server.Stop();
  server.Start({"--server-version", "1.0.0", "--tools", "echo,add"});
  REQUIRE(PollUntil([&] { return count("deploy") >= 2.0 && count("schema_drift") >= 2.0; }, 20s));
  REQUIRE(PollUntil([&] { return StateOf(MetricsText(port), "svc") == "up"; }, 20s));
  events = StoredEvents(config);
  deploys = EventsOfKind(events, "deploy", "svc");
  REQUIRE(deploys.size() == 2);  // newest first
  CHECK(deploys[0]["details"]["new_version"] == "1.0.0");
  CHECK(deploys[0]["details"]["old_version"] == "2.0.0");
}
