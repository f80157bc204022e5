// `mcpwatch serve` while others read its database: a `sqlite3` shell holds one read
// transaction open for seconds and `mcpwatch history` runs in a loop. In WAL mode readers and
// the writer do not wait for each other: every run is probed on time, committed and stored,
// and the shell keeps seeing its old snapshot throughout.
#include <catch2/catch.hpp>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>

#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kHold = 8s;
constexpr double kIntervalSeconds = 0.5;

// The shell's script: read, tell the test, wait while `hold` exists, read again in the same
// transaction, end it.
std::vector<std::string> HoldingShell(const std::string& db, const std::string& began,
                                      const std::string& hold) {
  return {"sqlite3",
          db,
          "BEGIN",
          "SELECT 'first ' || count(*) FROM runs",
          ".shell touch '" + began + "'; while [ -e '" + hold + "' ]; do sleep 0.05; done",
          "SELECT 'second ' || count(*) FROM runs",
          "COMMIT"};
}

}  // namespace

TEST_CASE("a reader holding a long transaction never delays probing or loses a run",
          "[serve][busy_reader]") {
  Fixture fixture;
  TempDir dir;
  const int port = FreePort();
  std::vector<DaemonTarget> targets;
  for (const char* name : {"alpha", "beta", "gamma", "delta"}) {
    targets.push_back({name, fixture.Url(), ""});
  }
  const std::string config = WriteConfig(dir, port, targets, "500ms", "400ms");
  Subprocess daemon = StartDaemon(config);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string db = dir.File("history.db");
  REQUIRE(Eventually([&] { return TotalRuns(db) >= 8; }, 20s));

  const std::string began = dir.File("began");
  const std::string hold = dir.File("hold");
  std::ofstream(hold) << "hold\n";
  Subprocess shell = Subprocess::Start(HoldingShell(db, began, hold));
  REQUIRE(Eventually([&] { return std::filesystem::exists(began); }, 10s));

  // While the snapshot is held: the history CLI keeps answering and the writer keeps committing.
  const int stored_at_hold = TotalRuns(db);
  const auto hold_until = std::chrono::steady_clock::now() + kHold;
  int history_runs = 0;
  while (std::chrono::steady_clock::now() < hold_until) {
    auto history =
        RunProcess({McpwatchBinary(), "history", "alpha", "--config", config, "--json"}, 10s);
    REQUIRE(history.exit_code == 0);
    ++history_runs;
    CHECK(HttpGet(base + "/readyz").status == 200);
  }
  const int stored_while_held = TotalRuns(db);
  CHECK(stored_while_held >= stored_at_hold + 4 * 12);  // 4 targets, 2 runs/s, most of 8 s
  CHECK(history_runs >= 3);
  const std::string metrics = HttpGet(base + "/metrics").body;

  std::filesystem::remove(hold);
  REQUIRE(shell.Wait(10s) == 0);
  const std::string shell_out = shell.Stdout();
  INFO(shell_out << shell.Stderr());
  std::smatch m;
  REQUIRE(std::regex_search(shell_out, m, std::regex("first ([0-9]+)\\s+second ([0-9]+)")));
  CHECK(m[1] == m[2]);  // one snapshot, held the whole time
  CHECK(std::stoi(m[1]) <= stored_at_hold);

  CHECK(SumMetric(metrics, "mcpwatch_store_write_errors_total") == 0);
  CHECK(SumMetric(metrics, "mcpwatch_store_degraded") == 0);
  CHECK(SumMetric(metrics, "mcpwatch_runs_skipped_total") == 0);
  // No run started late by half an interval or more.
  const auto lagged = Metric(metrics, "mcpwatch_scheduler_lag_seconds_count", {});
  REQUIRE(lagged.has_value());
  CHECK(*lagged >= 4 * 16);
  CHECK(Metric(metrics, "mcpwatch_scheduler_lag_seconds_bucket", {{"le", "0.25"}}) == *lagged);

  daemon.Signal(SIGTERM);
  REQUIRE(daemon.Wait(20s) == 0);
  const std::string log = daemon.Stdout();
  INFO(log);
  CHECK(LogField(log, "stopped", "rows_lost") == 0);
  const auto runs = RunStartsByTarget(db);
  uint64_t stored = 0;
  for (const auto& t : targets) {
    REQUIRE(runs.contains(t.name));
    const auto& at = runs.at(t.name);
    stored += at.size();
    for (size_t i = 1; i < at.size(); ++i) {
      INFO(t.name << " run " << i << " started " << at[i] - at[i - 1]
                  << " ms after the one before");
      CHECK(std::lround(static_cast<double>(at[i] - at[i - 1]) / 1000.0 / kIntervalSeconds) == 1);
    }
  }
  CHECK(stored == LogField(log, "stopped", "rows_written"));
}
