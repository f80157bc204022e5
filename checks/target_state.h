// The per-target state machine (DESIGN §6, after Envoy's health checker): N-of-M failure and
// recovery thresholds, an immediate-ish verdict for definitive (hard) failures, a degraded state
// for runs that pass but are slow, maintenance overriding everything, and a request for a fast
// confirmation re-probe so a suspected change is settled in seconds instead of intervals.
//
// Time: system_clock (transition timestamps are stored and shown). No clock is read here: the
// caller passes each run's time. Not thread-safe: one machine per target. Size: ~200 bytes.
#pragma once

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/failure_class.h"

namespace mcpwatch {

enum class TargetState { kUnknown, kUp, kDegraded, kDown, kMaintenance };

inline constexpr std::array kAllTargetStates = {TargetState::kUnknown, TargetState::kUp,
                                                TargetState::kDegraded, TargetState::kDown,
                                                TargetState::kMaintenance};

// "unknown", "up", "degraded", "down", "maintenance".
std::string_view ToString(TargetState s);
std::optional<TargetState> ParseTargetState(std::string_view s);

// Definitive failures (connection_refused, dns_error, tls_error, auth_failure and the auth
// health classes): retrying soon will not change the answer, so they need only a confirmation
// re-probe, not N of M runs.
bool IsHardFailure(FailureClass c);

struct StatePolicy {
  int window = 3;           // runs considered for the N-of-M rules (1..16)
  int down_after = 2;       // failures (any class) among the last `window` runs -> down
  int hard_down_after = 1;  // hard failures that must follow a first failure -> down (0: at once)
  int up_after = 2;         // consecutive successes to leave down (kOk runs to leave degraded)
  int degraded_after = 2;   // latency_spike runs among the last `window` -> degraded
  std::chrono::milliseconds confirm_after{5000};  // for the scheduler: re-probe delay
};

struct StateTransition {
  TargetState from = TargetState::kUnknown;
  TargetState to = TargetState::kUnknown;
  std::chrono::system_clock::time_point at{};
  std::string reason;  // one line, e.g. "connection_refused confirmed by 2 consecutive failures"
};

nlohmann::json ToJson(const StateTransition& t);  // {"from","to","at","reason"}

struct StateUpdate {
  std::optional<StateTransition> transition;
  // A failure left a change towards down pending: re-probe after policy.confirm_after instead
  // of waiting a whole interval.
  bool request_confirmation = false;
};

class TargetStateMachine {
 public:
  static constexpr int kMaxWindow = 16;

  explicit TargetStateMachine(StatePolicy policy = {});

  // Feeds one run's class. While in_maintenance the run is not counted and the state is
  // kMaintenance; the first run after maintenance is judged as if from kUnknown.
  StateUpdate Observe(FailureClass c, bool in_maintenance,
                      std::chrono::system_clock::time_point at);

  // Resumes from stored state: the current state, since when, and the classes of the most
  // recent runs (oldest first; only the last kMaxWindow are kept) to rebuild the counters.
  void Restore(TargetState state, std::chrono::system_clock::time_point since,
               std::span<const FailureClass> recent = {});

  TargetState State() const { return state_; }
  std::chrono::system_clock::time_point Since() const { return since_; }
  std::vector<FailureClass> History() const;  // oldest first, at most policy.window entries
  const StatePolicy& Policy() const { return policy_; }

 private:
  void Push(FailureClass c);
  void Reset();
  int CountInWindow(bool (*pred)(FailureClass)) const;
  std::optional<std::string> DownReason(FailureClass c) const;
  TargetState Judge(FailureClass c, std::string& reason) const;

  StatePolicy policy_;
  TargetState state_ = TargetState::kUnknown;
  std::chrono::system_clock::time_point since_{};
  std::array<FailureClass, kMaxWindow> history_{};  // ring of the last `count_` classes
  int head_ = 0;                                    // next slot to write
  int count_ = 0;
  int consecutive_failures_ = 0;
  int consecutive_successes_ = 0;  // kOk or latency_spike
  int consecutive_ok_ = 0;         // kOk only
};

}  // namespace mcpwatch
