#include "checks/rollout.h"

#include "base/timestamp.h"

namespace mcpwatch {

namespace {

constexpr std::size_t kMaxHeld = 64;  // a grace of minutes at a fast interval; more is dropped

bool IsToolFailure(FailureClass c) {
  return c == FailureClass::kToolError || c == FailureClass::kToolMissing;
}

long long Ms(std::chrono::system_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

bool DrainSignal(const Transcript& t) {
  for (const StepRecord& s : t.steps) {
    if (s.http_status == 503 && !s.retry_after.empty()) return true;
  }
  return t.health && t.health->http_status == 503;
}

RolloutUpdate RolloutTracker::Observe(const ProbeResult& r, bool deployed,
                                      const std::string& deploy_text) {
  RolloutUpdate out;
  const auto at = r.started_at;
  const bool success = r.Success();

  if (policy_.grace.count() > 0) {
    if (!drain_started_ && DrainSignal(r.transcript)) drain_started_ = at;
    if (drain_started_) {
      if (deployed) {
        // Back with a new version (it answered initialize and tools/list): one deploy, its
        // downtime from the first failure on; this run counts as usual, broken or not.
        const auto down_from = first_failure_.value_or(at);
        out.completed = nlohmann::json{{"rolling", true},
                                       {"drained_at", FormatTimestamp(*drain_started_)},
                                       {"downtime_ms", Ms(at - down_from)},
                                       {"held_runs", held_.size()}};
        drain_started_.reset();
        first_failure_.reset();
        held_.clear();
      } else if (at - *drain_started_ <= policy_.grace) {
        if (!success) {
          if (!first_failure_) first_failure_ = at;
          if (held_.size() < kMaxHeld) held_.push_back({r.verdict.cls, at});
          out.hold = true;
          out.note = "draining for a rolling deploy since " + FormatTimestamp(*drain_started_) +
                     " (grace " + std::to_string(policy_.grace.count()) + " s)";
        } else if (!DrainSignal(r.transcript) && first_failure_) {
          // Back with the same version: a restart, not an outage; nothing to page.
          drain_started_.reset();
          first_failure_.reset();
          held_.clear();
        }
      } else {
        // The grace is over and no new version answered: page as without a rollout.
        out.release = std::move(held_);
        held_.clear();
        drain_started_.reset();
        first_failure_.reset();
      }
    }
  }

  // Tool errors that follow a deploy and clear by themselves within the migration window.
  if (deployed) {
    deploy_at_ = at;
    deploy_text_ = deploy_text;
    tool_errors_since_.reset();
  }
  if (deploy_at_ && at - *deploy_at_ > policy_.migration_window) {
    deploy_at_.reset();
    tool_errors_since_.reset();
  }
  if (deploy_at_) {
    if (IsToolFailure(r.verdict.cls)) {
      if (!tool_errors_since_) tool_errors_since_ = at;
    } else if (success && tool_errors_since_) {
      out.note = "served before its migration finished: tool calls failed from " +
                 FormatTimestamp(*tool_errors_since_) + " to " + FormatTimestamp(at) +
                 " after deploy " + deploy_text_ + " at " + FormatTimestamp(*deploy_at_) +
                 ", then recovered on their own";
      deploy_at_.reset();
      tool_errors_since_.reset();
    }
  }
  return out;
}

}  // namespace mcpwatch
