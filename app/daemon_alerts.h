// The daemon's side of alerting: remembers what each target's alert rules need (last run,
// recent events), evaluates the rules once a second on the probe loop, hands transitions to
// the SQLite outbox through the history writer, and runs the notifier thread that delivers
// them. Thread: loop thread, except Stop().
#pragma once

#include <vector>
#include <map>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "alerts/alert_state.h"
#include "alerts/dispatcher.h"
#include "alerts/target_snapshot.h"
#include "checks/event.h"
#include "checks/probe_result.h"
#include "config/config.h"
#include "storage/reader.h"
#include "storage/writer.h"

namespace mcpwatch {

class SelfMetrics;

class DaemonAlerts {
 public:
  static tl::expected<std::unique_ptr<DaemonAlerts>, std::string> Start(
      const Config& config, storage::HistoryWriter& writer, storage::HistoryReader& reader,
      int http_port);
  ~DaemonAlerts();

  void OnRun(const ProbeResult& result, const std::vector<Event>& events);
  // `targets`: every configured target with state, labels, interval and maintenance filled in;
  // the rest (last run, events) is added here.
  void Evaluate(std::vector<alerts::TargetSnapshot> targets, std::chrono::system_clock::time_point now,
                SelfMetrics& metrics);
  void Reconfigure(const Config& config);
  void Stop();

 private:
  struct Memory {
    std::shared_ptr<const ProbeResult> last_run;
    std::vector<Event> events;  // the last hour, oldest first, only kinds the rules read
    bool schema_accepted = true;
  };
  DaemonAlerts(const Config& config, storage::HistoryWriter& writer, storage::HistoryReader& reader);

  AlertingConfig config_;
  storage::HistoryWriter& writer_;
  storage::HistoryReader& reader_;
  alerts::AlertEngine engine_;
  std::unique_ptr<alerts::Dispatcher> dispatcher_;
  std::map<std::string, Memory> memory_;
  std::chrono::steady_clock::time_point next_accept_check_{};
  std::map<std::string, alerts::NotifierCounts> exported_;  // notifier counts already in metrics
};

}  // namespace mcpwatch
