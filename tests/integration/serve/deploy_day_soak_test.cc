// Issue 11, item 6 of the brief: a compressed healthy soak with every deploy-day check enabled
// shows no false event. 200 targets on 4 healthy fixtures with health_url, the rolling-deploy
// grace on, and 4 more targets, each on its own enforcing fixture, with a rate_limit_check
// bursting every 5 s: at least 10,000 runs, no event but the first unknown -> up of each
// target, no rate_limit_not_enforced, no failed run, no latency spike, and every burst limited.
#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>

#include "tests/integration/serve/detection_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE(
    "deploy-day soak: 10,000 healthy runs with every opt-in check enabled raise no false "
    "event",
    "[detection][soak][deploy]") {
  constexpr int kTargets = 200;
  constexpr int kLimited = 4;
  constexpr int kRuns = 10500;
  auto wall_start = std::chrono::steady_clock::now();
  std::vector<Fixture> fixtures;
  fixtures.reserve(4 + kLimited);
  for (int i = 0; i < 4; ++i) fixtures.emplace_back(std::vector<std::string>{});
  // Enforcing limiters (5 calls a second), one process per target so no target's regular runs
  // meet another target's burst.
  for (int i = 0; i < kLimited; ++i) {
    fixtures.emplace_back(
        std::vector<std::string>{"--rate-limit", "5", "--rate-window-ms", "1000"});
  }
  TempDir dir;
  int port = FreePort();
  std::vector<DaemonTarget> targets;
  auto health = [&](const Fixture& f) {
    return "health_url: http://127.0.0.1:" + std::to_string(f.port()) + "/health";
  };
  for (int i = 0; i < kTargets; ++i) {
    const Fixture& f = fixtures[static_cast<size_t>(i % 4)];
    targets.push_back({"s" + std::to_string(i), f.Url(), health(f)});
  }
  for (int i = 0; i < kLimited; ++i) {
    const Fixture& f = fixtures[static_cast<size_t>(4 + i)];
    targets.push_back({"r" + std::to_string(i), f.Url(),
                       health(f) + "\n    rate_limit_check: {limit: 5, window: 1s, every: 5s, "
                                   "tool: echo, arguments: {message: burst}}"});
  }
  std::string config = WriteConfig(dir, port, targets, "1s", "900ms");
  AppendYaml(config, "detection: {rolling_deploy: {grace: 30s}}");
  std::string db = dir.File("history.db");
  double bursts_limited = 0;
  {
    Subprocess daemon = StartDaemon(config);
    REQUIRE(PollUntil([&] { return TotalRuns(db) >= kRuns; }, 80s, 1s));
    const std::string m = MetricsText(port);
    for (int i = 0; i < kLimited; ++i) {
      bursts_limited +=
          Metric(m, "probe_mcp_rate_limit_enforced", {{"target", "r" + std::to_string(i)}})
              .value_or(0);
    }
    daemon.Signal(SIGTERM);
    auto code = daemon.Wait(30s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
  }
  auto wall = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                               wall_start);
  int runs = 0, spikes = 0, failed = 0;
  for (const auto& [target, classes] : ClassCounts(db)) {
    for (const auto& [cls, n] : classes) {
      runs += n;
      if (cls == "latency_spike") spikes += n;
      if (cls != "ok" && cls != "latency_spike") failed += n;
    }
  }
  const json events = StoredEvents(config);
  int initial = 0, other = 0;
  std::map<std::string, int> by_kind;
  for (const auto& e : events) {
    const bool first = e["kind"] == "state_change" && e["details"]["from"] == "unknown" &&
                       e["details"]["to"] == "up";
    (first ? initial : other) += 1;
    if (!first) by_kind[e["kind"].get<std::string>()] += 1;
  }
  std::string detail;
  for (const auto& [kind, n] : by_kind) detail += " " + kind + "=" + std::to_string(n);
  WARN("deploy-day soak: targets=" << kTargets + kLimited << " runs=" << runs
                                   << " failed=" << failed << " latency_spike=" << spikes
                                   << " events=" << events.size() << " (initial " << initial
                                   << ", other" << (detail.empty() ? " 0" : detail) << ")"
                                   << " rate_limit_enforced=" << bursts_limited << "/" << kLimited
                                   << " wall=" << wall.count() << "s");
  CHECK(runs >= 10000);
  CHECK(failed == 0);
  CHECK(spikes == 0);
  CHECK(initial == kTargets + kLimited);
  CHECK(other == 0);
  CHECK(bursts_limited == kLimited);  // the checks did run, and found the limiters enforcing
}
