// The JSON form of a probe run (DESIGN §4, a contract: `mcpwatch probe --json`, the HTTP API
// and webhook payloads all use it).
#pragma once

#include <nlohmann/json.hpp>

#include "base/timestamp.h"
#include "checks/probe_result.h"

namespace mcpwatch {

nlohmann::json ToJson(const ProbeResult& r);
// Milliseconds with microsecond precision, the unit of every *_ms field.
double ToMs(Micros us);

}  // namespace mcpwatch
