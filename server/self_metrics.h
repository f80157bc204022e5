// The prober's own health (DESIGN §8, a contract): mcpwatch_* metrics for scheduling, storage,
// config reloads and alert delivery.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "checks/skip_reason.h"
#include "storage/writer.h"

namespace mcpwatch {

class SelfMetrics {
 public:
  // Registers every family; mcpwatch_build_info{version} is set to 1 at once.
  SelfMetrics(prometheus::Registry& registry, const std::string& version);
  SelfMetrics(const SelfMetrics&) = delete;
  SelfMetrics& operator=(const SelfMetrics&) = delete;

  void ObserveLag(double seconds);  // actual minus planned start of a run
  void SetInflight(int64_t n);
  void CountSkipped(SkipReason reason);
  // From a writer snapshot: the counters advance by the difference to the previous snapshot
  // (a writer whose totals went down was restarted: its new totals are all new).
  void UpdateStore(const storage::WriterStats& stats);
  void SetConfigReload(bool ok, std::chrono::system_clock::time_point at);
  void SetTargets(int64_t n);
  // `rule` and `notifier` are configured names (bounded sets), never free text.
  void SetAlertsFiring(const std::string& rule, int64_t n);
  void CountNotification(const std::string& notifier, bool delivered);
  void SetOutboxPending(int64_t n);

 private:
  prometheus::Family<prometheus::Histogram>& lag_;
  prometheus::Gauge& inflight_;
  prometheus::Family<prometheus::Counter>& skipped_family_;
  std::array<prometheus::Counter*, kAllSkipReasons.size()> skipped_{};
  prometheus::Counter& rows_written_;
  prometheus::Counter& rows_dropped_;
  prometheus::Counter& writes_dropped_;
  prometheus::Counter& write_errors_;
  prometheus::Gauge& degraded_;
  prometheus::Gauge& queue_depth_;
  prometheus::Gauge& last_commit_;
  prometheus::Gauge& reload_ok_;
  prometheus::Gauge& reload_time_;
  prometheus::Gauge& targets_;
  prometheus::Family<prometheus::Gauge>& firing_;
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Gauge& outbox_pending_;
  prometheus::Histogram* lag_histogram_ = nullptr;

  std::mutex store_mu_;  // guards the previous snapshot's totals
  uint64_t last_written_ = 0;
  uint64_t last_dropped_ = 0;
  uint64_t last_writes_dropped_ = 0;
  uint64_t last_errors_ = 0;
};

}  // namespace mcpwatch
