// Rolling deploys (issue 11, item 6): a server that drains (a 503 with Retry-After, or its
// health endpoint answering 503) and comes back with a new version within the grace is one
// deploy with its measured downtime, not an outage; the failures in between are held back from
// the state machine and dropped once the new version answers. If it does not come back in time
// the held failures are released and page as they would have. Separately, tool errors that
// start right after a deploy and clear on their own within the migration window are named:
// "served before its migration finished".
//
// Pure: fed each classified run. Time: system_clock (run start times), passed in. Not
// thread-safe: one per target.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checks/failure_class.h"
#include "checks/probe_result.h"

namespace mcpwatch {

struct RolloutPolicy {
  std::chrono::seconds grace{0};               // 0: rolling deploys are not recognised
  std::chrono::seconds migration_window{300};  // tool errors after a deploy that clear within
};

// The run says the server is draining: a 503 with Retry-After at any step, or the health
// endpoint answering 503.
bool DrainSignal(const Transcript& t);

struct HeldRun {
  FailureClass cls = FailureClass::kOk;
  std::chrono::system_clock::time_point at{};
};

struct RolloutUpdate {
  // Keep this run's class from the state machine: it is part of a rollout within its grace.
  bool hold = false;
  // The grace ran out with the server still failing: feed these to the state machine now,
  // oldest first, then this run as usual.
  std::vector<HeldRun> release;
  // The server came back with a new version: the deploy's details to add (rolling, drained_at,
  // downtime_ms).
  std::optional<nlohmann::json> completed;
  // One line for the run's diagnosis ("draining for a rolling deploy since ...", "served
  // before its migration finished: ..."), "" when there is nothing to say.
  std::string note;
};

class RolloutTracker {
 public:
  explicit RolloutTracker(RolloutPolicy policy = {}) : policy_(policy) {}
  void SetPolicy(RolloutPolicy policy) { policy_ = policy; }

  // One classified run; `deployed` when this very run saw a new version (a deploy event), with
  // the deploy's "old → new" text. Call before the state machine sees the run.
  RolloutUpdate Observe(const ProbeResult& r, bool deployed, const std::string& deploy_text);

  bool draining() const { return drain_started_.has_value(); }

 private:
  RolloutPolicy policy_;
  std::optional<std::chrono::system_clock::time_point> drain_started_;
  std::optional<std::chrono::system_clock::time_point> first_failure_;
  std::vector<HeldRun> held_;
  // Tool errors after the last deploy, for the migration note.
  std::optional<std::chrono::system_clock::time_point> deploy_at_;
  std::string deploy_text_;
  std::optional<std::chrono::system_clock::time_point> tool_errors_since_;
};

}  // namespace mcpwatch
