// Prometheus-style durations ("500ms", "1h30m", "2w") as used everywhere in the config file.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace mcpwatch {

// Accepts one or more <digits><unit> groups with units ms, s, m, h, d, w from largest to
// smallest, each at most once ("1h30m", not "30m1h"); no spaces, signs or fractions. A bare
// "0" is the only number without a unit, kMaxDuration the largest value. The error names the
// problem and the input.
tl::expected<std::chrono::milliseconds, std::string> ParseDuration(std::string_view text);

// Durations are added to and taken from clock readings (system_clock and steady_clock count
// nanoseconds in 64 bits, about 292 years either side of their epoch): anything longer
// overflowed there ("since=202688888888888s" from fuzz_api_request).
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24) * 36500;

// The inverse for non-negative values: 90s -> "1m30s", 0 -> "0s", 1500ms -> "1s500ms".
// Negative values get a leading '-' (ParseDuration refuses them; this is for messages).
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace mcpwatch
