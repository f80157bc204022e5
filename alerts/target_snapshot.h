// What the alert engine knows about one target at an evaluation: a plain value the daemon
// assembles from its in-memory detectors (or from SQLite at start-up). No behaviour.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/event.h"
#include "checks/failure_class.h"
#include "checks/probe_result.h"
#include "checks/target_state.h"

namespace mcpwatch::alerts {

using TimePoint = std::chrono::system_clock::time_point;

struct TargetSnapshot {
  std::string name;                           // the configured target name
  std::map<std::string, std::string> labels;  // the target's configured labels
  TargetState state = TargetState::kUnknown;  // from the state machine
  TimePoint state_since{};
  std::optional<FailureClass> last_class;     // nullopt: never probed
  std::vector<FailureClass> recent_classes;   // newest last, at most 10
  TimePoint last_run_at{};                    // epoch: never probed
  std::chrono::milliseconds interval{60000};  // the target's probe interval
  std::optional<TimePoint> cert_not_after;    // of the last run (nullopt: no TLS)
  bool in_maintenance = false;                // a maintenance window is open now
  std::vector<Event>
      recent_events;  // at least the last hour of the kinds RulesReadEvent; any order
  std::string last_error;
  std::string last_diagnosis;
  // The last run, shared with the daemon's memory: turned into JSON only for a notice (the
  // daemon evaluates every target every second; most evaluations notify nobody).
  std::shared_ptr<const ProbeResult> last_run;  // nullptr: never probed
  // The target's newest tool-list snapshot is the accepted baseline (the operator accepted the
  // drift). Addition to the brief's struct: SchemaDrift resolves on acceptance.
  bool schema_accepted = false;
  // When the OAuth refresh token the daemon holds for this target expires, when the
  // authorization server said (issue 13: AuthRefreshExpiring); nullopt: no auth or unknown.
  std::optional<TimePoint> auth_refresh_expires_at;
};

}  // namespace mcpwatch::alerts
