// The JSON form of a probe run (DESIGN §4, a contract: `mcpwatch probe --json`, the HTTP API
// and webhook payloads all use it).
#pragma once

#include <nlohmann/json.hpp>

#include "checks/probe_result.h"

namespace mcpwatch {

nlohmann::json ToJson(const ProbeResult& r);
// Milliseconds with microsecond precision, the unit of every *_ms field.
double ToMs(Micros us);
// RFC 3339 UTC with milliseconds: "2026-11-24T03:15:00.123Z".
std::string FormatTimestamp(std::chrono::system_clock::time_point t);

}  // namespace mcpwatch
