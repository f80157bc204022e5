#include "alerts/alert_state.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>

#include "base/fnv1a.h"
#include "base/parse_by_name.h"
#include "checks/probe_json.h"

namespace mcpwatch::alerts {

namespace {

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string_view ToString(AlertStatus s) {
  switch (s) {
    case AlertStatus::kInactive: return "inactive";
    case AlertStatus::kPending: return "pending";
    case AlertStatus::kFiring: return "firing";
    case AlertStatus::kResolved: return "resolved";
  }
  return "inactive";
}

std::optional<AlertStatus> ParseAlertStatus(std::string_view s) {
  return ParseByName(kAllAlertStatuses, s);
}

std::string_view ToString(AlertTransitionKind k) {
  switch (k) {
    case AlertTransitionKind::kFiring: return "firing";
    case AlertTransitionKind::kResolved: return "resolved";
    case AlertTransitionKind::kRenotify: return "renotify";
  }
  return "firing";
}

std::string DedupKey(RuleId rule, std::string_view target) {
  // Stored and sent to receivers, so it must never change: FNV-1a over "<rule>\0<target>".
  uint64_t hash = Fnv1a(ToString(rule));
  hash = Fnv1a(std::string_view("\0", 1), hash);
  hash = Fnv1a(target, hash);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return "mcpw-" + std::string(hex);
}

AlertEngine::AlertEngine(const AlertingConfig& config, TimePoint daemon_started_at)
    : daemon_started_at_(daemon_started_at) {
  Reconfigure(config);
}

void AlertEngine::Reconfigure(const AlertingConfig& config) {
  rules_ = EffectiveRules(config);
  repeat_interval_ = config.repeat_interval;
  silences_ = config.silences;
}

void AlertEngine::Restore(const std::vector<AlertRow>& rows) {
  for (const AlertRow& row : rows) {
    auto rule = ParseRuleId(row.rule);
    if (!rule) continue;
    State s;
    s.since = row.since;
    if (row.state == AlertStatus::kPending) {
      s.status = AlertStatus::kPending;
    } else if (row.state == AlertStatus::kFiring) {
      s.status = AlertStatus::kFiring;
      s.fired_at = row.fired_at.value_or(row.since);
      s.last_notified_at = row.last_notified_at;
      s.notified = row.last_notified_at && *row.last_notified_at >= s.fired_at;
    } else {
      continue;
    }
    alerts_[Key{*rule, row.target}] = s;
  }
}

bool AlertEngine::Silenced(const std::string& target, RuleId rule, TimePoint now) const {
  return std::any_of(silences_.begin(), silences_.end(), [&](const SilenceConfig& s) {
    return s.target == target && now < s.until && (s.rule.empty() || s.rule == ToString(rule));
  });
}

AlertRow AlertEngine::Row(const Key& key, const State& s) const {
  AlertRow row;
  row.rule = std::string(ToString(key.first));
  row.target = key.second;
  row.state = s.status;
  row.since = s.since;
  if (s.status == AlertStatus::kFiring || s.status == AlertStatus::kResolved) {
    row.fired_at = s.fired_at;
  }
  row.last_notified_at = s.last_notified_at;
  return row;
}

void AlertEngine::Notify(const Key& key, State& s, AlertTransitionKind kind,
                         const RuleOutcome& outcome, const TargetSnapshot* target, TimePoint now,
                         Evaluation& out) {
  AlertTransition t;
  t.kind = kind;
  t.rule = key.first;
  t.target = key.second;
  t.severity = kind == AlertTransitionKind::kResolved ? s.notified_severity : outcome.severity;
  t.fired_severity = s.fired_severity;
  t.dedup_key = DedupKey(key.first, key.second);
  t.at = now;
  t.started_at = s.fired_at;
  std::string fired = std::to_string(Millis(s.fired_at));
  switch (kind) {
    case AlertTransitionKind::kFiring: t.key = "firing:" + fired; break;
    case AlertTransitionKind::kResolved:
      t.key = "resolved:" + fired;
      t.ended_at = now;
      break;
    case AlertTransitionKind::kRenotify:
      if (outcome.severity > s.notified_severity) {
        t.key = "escalate:" + fired + ":" + std::string(ToString(outcome.severity));
      } else {
        t.seq = static_cast<int>((now - s.fired_at) / repeat_interval_);
        t.key = "renotify:" + fired + ":" + std::to_string(t.seq);
      }
      break;
  }
  t.description = outcome.description;
  t.drift = outcome.drift;
  if (target != nullptr) {
    t.labels = target->labels;
    if (target->last_class) t.cls = std::string(ToString(*target->last_class));
    t.state = target->state;
    t.error = target->last_error;
    t.diagnosis = target->last_diagnosis;
    if (target->last_run) t.run = ToJson(*target->last_run);
  }
  if (kind == AlertTransitionKind::kResolved) {
    t.description = key.second + ": " + std::string(ToString(key.first)) + " resolved" +
                    (target == nullptr ? " (target removed from the config)" : "");
  }
  out.transitions.push_back(std::move(t));
}

void AlertEngine::End(const Key& key, State& s, const TargetSnapshot* target, TimePoint now,
                      Evaluation& out) {
  if (s.status == AlertStatus::kFiring) {
    if (s.notified) {
      RuleOutcome none;
      Notify(key, s, AlertTransitionKind::kResolved, none, target, now, out);
    }
    s.status = AlertStatus::kResolved;
    AlertRow row = Row(key, s);
    row.since = now;
    row.resolved_at = now;
    out.rows.push_back(std::move(row));
  } else {
    s.status = AlertStatus::kInactive;
    AlertRow row = Row(key, s);
    row.since = now;
    out.rows.push_back(std::move(row));
  }
}

void AlertEngine::Step(const RuleSpec& spec, const TargetSnapshot& target,
                       const RuleOutcome& outcome, bool suppressed, TimePoint now,
                       Evaluation& out) {
  Key key{spec.id, target.name};
  auto it = alerts_.find(key);
  if (!outcome.active) {
    if (it == alerts_.end()) return;
    End(key, it->second, &target, now, out);
    alerts_.erase(it);
    return;
  }
  bool changed = false;
  if (it == alerts_.end()) {
    State fresh;
    fresh.since = now;
    it = alerts_.emplace(key, fresh).first;
    changed = true;
  }
  State& s = it->second;
  if (s.status == AlertStatus::kPending && now - s.since >= spec.for_duration) {
    s.status = AlertStatus::kFiring;
    s.since = now;
    s.fired_at = now;
    s.severity_known = true;
    changed = true;
  }
  if (s.status == AlertStatus::kFiring && !s.severity_known) {
    // Restored: what was notified before the restart is not stored, so adopt today's
    // severity rather than escalate (the outbox's UNIQUE key also stops a repeat).
    s.notified_severity = outcome.severity;
    s.fired_severity = outcome.severity;
    s.severity_known = true;
  }
  if (s.status == AlertStatus::kFiring && !suppressed) {
    if (!s.notified) {
      s.notified_severity = outcome.severity;
      s.fired_severity = outcome.severity;
      Notify(key, s, AlertTransitionKind::kFiring, outcome, &target, now, out);
      s.notified = true;
      s.last_notified_at = now;
      changed = true;
    } else if (outcome.severity > s.notified_severity ||
               (s.last_notified_at && now - *s.last_notified_at >= repeat_interval_)) {
      Notify(key, s, AlertTransitionKind::kRenotify, outcome, &target, now, out);
      s.notified_severity = std::max(s.notified_severity, outcome.severity);
      s.last_notified_at = now;
      changed = true;
    }
  }
  if (changed) out.rows.push_back(Row(key, s));
}

Evaluation AlertEngine::Evaluate(const std::vector<TargetSnapshot>& targets, TimePoint now) {
  Evaluation out;
  RuleContext context{now, daemon_started_at_};
  std::set<std::string> seen;
  for (const TargetSnapshot& target : targets) {
    seen.insert(target.name);
    bool maintenance = target.in_maintenance;
    for (const RuleSpec& spec : rules_) {
      RuleOutcome outcome = EvaluateRule(spec, target, context);
      bool suppressed = maintenance || Silenced(target.name, spec.id, now);
      Step(spec, target, outcome, suppressed, now, out);
    }
  }
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    if (seen.count(it->first.second) != 0) {
      ++it;
      continue;
    }
    End(it->first, it->second, nullptr, now, out);
    it = alerts_.erase(it);
  }
  return out;
}

std::vector<AlertRow> AlertEngine::Active() const {
  std::vector<AlertRow> rows;
  rows.reserve(alerts_.size());
  for (const auto& [key, state] : alerts_) rows.push_back(Row(key, state));
  return rows;
}

std::map<RuleId, int> AlertEngine::FiringCounts() const {
  std::map<RuleId, int> counts;
  for (RuleId r : kAllRules) counts[r] = 0;
  for (const auto& [key, state] : alerts_) {
    if (state.status == AlertStatus::kFiring) ++counts[key.first];
  }
  return counts;
}

}  // namespace mcpwatch::alerts
