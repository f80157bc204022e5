// The one spelling of a stored or shown instant, and reading instants back: RFC 3339, UTC,
// milliseconds ("2026-11-24T03:15:00.123Z") for JSON output, events, alerts and the HTTP API;
// RFC 3339 with any offset in the config file and API parameters.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace mcpwatch {

std::string FormatTimestamp(std::chrono::system_clock::time_point t);

// "2026-12-01T02:00:00Z", "2026-12-01T03:00:00.5+01:00" (T/t/space separator, fraction
// optional, Z or a numeric offset required), years 1678 to 2261 (what system_clock holds).
// Returns the UTC instant.
tl::expected<std::chrono::system_clock::time_point, std::string> ParseRfc3339(
    std::string_view text);

// A fixed UTC offset "+02:00" / "-05:30" / "Z"; also "UTC" and "UTC+02:00" as config sugar.
tl::expected<std::chrono::minutes, std::string> ParseUtcOffset(std::string_view text);

}  // namespace mcpwatch
