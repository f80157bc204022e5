// Values shared by the daemon's per-target metrics (probe_metrics) and the one-run answer of
// /probe (probe_exposition): the phase gauge names and the tools-hash number.
#pragma once

#include <array>
#include <string_view>

#include "checks/step.h"

namespace mcpwatch::detail {

// probe_mcp_duration_seconds{phase}: resolve, connect, tls, then every step in order.
inline constexpr size_t kNetworkPhaseCount = 3;
inline constexpr size_t kGaugePhaseCount = kNetworkPhaseCount + kAllSteps.size();
std::string_view GaugePhaseName(size_t index);
size_t GaugePhaseIndex(Step s);

// probe_mcp_tools_hash: the first 12 hex digits of the SHA-256 as a number (48 bits, exact in a
// double); 0 when there is no (valid) hash.
double ToolsHashNumber(std::string_view hex);

// Upper bounds (seconds) of probe_mcp_phase_duration_seconds' buckets; +Inf comes after them.
inline constexpr std::array<double, 12> kPhaseBuckets = {.005, .01, .025, .05, .1, .25,
                                                         .5,   1,   2.5,  5,   10, 30};
inline constexpr std::array<std::string_view, 12> kPhaseBucketLabels = {
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"};

}  // namespace mcpwatch::detail
