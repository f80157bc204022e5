#include "alerts/build_snapshot.h"

#include <algorithm>

#include "alerts/rules.h"

namespace mcpwatch::alerts {

EventMemory RulesEventMemory() {
  EventMemory memory;
  memory.horizon = std::chrono::duration_cast<std::chrono::seconds>(
      std::max<std::chrono::minutes>(kDriftWindow, kEventWindow));
  memory.keep = &RulesReadEvent;
  return memory;
}

TargetSnapshot BuildSnapshot(const TargetTracker& tracker, const TargetConfig& target,
                             bool in_maintenance, bool schema_accepted) {
  TargetSnapshot s;
  s.name = target.name;
  s.labels = target.labels;
  s.state = tracker.state();
  s.state_since = tracker.state_since();
  s.recent_classes = tracker.recent_classes();
  s.interval = target.interval;
  s.in_maintenance = in_maintenance;
  s.recent_events = tracker.recent_events();
  s.schema_accepted = schema_accepted;
  if (const auto& run = tracker.last_run()) {
    s.last_class = run->verdict.cls;
    s.last_run_at = run->started_at;
    s.cert_not_after = run->transcript.cert_not_after;
    s.last_error = run->verdict.error;
    s.last_diagnosis = run->verdict.diagnosis;
    s.last_run = run;
  }
  return s;
}

}  // namespace mcpwatch::alerts
