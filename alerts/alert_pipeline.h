// The daemon's alerting: evaluates the rules over every target's snapshot (once a second, on the
// probe loop), hands the transitions to the SQLite outbox through the history writer, and runs
// the notifier thread that delivers them. Of the targets it remembers only which have a schema
// drift the operator has not accepted yet; the rest of a snapshot comes from the trackers
// (BuildSnapshot). Exporting metrics is the caller's: Evaluate returns what to export.
//
// Thread: one caller thread (the probe loop) for everything except Stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "alerts/alert_state.h"
#include "alerts/dispatcher.h"
#include "alerts/target_snapshot.h"
#include "checks/event.h"
#include "config/config.h"
#include "storage/reader.h"
#include "storage/writer.h"

namespace mcpwatch::alerts {

// What an evaluation leaves for the daemon's self-metrics.
struct AlertingMetrics {
  std::map<RuleId, int> firing;  // firing alerts per rule, every rule present
  int64_t outbox_pending = 0;    // undelivered outbox rows at the notifier's last poll
  // Per configured notifier, the deliveries and failed attempts since the previous evaluation.
  std::map<std::string, NotifierCounts> notified;
};

class AlertPipeline {
 public:
  // Resumes the alert state from the `alerts` table and starts the notifier thread. `writer` and
  // `reader` must outlive the pipeline; `http_port` is the daemon's (Alertmanager links to it).
  static tl::expected<std::unique_ptr<AlertPipeline>, std::string> Start(
      const Config& config, storage::HistoryWriter& writer, storage::HistoryReader& reader,
      int http_port);
  ~AlertPipeline();  // Stop()
  AlertPipeline(const AlertPipeline&) = delete;
  AlertPipeline& operator=(const AlertPipeline&) = delete;

  // A finished run's events: a schema drift leaves its target's schema unaccepted until the
  // operator accepts the new tool list.
  void OnEvents(const std::vector<Event>& events);
  // For BuildSnapshot. An unaccepted target's newest stored snapshot is read at most every 10 s
  // (the first time 10 s after the drift, when the writer has stored its snapshot).
  bool SchemaAccepted(const std::string& target);
  // `targets`: every configured target, each from BuildSnapshot.
  AlertingMetrics Evaluate(const std::vector<TargetSnapshot>& targets, TimePoint now);
  void Reconfigure(const Config& config);
  void Stop();  // finishes the delivery in progress and joins the notifier; idempotent

 private:
  AlertPipeline(const Config& config, storage::HistoryWriter& writer,
                storage::HistoryReader& reader);

  AlertingConfig config_;
  storage::HistoryWriter& writer_;
  storage::HistoryReader& reader_;
  AlertEngine engine_;
  std::unique_ptr<Dispatcher> dispatcher_;
  // Targets whose newest drift is not accepted -> when to read their snapshot next.
  std::map<std::string, std::chrono::steady_clock::time_point> unaccepted_;
  std::map<std::string, NotifierCounts> exported_;  // notifier counts already returned
};

}  // namespace mcpwatch::alerts
