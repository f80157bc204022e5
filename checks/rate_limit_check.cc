#include "checks/rate_limit_check.h"

#include <algorithm>
#include <cctype>

namespace mcpwatch {

namespace {

bool SaysRateLimit(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view phrase : {"rate limit", "rate-limit", "ratelimit", "too many requests"}) {
    if (lower.find(phrase) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

int BurstSize(int limit) {
  const int bounded = std::clamp(limit, 1, kMaxRateLimit);
  return bounded + std::max(2, bounded / 10);
}

BurstCall JudgeBurstCall(const Transcript& t) {
  for (const StepRecord& s : t.steps) {
    if (s.http_status == 429) return BurstCall::kLimited;
  }
  const StepRecord* call = t.Find(Step::kToolCall);
  if (call == nullptr) return BurstCall::kFailed;
  if (call->Ok()) return BurstCall::kPassed;
  const bool refused =
      call->finding == Finding::kJsonRpcError || call->finding == Finding::kToolIsError;
  if (refused && SaysRateLimit(call->message)) return BurstCall::kLimited;
  // The tool answered, just not happily (an assertion, a tool error): the call went through.
  if (call->transport == TransportError::kNone && call->HttpOk()) return BurstCall::kPassed;
  return BurstCall::kFailed;
}

void Count(BurstOutcome& outcome, BurstCall call) {
  ++outcome.sent;
  switch (call) {
    case BurstCall::kLimited: ++outcome.limited; break;
    case BurstCall::kPassed: ++outcome.passed; break;
    case BurstCall::kFailed: ++outcome.failed; break;
  }
}

std::string_view ToString(RateLimitFinding f) {
  switch (f) {
    case RateLimitFinding::kEnforced: return "enforced";
    case RateLimitFinding::kNotEnforcing: return "not_enforcing";
    case RateLimitFinding::kInconclusive: return "inconclusive";
  }
  return "inconclusive";
}

RateLimitFinding Judge(const BurstOutcome& outcome, const RateLimitSpec& spec) {
  if (outcome.limited > 0) return RateLimitFinding::kEnforced;
  if (outcome.took > spec.window || outcome.passed <= spec.limit) {
    return RateLimitFinding::kInconclusive;
  }
  return RateLimitFinding::kNotEnforcing;
}

nlohmann::json ToJson(const BurstOutcome& outcome, const RateLimitSpec& spec) {
  return {{"limit", spec.limit},
          {"window_seconds", std::chrono::duration<double>(spec.window).count()},
          {"tool", spec.tool.name},
          {"sent", outcome.sent},
          {"limited", outcome.limited},
          {"passed", outcome.passed},
          {"failed", outcome.failed},
          {"took_ms", outcome.took.count()},
          {"finding", ToString(Judge(outcome, spec))}};
}

RateLimitChecker::RateLimitChecker(RateLimitSpec spec, Clock::time_point start)
    : spec_(std::move(spec)), next_(start + spec_.every) {}

bool RateLimitChecker::Due(Clock::time_point now, TargetState state,
                           std::optional<Clock::time_point> last_deploy,
                           Clock::duration quiet) const {
  if (running_ || now < next_ || state != TargetState::kUp) return false;
  return !last_deploy || now - *last_deploy >= quiet;
}

void RateLimitChecker::Started(Clock::time_point now) {
  running_ = true;
  next_ = now + spec_.every;
}

std::optional<nlohmann::json> RateLimitChecker::Finished(const BurstOutcome& outcome,
                                                         Clock::time_point now) {
  running_ = false;
  switch (Judge(outcome, spec_)) {
    case RateLimitFinding::kEnforced:
      enforced_ = true;
      suspect_ = false;
      reported_ = false;
      return std::nullopt;
    case RateLimitFinding::kInconclusive: return std::nullopt;
    case RateLimitFinding::kNotEnforcing: break;
  }
  if (!suspect_) {
    // First sighting: confirm one window later (a fixed window's boundary can split a burst).
    suspect_ = true;
    next_ = std::min(next_, now + spec_.window);
    return std::nullopt;
  }
  enforced_ = false;
  if (reported_) return std::nullopt;
  reported_ = true;
  nlohmann::json details = ToJson(outcome, spec_);
  details["summary"] = "rate limiter not enforcing: " + std::to_string(outcome.passed) + " of " +
                       std::to_string(outcome.sent) + " calls to " + spec_.tool.name +
                       " passed in " + std::to_string(outcome.took.count()) +
                       " ms against a declared limit of " + std::to_string(spec_.limit) +
                       ", twice in a row; its backing store is probably gone";
  return details;
}

}  // namespace mcpwatch
