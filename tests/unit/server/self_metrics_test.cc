#include "server/self_metrics.h"

#include <prometheus/registry.h>

#include <catch2/catch.hpp>

#include "tests/unit/server/metrics_text.h"

namespace mcpwatch {
namespace {

using test::Exposition;
using test::SampleValue;

TEST_CASE("SelfMetrics exports build info and pre-initialised skip reasons") {
  prometheus::Registry registry;
  SelfMetrics metrics(registry, "0.1.0");
  const std::string text = Exposition(registry);
  CHECK(SampleValue(text, "mcpwatch_build_info{version=\"0.1.0\"}") == 1.0);
  CHECK(SampleValue(text, "mcpwatch_runs_skipped_total{reason=\"overlap\"}") == 0.0);
  CHECK(SampleValue(text, "mcpwatch_runs_skipped_total{reason=\"inflight_cap\"}") == 0.0);
  CHECK(SampleValue(text, "mcpwatch_scheduler_lag_seconds_count") == 0.0);
  CHECK(SampleValue(text, "mcpwatch_store_rows_written_total") == 0.0);
}

TEST_CASE("SelfMetrics gauges, counters and the lag histogram") {
  prometheus::Registry registry;
  SelfMetrics metrics(registry, "0.1.0");
  metrics.ObserveLag(0.003);
  metrics.ObserveLag(2.0);
  metrics.SetInflight(12);
  metrics.CountSkipped(SkipReason::kOverlap);
  metrics.SetTargets(40);
  metrics.SetConfigReload(true, std::chrono::system_clock::time_point(std::chrono::seconds(1000)));
  metrics.SetConfigReload(false, std::chrono::system_clock::time_point(std::chrono::seconds(2000)));
  metrics.SetAlertsFiring("TargetDown", 2);
  metrics.CountNotification("ops", true);
  metrics.CountNotification("ops", false);
  metrics.CountNotification("ops", false);
  metrics.SetOutboxPending(5);
  const std::string text = Exposition(registry);
  CHECK(SampleValue(text, "mcpwatch_scheduler_lag_seconds_count") == 2.0);
  CHECK(SampleValue(text, "mcpwatch_scheduler_lag_seconds_bucket{le=\"0.005\"}") == 1.0);
  CHECK(SampleValue(text, "mcpwatch_scheduler_lag_seconds_bucket{le=\"5\"}") == 2.0);
  CHECK(SampleValue(text, "mcpwatch_inflight_probes") == 12.0);
  CHECK(SampleValue(text, "mcpwatch_runs_skipped_total{reason=\"overlap\"}") == 1.0);
  CHECK(SampleValue(text, "mcpwatch_targets") == 40.0);
  CHECK(SampleValue(text, "mcpwatch_config_last_reload_successful") == 0.0);
  // A failed reload keeps the time of the last success.
  CHECK(SampleValue(text, "mcpwatch_config_last_reload_success_timestamp_seconds") == 1000.0);
  CHECK(SampleValue(text, "mcpwatch_alerts_firing{rule=\"TargetDown\"}") == 2.0);
  CHECK(SampleValue(text,
                    "mcpwatch_alerts_notifications_total{notifier=\"ops\","
                    "result=\"delivered\"}") == 1.0);
  CHECK(SampleValue(text,
                    "mcpwatch_alerts_notifications_total{notifier=\"ops\","
                    "result=\"failed\"}") == 2.0);
  CHECK(SampleValue(text, "mcpwatch_alerts_outbox_pending") == 5.0);
}

TEST_CASE("UpdateStore advances counters by the difference between snapshots") {
  prometheus::Registry registry;
  SelfMetrics metrics(registry, "0.1.0");
  storage::WriterStats stats;
  stats.rows_written = 100;
  stats.dropped = 2;
  stats.rows_lost = 1;
  stats.write_errors = 1;
  stats.queue_depth = 17;
  stats.last_commit = std::chrono::microseconds(4'500);
  metrics.UpdateStore(stats);
  metrics.UpdateStore(stats);  // the same snapshot again adds nothing
  std::string text = Exposition(registry);
  CHECK(SampleValue(text, "mcpwatch_store_rows_written_total") == 100.0);
  CHECK(SampleValue(text, "mcpwatch_store_rows_dropped_total") == 3.0);
  CHECK(SampleValue(text, "mcpwatch_store_write_errors_total") == 1.0);
  CHECK(SampleValue(text, "mcpwatch_store_queue_depth") == 17.0);
  CHECK(SampleValue(text, "mcpwatch_store_last_commit_seconds") == Approx(0.0045));

  stats.rows_written = 250;
  stats.queue_depth = 0;
  metrics.UpdateStore(stats);
  text = Exposition(registry);
  CHECK(SampleValue(text, "mcpwatch_store_rows_written_total") == 250.0);
  CHECK(SampleValue(text, "mcpwatch_store_queue_depth") == 0.0);

  // A degraded writer: the gauge follows the snapshot, refused writes count on their own.
  CHECK(SampleValue(text, "mcpwatch_store_degraded") == 0.0);
  stats.degraded = storage::StorageDegraded{{}, "database or disk is full", 4};
  stats.writes_dropped = 3;
  metrics.UpdateStore(stats);
  text = Exposition(registry);
  CHECK(SampleValue(text, "mcpwatch_store_degraded") == 1.0);
  CHECK(SampleValue(text, "mcpwatch_store_writes_dropped_total") == 3.0);
  stats.degraded.reset();
  metrics.UpdateStore(stats);
  CHECK(SampleValue(Exposition(registry), "mcpwatch_store_degraded") == 0.0);

  // A new writer starts from zero: its totals are all new.
  storage::WriterStats restarted;
  restarted.rows_written = 10;
  metrics.UpdateStore(restarted);
  text = Exposition(registry);
  CHECK(SampleValue(text, "mcpwatch_store_rows_written_total") == 260.0);
}

TEST_CASE("SkipReason spellings") {
  CHECK(ToString(SkipReason::kOverlap) == "overlap");
  CHECK(ToString(SkipReason::kInflightCap) == "inflight_cap");
  CHECK(ToString(SkipReason::kOwnBurst) == "own_burst");
}

}  // namespace
}  // namespace mcpwatch
