#include "checks/target_state.h"

#include <algorithm>

#include "base/parse_by_name.h"
#include "checks/event.h"

namespace mcpwatch {
namespace {

bool IsFailure(FailureClass c) {
  return !IsSuccess(c);
}
bool IsSpikeClass(FailureClass c) {
  return c == FailureClass::kLatencySpike;
}

StatePolicy Sanitized(StatePolicy p) {
  p.window = std::clamp(p.window, 1, TargetStateMachine::kMaxWindow);
  p.down_after = std::clamp(p.down_after, 1, p.window);
  p.degraded_after = std::clamp(p.degraded_after, 1, p.window);
  p.hard_down_after = std::max(p.hard_down_after, 0);
  p.up_after = std::max(p.up_after, 1);
  return p;
}

}  // namespace

std::string_view ToString(TargetState s) {
  switch (s) {
    case TargetState::kUnknown: return "unknown";
    case TargetState::kUp: return "up";
    case TargetState::kDegraded: return "degraded";
    case TargetState::kDown: return "down";
    case TargetState::kMaintenance: return "maintenance";
  }
  return "unknown";  // unreachable: every enumerator is handled above
}

std::optional<TargetState> ParseTargetState(std::string_view s) {
  return ParseByName(kAllTargetStates, s);
}

bool IsHardFailure(FailureClass c) {
  switch (c) {
    case FailureClass::kConnectionRefused:
    case FailureClass::kDnsError:
    case FailureClass::kTlsError:
    case FailureClass::kAuthFailure:
    case FailureClass::kAuthDiscoveryError:
    case FailureClass::kAuthServerUnavailable:
    case FailureClass::kAuthCredentialsRejected: return true;
    case FailureClass::kOk:
    case FailureClass::kConnectTimeout:
    case FailureClass::kTimeout:
    case FailureClass::kConnectionReset:
    case FailureClass::kUnavailable:
    case FailureClass::kRateLimited:
    case FailureClass::kHttpError:
    case FailureClass::kProtocolError:
    case FailureClass::kInitializeFailure:
    case FailureClass::kSessionError:
    case FailureClass::kToolsListFailure:
    case FailureClass::kToolMissing:
    case FailureClass::kToolError:
    case FailureClass::kLatencySpike: return false;
  }
  return false;  // unreachable: every enumerator is handled above
}

nlohmann::json ToJson(const StateTransition& t) {
  return nlohmann::json{{"from", ToString(t.from)},
                        {"to", ToString(t.to)},
                        {"at", FormatTimestamp(t.at)},
                        {"reason", t.reason}};
}

TargetStateMachine::TargetStateMachine(StatePolicy policy) : policy_(Sanitized(policy)) {}

StateUpdate TargetStateMachine::Observe(FailureClass c, bool in_maintenance,
                                        std::chrono::system_clock::time_point at) {
  StateUpdate update;
  const TargetState from = state_;
  if (in_maintenance) {
    if (from == TargetState::kMaintenance) return update;
    Reset();
    state_ = TargetState::kMaintenance;
    since_ = at;
    update.transition = StateTransition{from, state_, at, "maintenance window started"};
    return update;
  }
  if (from == TargetState::kMaintenance) {
    Reset();
    state_ = TargetState::kUnknown;
  }
  Push(c);
  std::string reason;
  const TargetState next = Judge(c, reason);
  if (next != from) {
    if (reason.empty()) reason = "maintenance window ended";
    update.transition = StateTransition{from, next, at, std::move(reason)};
    since_ = at;
  }
  state_ = next;
  update.request_confirmation = IsFailure(c) && next != TargetState::kDown;
  return update;
}

TargetState TargetStateMachine::Judge(FailureClass c, std::string& reason) const {
  const int spikes = CountInWindow(IsSpikeClass);
  const bool degraded_by_spikes = spikes >= policy_.degraded_after;
  const auto spike_reason = [&] {
    return std::to_string(spikes) + " of the last " + std::to_string(policy_.window) +
           " runs were latency_spike";
  };
  if (IsFailure(c)) {
    if (state_ == TargetState::kDown) return state_;
    if (auto down = DownReason(c)) {
      reason = std::move(*down);
      return TargetState::kDown;
    }
    return state_;
  }
  switch (state_) {
    case TargetState::kUnknown:
    case TargetState::kMaintenance:
      reason = "first successful run";
      return degraded_by_spikes ? TargetState::kDegraded : TargetState::kUp;
    case TargetState::kUp:
      if (IsSpikeClass(c) && degraded_by_spikes) {
        reason = spike_reason();
        return TargetState::kDegraded;
      }
      return state_;
    case TargetState::kDegraded:
      if (consecutive_ok_ >= policy_.up_after) {
        reason = std::to_string(consecutive_ok_) + " consecutive ok runs";
        return TargetState::kUp;
      }
      return state_;
    case TargetState::kDown:
      if (consecutive_successes_ >= policy_.up_after) {
        reason = std::to_string(consecutive_successes_) + " consecutive successful runs";
        if (degraded_by_spikes) reason += "; " + spike_reason();
        return degraded_by_spikes ? TargetState::kDegraded : TargetState::kUp;
      }
      return state_;
  }
  return state_;  // unreachable: every enumerator is handled above
}

std::optional<std::string> TargetStateMachine::DownReason(FailureClass c) const {
  if (IsHardFailure(c) && consecutive_failures_ >= 1 + policy_.hard_down_after) {
    if (consecutive_failures_ == 1) return std::string(ToString(c));
    return std::string(ToString(c)) + " confirmed by " + std::to_string(consecutive_failures_) +
           " consecutive failures";
  }
  const int failures = CountInWindow(IsFailure);
  if (failures >= policy_.down_after) {
    return std::to_string(failures) + " of the last " + std::to_string(policy_.window) +
           " runs failed (latest " + std::string(ToString(c)) + ")";
  }
  return std::nullopt;
}

void TargetStateMachine::Restore(TargetState state, std::chrono::system_clock::time_point since,
                                 std::span<const FailureClass> recent) {
  Reset();
  const size_t keep = std::min(recent.size(), static_cast<size_t>(kMaxWindow));
  for (FailureClass c : recent.subspan(recent.size() - keep)) Push(c);
  state_ = state;
  since_ = since;
}

std::vector<FailureClass> TargetStateMachine::History() const {
  std::vector<FailureClass> out;
  out.reserve(static_cast<size_t>(count_));
  const int start = (head_ - count_ + policy_.window) % policy_.window;
  for (int i = 0; i < count_; ++i) {
    out.push_back(history_[static_cast<size_t>((start + i) % policy_.window)]);
  }
  return out;
}

void TargetStateMachine::Push(FailureClass c) {
  history_[static_cast<size_t>(head_)] = c;
  head_ = (head_ + 1) % policy_.window;
  count_ = std::min(count_ + 1, policy_.window);
  if (IsFailure(c)) {
    ++consecutive_failures_;
    consecutive_successes_ = 0;
    consecutive_ok_ = 0;
  } else {
    consecutive_failures_ = 0;
    ++consecutive_successes_;
    consecutive_ok_ = c == FailureClass::kOk ? consecutive_ok_ + 1 : 0;
  }
}

void TargetStateMachine::Reset() {
  head_ = 0;
  count_ = 0;
  consecutive_failures_ = 0;
  consecutive_successes_ = 0;
  consecutive_ok_ = 0;
}

int TargetStateMachine::CountInWindow(bool (*pred)(FailureClass)) const {
  // Order does not matter here: the first count_ slots are exactly the kept runs.
  int n = 0;
  for (int i = 0; i < count_; ++i) n += pred(history_[static_cast<size_t>(i)]) ? 1 : 0;
  return n;
}

}  // namespace mcpwatch
