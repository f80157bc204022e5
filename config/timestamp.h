// RFC 3339 timestamps in the config file (one-off maintenance windows, silences).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace mcpwatch {

// "2026-12-01T02:00:00Z", "2026-12-01T03:00:00.5+01:00" (T/t/space separator, fraction
// optional, Z or a numeric offset required). Returns the UTC instant.
tl::expected<std::chrono::system_clock::time_point, std::string> ParseRfc3339(
    std::string_view text);

// A fixed UTC offset "+02:00" / "-05:30" / "Z"; also "UTC" and "UTC+02:00" as config sugar.
tl::expected<std::chrono::minutes, std::string> ParseUtcOffset(std::string_view text);

}  // namespace mcpwatch
