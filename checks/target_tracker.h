// Everything mcpwatch learns about one target from its runs, composed from the detectors:
// classifies each run against the target's own baselines, damps it through the state machine,
// and notices deploys, deploy regressions, schema drift, crash loops and expiring certificates.
// Pure: no I/O, time comes from the runs. The daemon feeds it each finished run (and, at
// start-up, the stored history), then stores and exports what comes out. It also keeps what
// alerting reads about the target: the last run and the recent events the caller asks for.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/baseline.h"
#include "checks/cert_expiry.h"
#include "checks/classifier.h"
#include "checks/crash_loop.h"
#include "checks/deploy.h"
#include "checks/event.h"
#include "checks/rollout.h"
#include "checks/target_state.h"

namespace mcpwatch {

// Which events a tracker remembers for recent_events(): the kinds `keep` accepts, for `horizon`
// after each (at most TargetTracker::kMaxRecentEvents). The default remembers none. The caller
// says which (the alert rules know what they read; checks/ does not know the rules).
struct EventMemory {
  std::chrono::seconds horizon{0};
  bool (*keep)(EventKind) = nullptr;
};

struct TrackerPolicy {
  std::array<std::chrono::microseconds, 4> max_latency{};  // cold-start limits per BaselinePhase
  SpikeRule spike;
  BaselineOptions baseline;
  StatePolicy state;
  CrashLoopPolicy crash_loop;
  RegressionPolicy regression;
  RolloutPolicy rollout;
  std::vector<std::chrono::hours> cert_thresholds = {
      std::chrono::hours(30 * 24), std::chrono::hours(14 * 24), std::chrono::hours(7 * 24)};
  EventMemory recent_events;
};

struct TrackerOutput {
  ProbeResult result;         // classified
  std::vector<Event> events;  // in the order they happened
  bool request_confirmation = false;
  bool tools_changed = false;  // store a schema snapshot of result.transcript.tools_canonical
};

class TargetTracker {
 public:
  // Bounds recent_events() when a target emits kept events faster than the horizon drops them.
  static constexpr std::size_t kMaxRecentEvents = 64;

  TargetTracker(std::string name, TrackerPolicy policy);

  TrackerOutput Observe(std::string url, std::chrono::system_clock::time_point started,
                        Transcript t, bool in_maintenance);

  // Restoring from history, oldest first where it matters.
  void RestoreBaselineSample(std::chrono::system_clock::time_point at, const PhaseDurations& d);
  void RestoreState(TargetState state, std::chrono::system_clock::time_point since,
                    std::span<const FailureClass> recent);
  // The stored newest run (deploy detection and last_run(); its tool list, if any, is dropped).
  void RestoreLastRun(ProbeResult run);
  void RestoreTools(const std::string& tools_canonical_json);
  // One stored event, oldest first; kept as if Observe had emitted it. A deploy or
  // schema_drift event is also remembered as the cause to name on the failures that follow it
  // (within cause_horizon()), so a restart does not lose the cause (issue 11).
  void RestoreEvent(Event e);
  void SetPolicy(TrackerPolicy policy);  // config reload: detectors keep their memory

  const std::string& name() const { return name_; }
  TargetState state() const { return state_.State(); }
  std::chrono::system_clock::time_point state_since() const { return state_.Since(); }
  std::vector<FailureClass> recent_classes() const { return state_.History(); }
  PhaseBaseline baseline(BaselinePhase p) const { return baseline_.Baseline(p); }
  // How many baseline samples the tracker keeps: restoring more than this is wasted work.
  int baseline_capacity() const { return baseline_.Capacity(); }
  bool baseline_ready(BaselinePhase p) const {
    return baseline_.Ready(p, policy_.spike.min_samples);
  }
  // The newest run, classified, without transcript.tools_canonical (the tracker keeps the tool
  // list once, in tools_json_): immutable, so a snapshot shares it. nullptr: never probed.
  const std::shared_ptr<const ProbeResult>& last_run() const { return last_run_; }
  // Events of the policy's recent_events kinds within its horizon of the newest run or event,
  // oldest first.
  const std::vector<Event>& recent_events() const { return events_; }
  std::chrono::seconds recent_events_horizon() const { return policy_.recent_events.horizon; }
  // How long after a deploy or drift a failing run names it as its cause.
  std::chrono::seconds cause_horizon() const { return policy_.regression.after; }
  // A rolling deploy's drain is under way: failures are held back (issue 11).
  bool draining() const { return rollout_.draining(); }

 private:
  LatencyPolicy Latency() const;
  std::string DeployCause(const ProbeResult& r) const;
  void TrackSchema(const ProbeResult& r, TrackerOutput& out);
  void TrackDeploy(const ProbeResult& r, TrackerOutput& out);
  void RecordWindowRun(std::chrono::system_clock::time_point at,
                       std::optional<std::chrono::microseconds> total);
  void KeepLastRun(ProbeResult& r);
  bool RemembersEvent(EventKind kind) const;
  void Remember(Event e);
  void ForgetEventsBefore(std::chrono::system_clock::time_point horizon);
  void NoteChange(const Event& e);

  std::string name_;
  TrackerPolicy policy_;
  BaselineTracker baseline_;
  TargetStateMachine state_;
  DeployDetector deploy_;
  CrashLoopDetector crash_loop_;
  CertExpiryTracker cert_;
  RolloutTracker rollout_;
  std::string recovery_note_;  // "served before its migration finished: ...", until back up
  std::string tools_hash_;
  std::string tools_json_;  // canonical JSON of the last known tool list
  // Recent runs for the deploy-regression windows, oldest first, bounded; 8 bytes each, as every
  // target keeps about 90 of them (1.5 h at a 60 s interval). Times are whole Unix seconds, and
  // so is pending_deploy_, so the run that saw the deploy is in the "after" window.
  struct WindowRun {
    uint32_t at_s = 0;
    int32_t total_us = -1;  // -1: a failed run; saturates at about 35 minutes
  };
  std::vector<WindowRun> window_;
  std::optional<std::chrono::system_clock::time_point> pending_deploy_;
  // The last deploy and drift this tracker saw (since start-up), to name them as the cause of
  // the failures that follow within the regression window.
  struct LastChange {
    std::string deploy;  // "1.0.0 → 2.0.0"
    std::optional<std::chrono::system_clock::time_point> deploy_at;
    std::string drift;  // the drift's one-line summary
    std::optional<std::chrono::system_clock::time_point> drift_at;
  };
  LastChange last_change_;
  std::shared_ptr<const ProbeResult> last_run_;
  std::vector<Event> events_;  // see recent_events()
};

}  // namespace mcpwatch
