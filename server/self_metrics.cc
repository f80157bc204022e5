#include "server/self_metrics.h"

namespace mcpwatch {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;

Family<Gauge>& GaugeFamily(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

Family<Counter>& CounterFamily(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

Gauge& SingleGauge(prometheus::Registry& r, const char* name, const char* help) {
  return GaugeFamily(r, name, help).Add({});
}

Counter& SingleCounter(prometheus::Registry& r, const char* name, const char* help) {
  return CounterFamily(r, name, help).Add({});
}

// The counter advances by how far `now` is past `last` (all of `now` after a writer restart).
void Advance(Counter& counter, uint64_t& last, uint64_t now) {
  const uint64_t delta = now >= last ? now - last : now;
  if (delta > 0) counter.Increment(static_cast<double>(delta));
  last = now;
}

}  // namespace

SelfMetrics::SelfMetrics(prometheus::Registry& r, const std::string& version)
    : lag_(prometheus::BuildHistogram()
               .Name("mcpwatch_scheduler_lag_seconds")
               .Help("How late runs started against their plan")
               .Register(r)),
      inflight_(SingleGauge(r, "mcpwatch_inflight_probes", "Probe runs in flight")),
      skipped_family_(
          CounterFamily(r, "mcpwatch_runs_skipped_total", "Due runs not started, by reason")),
      rows_written_(SingleCounter(r, "mcpwatch_store_rows_written_total",
                                  "Run rows committed to the history")),
      rows_dropped_(SingleCounter(r, "mcpwatch_store_rows_dropped_total",
                                  "Run rows never stored (queue full, or lost at shutdown)")),
      writes_dropped_(
          SingleCounter(r, "mcpwatch_store_writes_dropped_total",
                        "Event, state and alert writes never stored (their queue was full)")),
      write_errors_(SingleCounter(r, "mcpwatch_store_write_errors_total",
                                  "Failed history commits and writes")),
      degraded_(SingleGauge(r, "mcpwatch_store_degraded",
                            "1 while history commits fail and the writer holds work in memory")),
      queue_depth_(SingleGauge(r, "mcpwatch_store_queue_depth", "Items waiting for the writer")),
      last_commit_(SingleGauge(r, "mcpwatch_store_last_commit_seconds",
                               "Duration of the last history commit")),
      reload_ok_(SingleGauge(r, "mcpwatch_config_last_reload_successful",
                             "1 if the last config load or reload succeeded")),
      reload_time_(SingleGauge(r, "mcpwatch_config_last_reload_success_timestamp_seconds",
                               "Time of the last successful config load, unix seconds")),
      targets_(SingleGauge(r, "mcpwatch_targets", "Configured targets")),
      firing_(GaugeFamily(r, "mcpwatch_alerts_firing", "Firing alerts by rule")),
      notifications_(CounterFamily(r, "mcpwatch_alerts_notifications_total",
                                   "Notification attempts by notifier and result")),
      outbox_pending_(
          SingleGauge(r, "mcpwatch_alerts_outbox_pending", "Notifications waiting in the outbox")) {
  GaugeFamily(r, "mcpwatch_build_info", "Build of this mcpwatch, value 1")
      .Add({{"version", version}})
      .Set(1);
  lag_histogram_ = &lag_.Add(
      {}, prometheus::Histogram::BucketBoundaries{.001, .005, .01, .025, .05, .1, .25, .5, 1, 5});
  for (SkipReason reason : kAllSkipReasons) {
    skipped_[static_cast<size_t>(reason)] =
        &skipped_family_.Add({{"reason", std::string(ToString(reason))}});
  }
}

void SelfMetrics::ObserveLag(double seconds) {
  lag_histogram_->Observe(seconds);
}

void SelfMetrics::SetInflight(int64_t n) {
  inflight_.Set(static_cast<double>(n));
}

void SelfMetrics::CountSkipped(SkipReason reason) {
  skipped_[static_cast<size_t>(reason)]->Increment();
}

void SelfMetrics::UpdateStore(const storage::WriterStats& stats) {
  {
    std::lock_guard lock(store_mu_);
    Advance(rows_written_, last_written_, stats.rows_written);
    Advance(rows_dropped_, last_dropped_, stats.dropped + stats.rows_lost);
    Advance(writes_dropped_, last_writes_dropped_, stats.writes_dropped);
    Advance(write_errors_, last_errors_, stats.write_errors);
  }
  queue_depth_.Set(static_cast<double>(stats.queue_depth));
  degraded_.Set(stats.degraded ? 1 : 0);
  last_commit_.Set(std::chrono::duration<double>(stats.last_commit).count());
}

void SelfMetrics::SetConfigReload(bool ok, std::chrono::system_clock::time_point at) {
  reload_ok_.Set(ok ? 1 : 0);
  if (ok) reload_time_.Set(std::chrono::duration<double>(at.time_since_epoch()).count());
}

void SelfMetrics::SetTargets(int64_t n) {
  targets_.Set(static_cast<double>(n));
}

void SelfMetrics::SetAlertsFiring(const std::string& rule, int64_t n) {
  firing_.Add({{"rule", rule}}).Set(static_cast<double>(n));
}

void SelfMetrics::CountNotification(const std::string& notifier, bool delivered) {
  notifications_.Add({{"notifier", notifier}, {"result", delivered ? "delivered" : "failed"}})
      .Increment();
}

void SelfMetrics::SetOutboxPending(int64_t n) {
  outbox_pending_.Set(static_cast<double>(n));
}

}  // namespace mcpwatch
