// Why the scheduler did not start a due run: the scheduler reports it, mcpwatch_runs_skipped_total
// counts it under {reason="<ToString>"} (DESIGN §8; the label values are a contract).
#pragma once

#include <array>
#include <string_view>

namespace mcpwatch {

enum class SkipReason {
  kOverlap,      // the target's previous run was still in flight
  kInflightCap,  // the global in-flight limit was reached (today's scheduler makes such runs
                 // wait instead, so the series stays at 0; the label is kept for dashboards)
  kOwnBurst,     // the run hit the rate limit our own rate_limit_check burst had just used up
                 // (issue 11): it ran, answered 429, and was dropped
};
inline constexpr std::array kAllSkipReasons = {SkipReason::kOverlap, SkipReason::kInflightCap,
                                               SkipReason::kOwnBurst};
std::string_view ToString(SkipReason r);  // "overlap" | "inflight_cap" | "own_burst"

}  // namespace mcpwatch
