#include "app/active_checks.h"

#include <spdlog/spdlog.h>

namespace mcpwatch {

// One burst: calls go out kBurstConcurrency at a time until `total` were sent.
struct ActiveChecks::Burst {
  ProbeSpec spec;
  int total = 0;
  int started = 0;
  int finished = 0;
  BurstOutcome outcome;
  Clock::time_point began{};
  std::chrono::system_clock::time_point began_wall{};
  bool abandoned = false;  // the target or its check went away: finish silently
};

ActiveChecks::ActiveChecks(Prober& prober, Hooks hooks)
    : prober_(prober), hooks_(std::move(hooks)) {}

ActiveChecks::~ActiveChecks() {
  for (auto& [name, checks] : targets_) {
    if (checks.burst) checks.burst->abandoned = true;
  }
}

void ActiveChecks::SetTargets(const std::map<std::string, TargetConfig>& targets) {
  const auto now = Clock::now();
  for (auto it = targets_.begin(); it != targets_.end();) {
    auto t = targets.find(it->first);
    if (t == targets.end() || !t->second.rate_limit_check) {
      if (it->second.burst) it->second.burst->abandoned = true;
      it = targets_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [name, t] : targets) {
    if (!t.rate_limit_check) continue;
    TargetChecks& checks = targets_[name];
    if (!checks.rate_limit) {
      checks.rate_limit = std::make_unique<RateLimitChecker>(*t.rate_limit_check, now);
    } else {
      checks.rate_limit->SetSpec(*t.rate_limit_check);
    }
  }
}

bool ActiveChecks::Shadows(const std::string& target) const {
  auto it = targets_.find(target);
  if (it == targets_.end()) return false;
  return it->second.burst != nullptr || Clock::now() < it->second.shadow_until;
}

void ActiveChecks::NoteDeploy(const std::string& target) {
  if (auto it = targets_.find(target); it != targets_.end()) it->second.last_deploy = Clock::now();
}

void ActiveChecks::Tick(Clock::duration quiet) {
  if (stopped_) return;
  const auto now = Clock::now();
  for (auto& [name, checks] : targets_) {
    if (!checks.rate_limit || checks.burst) continue;
    if (!checks.rate_limit->Due(now, hooks_.state(name), checks.last_deploy, quiet)) continue;
    auto spec = hooks_.prepare(name);
    if (!spec) continue;  // the regular runs report why
    checks.rate_limit->Started(now);
    StartBurst(name, checks, std::move(*spec));
  }
}

void ActiveChecks::StartBurst(const std::string& name, TargetChecks& checks, ProbeSpec spec) {
  auto burst = std::make_shared<Burst>();
  spec.tool_call = checks.rate_limit->spec().tool;
  spec.health_url.clear();  // the burst measures the limiter, nothing else
  burst->spec = std::move(spec);
  burst->total = BurstSize(checks.rate_limit->spec().limit);
  burst->began = Clock::now();
  burst->began_wall = std::chrono::system_clock::now();
  checks.burst = burst;
  spdlog::info("rate limit burst started target={} calls={} limit={}", name, burst->total,
               checks.rate_limit->spec().limit);
  for (int i = 0; i < kBurstConcurrency && burst->started < burst->total; ++i)
    SendNext(name, burst);
}

void ActiveChecks::SendNext(const std::string& name, const std::shared_ptr<Burst>& burst) {
  ++burst->started;
  prober_.Start(burst->spec, [this, name, burst](Transcript t) {
    ++burst->finished;
    Count(burst->outcome, JudgeBurstCall(t));
    if (burst->abandoned) return;
    if (burst->started < burst->total && !stopped_) {
      SendNext(name, burst);
    } else if (burst->finished == burst->started) {
      FinishBurst(name, *burst);
    }
  });
}

void ActiveChecks::FinishBurst(const std::string& name, Burst& burst) {
  auto it = targets_.find(name);
  if (it == targets_.end() || !it->second.rate_limit) return;
  TargetChecks& checks = it->second;
  const auto now = Clock::now();
  burst.outcome.took = std::chrono::duration_cast<std::chrono::milliseconds>(now - burst.began);
  auto event = checks.rate_limit->Finished(burst.outcome, now);
  const RateLimitSpec& spec = checks.rate_limit->spec();
  spdlog::info(
      "rate limit burst finished target={} sent={} limited={} passed={} failed={} "
      "took_ms={} finding={}",
      name, burst.outcome.sent, burst.outcome.limited, burst.outcome.passed, burst.outcome.failed,
      burst.outcome.took.count(), ToString(Judge(burst.outcome, spec)));
  checks.burst.reset();  // `burst` is still held by the caller's lambda
  checks.shadow_until = now + spec.window;
  if (auto enforced = checks.rate_limit->enforced()) hooks_.on_rate_limit(name, *enforced);
  if (event) {
    Event e;
    e.target = name;
    e.kind = EventKind::kRateLimitNotEnforced;
    e.at = std::chrono::system_clock::now();
    e.details = std::move(*event);
    hooks_.on_event(std::move(e));
  }
}

}  // namespace mcpwatch
