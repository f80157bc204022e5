// The alert engine: one alert per (rule, target) moving inactive -> pending -> firing ->
// resolved, with `for` durations, re-notification every repeat_interval while firing, and
// silences and maintenance that hold back notifications while the state keeps tracking.
// Prometheus semantics where they apply: an alert that fires during a silence is notified when
// the silence ends if it still fires; a resolve is sent only for a notified firing, even during
// a silence (so an open incident is always closed).
//
// Pure: no clock is read (time is an argument), no I/O. Not thread-safe: the daemon owns one
// engine and calls it from one thread.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/rules.h"
#include "alerts/target_snapshot.h"
#include "config/alerting_config.h"

namespace mcpwatch::alerts {

// The `alerts` table's state column. kResolved and kInactive end an alert: a resolved one had
// fired, an inactive one was pending and cleared before its `for` passed.
enum class AlertStatus { kInactive, kPending, kFiring, kResolved };
inline constexpr std::array kAllAlertStatuses = {AlertStatus::kInactive, AlertStatus::kPending,
                                                 AlertStatus::kFiring, AlertStatus::kResolved};
std::string_view ToString(AlertStatus s);  // "inactive" | "pending" | "firing" | "resolved"
std::optional<AlertStatus> ParseAlertStatus(std::string_view s);

// One row of the `alerts` table (PRIMARY KEY rule, target).
struct AlertRow {
  std::string rule;
  std::string target;
  AlertStatus state = AlertStatus::kInactive;
  TimePoint since{};  // when it entered `state`
  std::optional<TimePoint> fired_at;
  std::optional<TimePoint> resolved_at;
  std::optional<TimePoint> last_notified_at;  // last firing/re-notify notice enqueued

  bool operator==(const AlertRow&) const = default;
};

enum class AlertTransitionKind { kFiring, kResolved, kRenotify };
std::string_view ToString(AlertTransitionKind k);  // "firing" | "resolved" | "renotify"

// A notification-worthy change of one alert, with what a notice needs to say about it.
struct AlertTransition {
  AlertTransitionKind kind = AlertTransitionKind::kFiring;
  RuleId rule = RuleId::kTargetDown;
  std::string target;
  Severity severity = Severity::kCritical;        // now
  Severity fired_severity = Severity::kCritical;  // when first notified (routing of resolves)
  std::string dedup_key;                          // DedupKey(rule, target)
  // Unique per notice of this alert: "firing:<fired ms>", "resolved:<fired ms>",
  // "renotify:<fired ms>:<seq>" or "escalate:<fired ms>:<severity>".
  std::string key;
  int seq = 0;  // re-notify: whole repeat_intervals since fired_at
  TimePoint at{};
  TimePoint started_at{};                     // fired_at
  std::optional<TimePoint> ended_at;          // resolved only
  std::map<std::string, std::string> labels;  // the target's labels
  std::string cls;                            // the last run's class ("" before any run)
  std::string description;
  TargetState state = TargetState::kUnknown;
  std::string error;
  std::string diagnosis;
  nlohmann::json run;    // the last run (ToJson of a ProbeResult) or null
  nlohmann::json drift;  // SchemaDrift: the drift report, else null
};

// What one evaluation changed: notices to enqueue and alert rows to upsert, to be written
// together (see alerts/outbox.h).
struct Evaluation {
  std::vector<AlertTransition> transitions;
  std::vector<AlertRow> rows;
};

// A stable identifier of (rule, target) across restarts and hosts: "mcpw-" + 16 hex digits.
std::string DedupKey(RuleId rule, std::string_view target);

class AlertEngine {
 public:
  // `daemon_started_at`: ProberStale ignores time before it (the daemon was not running).
  AlertEngine(const AlertingConfig& config, TimePoint daemon_started_at);

  // Applies a reloaded config; alert state is kept. Rules now disabled resolve on the next
  // Evaluate.
  void Reconfigure(const AlertingConfig& config);

  // Resumes from the `alerts` table (call before the first Evaluate). Pending and firing rows
  // continue, so a restart neither re-fires a notified alert nor forgets a pending one; rows
  // with unknown rules or other states are ignored.
  void Restore(const std::vector<AlertRow>& rows);

  // Evaluates every rule for every target. `targets` must hold every configured target:
  // alerts of a target missing from it resolve.
  Evaluation Evaluate(const std::vector<TargetSnapshot>& targets, TimePoint now);

  // The alerts now pending or firing, ordered by (rule, target).
  std::vector<AlertRow> Active() const;
  // Firing alerts per rule (every rule present, zeros included), for mcpwatch_alerts_firing.
  std::map<RuleId, int> FiringCounts() const;

 private:
  struct State {
    AlertStatus status = AlertStatus::kPending;
    TimePoint since{};
    TimePoint fired_at{};
    std::optional<TimePoint> last_notified_at;
    bool notified = false;        // a firing notice went out for this firing
    bool severity_known = false;  // false after Restore until the next evaluation
    Severity notified_severity = Severity::kCritical;
    Severity fired_severity = Severity::kCritical;
  };
  using Key = std::pair<RuleId, std::string>;

  bool Silenced(const std::string& target, RuleId rule, TimePoint now) const;
  void Step(const RuleSpec& spec, const TargetSnapshot& target, const RuleOutcome& outcome,
            bool suppressed, TimePoint now, Evaluation& out);
  void Notify(const Key& key, State& s, AlertTransitionKind kind, const RuleOutcome& outcome,
              const TargetSnapshot* target, TimePoint now, Evaluation& out);
  void End(const Key& key, State& s, const TargetSnapshot* target, TimePoint now, Evaluation& out);
  AlertRow Row(const Key& key, const State& s) const;

  std::vector<RuleSpec> rules_;
  std::chrono::milliseconds repeat_interval_;
  std::vector<SilenceConfig> silences_;
  TimePoint daemon_started_at_;
  std::map<Key, State> alerts_;  // pending and firing only
};

}  // namespace mcpwatch::alerts
