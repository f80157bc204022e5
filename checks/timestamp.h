// The one spelling of a stored or shown instant: RFC 3339, UTC, milliseconds
// ("2026-11-24T03:15:00.123Z"), used by JSON output, events, alerts and the HTTP API.
#pragma once

#include <chrono>
#include <string>

namespace mcpwatch {

std::string FormatTimestamp(std::chrono::system_clock::time_point t);

}  // namespace mcpwatch
