#include "checks/target_tracker.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "base/digest.h"
#include "base/timestamp.h"
#include "checks/health_check.h"
#include "checks/schema_drift.h"
#include "checks/tool_list.h"

namespace mcpwatch {
namespace {

constexpr std::size_t kMaxSamples = 512;

Event MakeEvent(const std::string& target, EventKind kind, std::chrono::system_clock::time_point at,
                nlohmann::json details) {
  Event e;
  e.target = target;
  e.kind = kind;
  e.at = at;
  e.details = std::move(details);
  return e;
}

nlohmann::json ParseOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

}  // namespace

TargetTracker::TargetTracker(std::string name, TrackerPolicy policy)
    : name_(std::move(name)),
      policy_(policy),
      baseline_(policy.baseline),
      state_(policy.state),
      crash_loop_(policy.crash_loop),
      cert_(policy.cert_thresholds),
      rollout_(policy.rollout) {}

void TargetTracker::SetPolicy(TrackerPolicy policy) {
  rollout_.SetPolicy(policy.rollout);
  policy_ = std::move(policy);
}

// "tool calls failing since deploy 1.0.0 → 2.0.0 at 2026-12-03T12:03:00.000Z, which changed
// the tools: tool add removed; ...": the failure named with the change that came just before it,
// for the run's diagnosis, the state change's reason and so every alert and status line.
std::string TargetTracker::DeployCause(const ProbeResult& r) const {
  const auto recent = [&](std::optional<std::chrono::system_clock::time_point> at) {
    return at && r.started_at >= *at && r.started_at - *at <= policy_.regression.after;
  };
  const bool deploy = recent(last_change_.deploy_at);
  const bool drift = recent(last_change_.drift_at);
  if (!deploy && !drift) return "";
  const FailureClass cls = r.verdict.cls;
  std::string out = cls == FailureClass::kToolError || cls == FailureClass::kToolMissing
                        ? "tool calls"
                    : cls == FailureClass::kToolsListFailure  ? "tools/list"
                    : cls == FailureClass::kInitializeFailure ? "initialize"
                                                              : "runs";
  out += " failing since ";
  if (deploy) {
    out += "deploy " + last_change_.deploy + " at " + FormatTimestamp(*last_change_.deploy_at);
    if (drift) out += ", which changed the tools: " + last_change_.drift;
  } else {
    out += "the tools changed at " + FormatTimestamp(*last_change_.drift_at) + ": " +
           last_change_.drift;
  }
  return out;
}

LatencyPolicy TargetTracker::Latency() const {
  LatencyPolicy p;
  p.max_latency = policy_.max_latency;
  p.rule = policy_.spike;
  for (BaselinePhase phase : kAllBaselinePhases) {
    PhaseBaseline b = baseline_.Baseline(phase);
    if (b.samples > 0) p.baselines[static_cast<std::size_t>(phase)] = b;
  }
  return p;
}

TrackerOutput TargetTracker::Observe(std::string url, std::chrono::system_clock::time_point started,
                                     Transcript t, bool in_maintenance) {
  TrackerOutput out;
  ProbeResult& r = out.result;
  r.target = name_;
  r.url = std::move(url);
  r.started_at = started;
  r.transcript = std::move(t);
  r.verdict = Classify(r.transcript, Latency());
  baseline_.Add(r);

  // The surface first: a deploy or drift seen by this very run is the cause of its failure.
  if (r.SurfaceKnown()) {
    TrackSchema(r, out);
    TrackDeploy(r, out);
  }
  const std::string cause = r.Success() ? std::string() : DeployCause(r);
  if (!cause.empty() && r.verdict.diagnosis.empty()) r.verdict.diagnosis = cause;
  // What the server's own health endpoint said, when it disagrees (issue 11, item 5).
  const std::string health =
      r.transcript.health ? HealthDiagnosis(*r.transcript.health, r.verdict.cls) : "";
  AddHealthDiagnosis(r.verdict, r.transcript);

  // A rolling deploy (issue 11, item 6): failures while the server drains and comes back with a
  // new version within the grace are held from the state machine; the deploy gets the downtime.
  Event* deploy_event = nullptr;
  for (Event& e : out.events) {
    if (e.kind == EventKind::kDeploy) deploy_event = &e;
  }
  RolloutUpdate rollout = rollout_.Observe(r, deploy_event != nullptr, last_change_.deploy);
  if (rollout.completed && deploy_event != nullptr)
    deploy_event->details.update(*rollout.completed);
  if (!rollout.note.empty()) {
    if (!r.verdict.diagnosis.empty()) r.verdict.diagnosis += "; ";
    r.verdict.diagnosis += rollout.note;
  }
  for (const HeldRun& held : rollout.release) {
    StateUpdate late = state_.Observe(held.cls, false, held.at);
    if (late.transition) {
      late.transition->reason += "; no new version answered within the rolling-deploy grace";
      out.events.push_back(
          MakeEvent(name_, EventKind::kStateChange, started, ToJson(*late.transition)));
    }
  }
  StateUpdate update =
      rollout.hold ? StateUpdate{} : state_.Observe(r.verdict.cls, in_maintenance, started);
  // The migration note waits for the recovery's state change (up after up_after successes).
  if (r.Success() && !rollout.note.empty()) recovery_note_ = rollout.note;
  if (!r.Success() || (state_.State() == TargetState::kUp && !update.transition)) {
    recovery_note_.clear();
  }
  if (update.transition) {
    if (update.transition->to != TargetState::kUp) {
      for (const std::string* line : {&cause, &health}) {
        if (!line->empty()) update.transition->reason += "; " + *line;
      }
    } else if (!recovery_note_.empty()) {
      update.transition->reason += "; " + recovery_note_;
      recovery_note_.clear();
    }
    out.events.push_back(
        MakeEvent(name_, EventKind::kStateChange, started, ToJson(*update.transition)));
  }
  out.request_confirmation = update.request_confirmation;

  if (auto loop = rollout.hold ? std::nullopt : crash_loop_.Observe(r.verdict.cls, started)) {
    out.events.push_back(
        MakeEvent(name_, EventKind::kCrashLoop, started, ToJson(*loop, policy_.crash_loop)));
  }
  if (auto cert = cert_.Observe(r.transcript.cert_not_after, started)) {
    out.events.push_back(MakeEvent(name_, EventKind::kCertExpiring, started, ToJson(*cert)));
  }
  RecordWindowRun(started, r.Success() ? std::optional(r.transcript.timings.total) : std::nullopt);
  if (pending_deploy_) {
    std::vector<RunSample> runs;
    runs.reserve(window_.size());
    for (const WindowRun& w : window_) {
      runs.push_back({.at = std::chrono::system_clock::time_point(std::chrono::seconds(w.at_s)),
                      .success = w.total_us >= 0,
                      .total = std::chrono::microseconds(std::max(w.total_us, 0))});
    }
    DeployRegression verdict = AssessDeployRegression(*pending_deploy_, runs, policy_.regression);
    bool window_over = started >= *pending_deploy_ + policy_.regression.after;
    if (verdict.decided && verdict.regressed) {
      out.events.push_back(
          MakeEvent(name_, EventKind::kDeployRegression, started, ToJson(verdict)));
      pending_deploy_.reset();
    } else if (window_over) {
      pending_deploy_.reset();
    }
  }
  for (const Event& e : out.events) {
    if (RemembersEvent(e.kind)) Remember(e);
  }
  ForgetEventsBefore(started - policy_.recent_events.horizon);
  KeepLastRun(r);
  return out;
}

void TargetTracker::KeepLastRun(ProbeResult& r) {
  // Copied without the tool list (kilobytes per target, kept once in tools_json_): alerting
  // turns the last run into JSON, which has the tool count and hash but not the list.
  std::string tools = std::move(r.transcript.tools_canonical);
  r.transcript.tools_canonical.clear();
  last_run_ = std::make_shared<const ProbeResult>(r);
  r.transcript.tools_canonical = std::move(tools);
}

bool TargetTracker::RemembersEvent(EventKind kind) const {
  return policy_.recent_events.keep != nullptr && policy_.recent_events.keep(kind);
}

void TargetTracker::Remember(Event e) {
  events_.push_back(std::move(e));
  if (events_.size() > kMaxRecentEvents) events_.erase(events_.begin());
}

void TargetTracker::ForgetEventsBefore(std::chrono::system_clock::time_point horizon) {
  events_.erase(events_.begin(), std::find_if(events_.begin(), events_.end(),
                                              [&](const Event& e) { return e.at >= horizon; }));
}

void TargetTracker::TrackSchema(const ProbeResult& r, TrackerOutput& out) {
  const Transcript& t = r.transcript;
  if (t.tools_hash.empty() || t.tools_hash == tools_hash_) return;
  out.tools_changed = true;
  if (!tools_json_.empty()) {
    nlohmann::json before = ParseOrNull(tools_json_);
    nlohmann::json after = ParseOrNull(t.tools_canonical);
    if (before.is_array() && after.is_array()) {
      DriftReport report = DiffToolLists(before, after);
      nlohmann::json details = {{"grade", ToString(report.grade)},
                                {"summary", Summary(report)},
                                {"old_hash", tools_hash_},
                                {"new_hash", t.tools_hash},
                                {"diff", ToJson(report)}};
      out.events.push_back(MakeEvent(name_, EventKind::kSchemaDrift, r.started_at, details));
      NoteChange(out.events.back());
    }
  }
  tools_hash_ = t.tools_hash;
  tools_json_ = t.tools_canonical;
}

void TargetTracker::RecordWindowRun(std::chrono::system_clock::time_point at,
                                    std::optional<std::chrono::microseconds> total) {
  const auto seconds = [](std::chrono::system_clock::time_point t) {
    return static_cast<uint32_t>(
        std::clamp<int64_t>(std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count(),
                            0, std::numeric_limits<uint32_t>::max()));
  };
  int32_t total_us = -1;
  if (total) {
    total_us = static_cast<int32_t>(
        std::clamp<int64_t>(total->count(), 0, std::numeric_limits<int32_t>::max()));
  }
  window_.push_back({seconds(at), total_us});
  const uint32_t horizon = seconds(at - policy_.regression.before - policy_.regression.after);
  auto keep = std::find_if(window_.begin(), window_.end(),
                           [&](const WindowRun& w) { return w.at_s >= horizon; });
  if (window_.end() - keep > static_cast<std::ptrdiff_t>(kMaxSamples)) {
    keep = window_.end() - static_cast<std::ptrdiff_t>(kMaxSamples);
  }
  window_.erase(window_.begin(), keep);
}

void TargetTracker::TrackDeploy(const ProbeResult& r, TrackerOutput& out) {
  if (auto deploy = deploy_.Observe(r)) {
    out.events.push_back(MakeEvent(name_, EventKind::kDeploy, deploy->at, ToJson(*deploy)));
    NoteChange(out.events.back());
    pending_deploy_ = std::chrono::floor<std::chrono::seconds>(deploy->at);
  }
}

void TargetTracker::RestoreBaselineSample(std::chrono::system_clock::time_point at,
                                          const PhaseDurations& d) {
  baseline_.AddDurations(at, d);
}

void TargetTracker::RestoreState(TargetState state, std::chrono::system_clock::time_point since,
                                 std::span<const FailureClass> recent) {
  state_.Restore(state, since, recent);
}

void TargetTracker::RestoreLastRun(ProbeResult run) {
  const Transcript& t = run.transcript;
  if (run.SurfaceKnown() && (!t.server.version.empty() || !t.tools_hash.empty())) {
    deploy_.Restore(t.server.version, t.tools_hash);
  }
  KeepLastRun(run);
}

void TargetTracker::RestoreTools(const std::string& tools_canonical_json) {
  tools_json_ = tools_canonical_json;
  tools_hash_ = tools_json_.empty() ? "" : Sha256Hex(tools_json_);
}

// The deploy or drift a later failure names as its cause (DeployCause), from the event's
// details, so a stored event restores exactly what Observe noted.
void TargetTracker::NoteChange(const Event& e) {
  const auto text = [&](const char* key) {
    auto it = e.details.find(key);
    return it != e.details.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!e.details.is_object()) return;
  if (e.kind == EventKind::kDeploy) {
    last_change_.deploy = text("old_version") + " → " + text("new_version");
    last_change_.deploy_at = e.at;
  } else if (e.kind == EventKind::kSchemaDrift) {
    last_change_.drift = text("summary");
    last_change_.drift_at = e.at;
  }
}

void TargetTracker::RestoreEvent(Event e) {
  NoteChange(e);
  if (!RemembersEvent(e.kind)) return;
  auto horizon = e.at - policy_.recent_events.horizon;
  Remember(std::move(e));
  ForgetEventsBefore(horizon);
}

}  // namespace mcpwatch
