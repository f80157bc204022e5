// Detection over history with the real daemon (issue 5), the restart side: a process that keeps
// restarting is one crash_loop event, a single dropped run changes nothing, and a compressed
// soak of healthy runs raises no false latency spike and no state change.
#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/integration/serve/detection_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("a process restarted over and over is one crash_loop event", "[detection]") {
  RestartableFixture server({});
  TempDir dir;
  int port = FreePort();
  std::string config = WriteConfig(dir, port, {{"loop", server.Url(), ""}});
  AppendYaml(config, "detection: {crash_loop: {flips: 3, window: 1m}}");
  Subprocess daemon = StartDaemon(config);
  auto runs = [&] { return RunsByClass(MetricsText(port), "loop"); };
  REQUIRE(PollUntil([&] { return RunsOf(runs(), "ok") >= 2; }, 20s, 50ms));

  // Four cycles of about 2 s down and 2 s up, each side seen by at least one run.
  for (int cycle = 0; cycle < 4; ++cycle) {
    INFO("cycle " << cycle);
    double refused = RunsOf(runs(), "connection_refused");
    server.Stop();
    auto down_at = std::chrono::steady_clock::now();
    REQUIRE(PollUntil([&] { return RunsOf(runs(), "connection_refused") > refused; }, 10s, 50ms));
    std::this_thread::sleep_until(down_at + 2s);
    double ok = RunsOf(runs(), "ok");
    server.Start({});
    auto up_at = std::chrono::steady_clock::now();
    REQUIRE(PollUntil([&] { return RunsOf(runs(), "ok") > ok; }, 10s, 50ms));
    std::this_thread::sleep_until(up_at + 2s);
  }

  json events;
  REQUIRE(PollUntil(
      [&] {
        events = StoredEvents(config);
        return !EventsOfKind(events, "crash_loop", "loop").empty();
      },
      10s, 500ms));
  INFO(events.dump(2));
  auto loops = EventsOfKind(events, "crash_loop", "loop");
  CHECK(loops.size() == 1);  // one event per episode, not one per flip
  CHECK(loops[0]["details"]["flips"].get<int>() >= 3);
  CHECK(loops[0]["details"]["failure"] == "connection_refused");
  CHECK(Metric(MetricsText(port), "probe_mcp_events_total",
               {{"target", "loop"}, {"kind", "crash_loop"}}) == 1.0);
  CHECK(EventsOfKind(events, "state_change", "loop").size() >= 3);  // it did go down and up
}

TEST_CASE("one dropped run changes nothing: the target stays up", "[detection]") {
  RestartableFixture server({});
  TempDir dir;
  int port = FreePort();
  std::string config = WriteConfig(dir, port, {{"steady", server.Url(), ""}});
  Subprocess daemon = StartDaemon(config);
  auto runs = [&] { return RunsByClass(MetricsText(port), "steady"); };
  REQUIRE(PollUntil(
      [&] { return StateOf(MetricsText(port), "steady") == "up" && RunsOf(runs(), "ok") >= 3; },
      20s, 50ms));

  // Stop the server just after a run finished, so the next run, a second later, is the only
  // one that finds it gone; bring it back as soon as that run has failed.
  double ok = RunsOf(runs(), "ok");
  REQUIRE(PollUntil([&] { return RunsOf(runs(), "ok") > ok; }, 5s, 20ms));
  server.Stop();
  REQUIRE(PollUntil([&] { return FailedRuns(runs()) >= 1; }, 5s, 20ms));
  server.Start({});

  // Several more runs (and the confirmation re-probe the failure asked for): never anything
  // but up.
  std::set<std::string> states;
  double ok_after = RunsOf(runs(), "ok");
  REQUIRE(PollUntil(
      [&] {
        std::string m = MetricsText(port);
        states.insert(StateOf(m, "steady"));
        return RunsOf(RunsByClass(m, "steady"), "ok") >= ok_after + 6;
      },
      20s, 50ms));
  auto final_runs = runs();
  INFO("failed runs: " << FailedRuns(final_runs));
  REQUIRE(FailedRuns(final_runs) == 1);  // the scenario itself: exactly one dropped run
  CHECK(states == std::set<std::string>{"up"});

  auto changes = EventsOfKind(StoredEvents(config), "state_change", "steady");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0]["details"]["from"] == "unknown");
  CHECK(changes[0]["details"]["to"] == "up");
  auto status = RunProcess({McpwatchBinary(), "status", "--config", config, "--json"}, 30s);
  REQUIRE(status.exit_code == 0);
  json rows = json::parse(status.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["state"] == "up");
}

TEST_CASE("compressed soak: 10,000 healthy runs raise no latency spike and no state change",
          "[detection][soak]") {
  constexpr int kTargets = 200;
  constexpr int kRuns = 10500;
  auto wall_start = std::chrono::steady_clock::now();
  std::vector<Fixture> fixtures;
  fixtures.reserve(4);
  for (int i = 0; i < 4; ++i) fixtures.emplace_back(std::vector<std::string>{});
  TempDir dir;
  int port = FreePort();
  std::vector<DaemonTarget> targets;
  for (int i = 0; i < kTargets; ++i) {
    targets.push_back({"s" + std::to_string(i), fixtures[static_cast<size_t>(i % 4)].Url(), ""});
  }
  std::string config = WriteConfig(dir, port, targets, "1s", "900ms");
  std::string db = dir.File("history.db");
  {
    Subprocess daemon = StartDaemon(config);
    REQUIRE(PollUntil([&] { return TotalRuns(db) >= kRuns; }, 75s, 1s));
    daemon.Signal(SIGTERM);  // drain and flush, so every run and event is in the file
    auto code = daemon.Wait(30s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
  }
  auto wall = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                               wall_start);

  int runs = 0, spikes = 0, failed = 0;
  std::map<std::string, int> failed_by_class;
  for (const auto& [target, classes] : ClassCounts(db)) {
    for (const auto& [cls, n] : classes) {
      runs += n;
      if (cls == "latency_spike") spikes += n;
      if (cls != "ok" && cls != "latency_spike") {
        failed += n;
        failed_by_class[cls] += n;
      }
    }
  }
  auto changes = EventsOfKind(StoredEvents(config), "state_change");
  int initial = 0, other_changes = 0;
  for (const auto& e : changes) {
    bool first = e["details"]["from"] == "unknown" && e["details"]["to"] == "up";
    (first ? initial : other_changes) += 1;
  }
  std::string failed_detail;
  for (const auto& [cls, n] : failed_by_class) failed_detail += " " + cls + "=" + std::to_string(n);
  WARN("soak: targets=" << kTargets << " runs=" << runs << " latency_spike=" << spikes << " failed="
                        << failed << failed_detail << " state_changes=" << changes.size()
                        << " (initial unknown->up " << initial << ", other " << other_changes
                        << ") wall=" << wall.count() << "s");
  CHECK(runs >= 10000);
  CHECK(spikes == 0);
  CHECK(initial == kTargets);
  CHECK(other_changes == 0);
  CHECK(wall <= 90s);
}
