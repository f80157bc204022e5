// The daemon's opt-in active checks (issue 11): bursts against a declared rate limit, on their
// own schedule beside the regular runs. Each check's verdict is pure logic in checks/
// (RateLimitChecker); this class only sends the calls through the prober and hands back what
// the checks conclude. Thread: loop thread only.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tl/expected.hpp>

#include "checks/event.h"
#include "checks/rate_limit_check.h"
#include "checks/target_state.h"
#include "config/config.h"
#include "prober/prober.h"

namespace mcpwatch {

class ActiveChecks {
 public:
  using Clock = std::chrono::steady_clock;

  struct Hooks {
    // The target's spec now (credentials resolved), as for a regular run.
    std::function<tl::expected<ProbeSpec, std::string>(const std::string& target)> prepare;
    std::function<TargetState(const std::string& target)> state;
    // A conclusion worth storing and telling (an event of the target).
    std::function<void(Event e)> on_event;
    // A burst's conclusive finding: the rate limiter enforced its limit or not.
    std::function<void(const std::string& target, bool enforced)> on_rate_limit;
  };

  ActiveChecks(Prober& prober, Hooks hooks);
  ~ActiveChecks();
  ActiveChecks(const ActiveChecks&) = delete;
  ActiveChecks& operator=(const ActiveChecks&) = delete;

  // The configured targets: checks start, change or stop with their config keys.
  void SetTargets(const std::map<std::string, TargetConfig>& targets);
  // A deploy of the target was seen now: no burst within `quiet` after it.
  void NoteDeploy(const std::string& target);
  // Starts every check that is due (the daemon calls it each second).
  void Tick(Clock::duration quiet);
  // A burst of the target is running, or ended less than its window ago: a 429 of a regular
  // run now is the limit the burst just used up, not the target failing.
  bool Shadows(const std::string& target) const;
  // No new bursts or calls from now on (shutdown); calls in flight finish.
  void Stop() { stopped_ = true; }

 private:
  struct Burst;
  struct TargetChecks {
    std::unique_ptr<RateLimitChecker> rate_limit;
    std::optional<Clock::time_point> last_deploy;
    std::shared_ptr<Burst> burst;  // the burst in flight, if any
    Clock::time_point shadow_until{};
  };

  void StartBurst(const std::string& name, TargetChecks& checks, ProbeSpec spec);
  void SendNext(const std::string& name, const std::shared_ptr<Burst>& burst);
  void FinishBurst(const std::string& name, Burst& burst);

  Prober& prober_;
  Hooks hooks_;
  std::map<std::string, TargetChecks> targets_;
  bool stopped_ = false;
};

}  // namespace mcpwatch
