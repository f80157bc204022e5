// `mcpwatch serve` on a disk that fills up under it and is freed again: it keeps probing with
// its metrics current, reports itself degraded (/readyz 503 with the reason, a gauge, one log
// line each way), holds runs up to storage.queue_capacity, counts what it drops, and on free
// space writes every held run in order. Both ways to fill a disk run: a real tmpfs where this
// process may mount one, and the daemon's full-disk switch everywhere.
#include <catch2/catch.hpp>
#include <cmath>
#include <csignal>
#include <fstream>
#include <thread>

#include "tests/integration/serve/daemon_harness.h"
#include "tests/integration/serve/small_disk.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;

namespace {

constexpr int kCapacity = 6;
constexpr auto kInterval = 1s;
const std::vector<std::string> kTargets = {"alpha", "beta", "gamma"};

std::string WriteFullDiskConfig(const TempDir& dir, const SmallDisk& disk, int port,
                                const std::string& url) {
  std::string path = dir.File("mcpwatch.yaml");
  std::ofstream f(path);
  f << "listen: 127.0.0.1:" << port << "\n"
    << "database: " << disk.DatabasePath() << "\n"
    << "defaults: {interval: 1s, timeout: 800ms}\n"
    << "scheduler: {jitter: 0s}\n"
    << "storage: {queue_capacity: " << kCapacity << "}\n"
    << "targets:\n";
  for (const auto& name : kTargets) f << "  - name: " << name << "\n    url: " << url << "\n";
  return path;
}

void RunFullDiskScenario(const TempDir& dir, SmallDisk& disk) {
  INFO("disk: " << disk.Describe());
  Fixture fixture;
  const int port = FreePort();
  const std::string config = WriteFullDiskConfig(dir, disk, port, fixture.Url());
  Subprocess daemon =
      Subprocess::Start({McpwatchBinary(), "serve", "--config", config}, disk.DaemonEnv());
  REQUIRE(daemon.WaitForLine("ready targets=", 20s));
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string db_path = disk.DatabasePath();
  const auto metric = [&](const std::string& name) {
    return SumMetric(HttpGet(base + "/metrics").body, name);
  };

  REQUIRE(Eventually([&] { return TotalRuns(db_path) >= 6; }, 20s));
  CHECK(HttpGet(base + "/readyz").status == 200);

  disk.Fill();
  REQUIRE(Eventually([&] { return HttpGet(base + "/readyz").status == 503; }, 20s));
  const auto degraded = HttpGet(base + "/readyz").body;
  CHECK_THAT(degraded, Catch::StartsWith("degraded: history writes failing since "));
  CHECK_THAT(degraded, Catch::Contains("database or disk is full"));
  CHECK(HttpGet(base + "/healthz").status == 200);  // alive: a restart would not free space
  REQUIRE(Eventually([&] { return metric("mcpwatch_store_degraded") == 1; }, 5s));

  // Probing goes on, and the in-memory state with it, until the bound forces drops.
  const double runs_at_fill = metric("probe_mcp_runs_total");
  REQUIRE(Eventually(
      [&] {
        return metric("mcpwatch_store_rows_dropped_total") >= 3 &&
               metric("probe_mcp_runs_total") >= runs_at_fill + 12;
      },
      30s));
  const std::string during = HttpGet(base + "/metrics").body;
  for (const auto& name : kTargets) {
    CHECK(Metric(during, "probe_success", {{"target", name}}) == 1.0);
    CHECK(Metric(during, "probe_mcp_state", {{"target", name}, {"state", "up"}}) == 1.0);
    const double last = *Metric(during, "probe_mcp_last_run_timestamp_seconds", {{"target", name}});
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(now - last < 3.0);
  }
  CHECK(SumMetric(during, "mcpwatch_store_degraded") == 1);
  CHECK_THAT(HttpGet(base + "/readyz").body,
             Catch::Contains(std::to_string(kCapacity) + " runs held in memory (capacity " +
                             std::to_string(kCapacity) + ")"));

  disk.Free();
  REQUIRE(Eventually([&] { return HttpGet(base + "/readyz").status == 200; }, 20s));
  REQUIRE(Eventually([&] { return metric("mcpwatch_store_degraded") == 0; }, 5s));
  std::this_thread::sleep_for(2 * kInterval);  // a few runs stored normally again
  const std::string after = HttpGet(base + "/metrics").body;
  CHECK(SumMetric(after, "mcpwatch_runs_skipped_total") == 0);  // every gap below is a drop

  daemon.Signal(SIGTERM);
  REQUIRE(daemon.Wait(20s) == 0);
  const std::string log = daemon.Stdout();
  INFO(log);
  CHECK(CountOccurrences(log, "storage degraded:") == 1);
  CHECK(CountOccurrences(log, "storage recovered:") == 1);
  CHECK(CountOccurrences(log, "history queue full: dropping new runs") == 1);
  CHECK(CountOccurrences(log, "history queue accepting runs again") == 1);
  const uint64_t dropped = LogField(log, "storage recovered:", "runs_dropped");
  const uint64_t written = LogField(log, "stopped", "rows_written");
  CHECK(LogField(log, "stopped", "rows_lost") == 0);
  CHECK(dropped >= 3);
  CHECK(dropped == static_cast<uint64_t>(SumMetric(after, "mcpwatch_store_rows_dropped_total")));

  // Every run the writer accepted is in the database, each target's in start order, and the
  // only holes in their 1 s cadence are the runs counted as dropped.
  const auto runs = RunStartsByTarget(db_path);
  uint64_t stored = 0;
  int64_t missing = 0;
  for (const auto& name : kTargets) {
    REQUIRE(runs.contains(name));
    const auto& at = runs.at(name);
    stored += at.size();
    for (size_t i = 1; i < at.size(); ++i) {
      INFO(name << " run " << i);
      REQUIRE(at[i] > at[i - 1]);
      const double gap = static_cast<double>(at[i] - at[i - 1]) / 1000.0;
      missing += std::lround(gap) - 1;
    }
  }
  CHECK(stored == written);
  CHECK(missing == static_cast<int64_t>(dropped));
}

}  // namespace

TEST_CASE("a full disk (a real tmpfs) degrades serve, which recovers with every held run stored",
          "[serve][full_disk]") {
  TempDir dir;
  std::string why;
  auto disk = SmallDisk::MountTmpfs(dir, why);
  if (!disk) {
    WARN("no tmpfs here (" << why << "): the full-disk switch case below covers serve instead");
    return;
  }
  RunFullDiskScenario(dir, *disk);
}

TEST_CASE(
    "a full disk (the full-disk switch) degrades serve, which recovers with every held run "
    "stored",
    "[serve][full_disk]") {
  TempDir dir;
  SmallDisk disk = SmallDisk::Switch(dir);
  RunFullDiskScenario(dir, disk);
}
