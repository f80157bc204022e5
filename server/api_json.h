// The JSON of the read-only HTTP API (/api/v1/...): stored runs in the shape of the probe JSON
// (checks/probe_json.h, DESIGN §4), target status rows in the shape of `mcpwatch status --json`,
// and events. Timestamps are RFC 3339 UTC with milliseconds, durations *_ms.
#pragma once

#include <nlohmann/json.hpp>

#include "storage/reader.h"
#include "storage/run_row.h"

namespace mcpwatch {

// {target, state, state_since, last_class, last_run_at, runs_24h, uptime_24h, p95_ms}; unknown
// values are null.
nlohmann::json StatusJson(const storage::TargetStatus& s);

// {target, started_at, class, ok, success, total_ms, error, diagnosis, transport,
//  protocol_version, server {name, version}, tools {count, schema_hash}, steps [...],
//  timings {...}, tls {not_after}, maintenance}. "ok" is class == ok, "success" also counts
// latency_spike, as in the probe JSON.
nlohmann::json RunJson(const storage::RunRow& r);

// {id, target, kind, at, details}; details is the stored JSON object.
nlohmann::json EventJson(const storage::EventRecord& e);

}  // namespace mcpwatch
