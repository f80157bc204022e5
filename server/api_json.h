// The one JSON rendering of each stored object, shared by the HTTP API (/api/v1/...) and the
// command line's --json output (`status`, `history`, `events`), so a script reads the same
// object from either: stored runs in the shape of the probe JSON (checks/probe_json.h, DESIGN
// §4), target status rows and events. Timestamps are RFC 3339 UTC with milliseconds, durations
// *_ms. docs/api.md documents every field.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/reader.h"
#include "storage/run_row.h"

namespace mcpwatch {

// {target, state, state_since, last_class, last_run_at, runs_24h, uptime_24h, p95_ms,
// diagnosis}; unknown values are null. diagnosis is the newest run's: for a failure, the deploy
// or drift that caused it ("tool calls failing since deploy 1.0.0 → 2.0.0 at ...").
nlohmann::json StatusJson(const storage::TargetStatus& s);

// {target, started_at, class, ok, success, total_ms, error, diagnosis, transport,
//  protocol_version, server {name, version}, tools {count, schema_hash}, steps [...],
//  timings {...}, tls {not_after}, maintenance, health {status_code}}. "ok" is class == ok,
// "success" also counts latency_spike, as in the probe JSON. health is null without a
// health_url; its status_code 0 means the health endpoint gave no answer.
nlohmann::json RunJson(const storage::RunRow& r);

// {id, target, kind, at, details}; details is the stored JSON object; target is null for an
// event not about one target.
nlohmann::json EventJson(const storage::EventRecord& e);

// JSON arrays of the above, one element per row in the given order: the bodies of
// /api/v1/targets, .../runs and /api/v1/events, and the --json output of the commands.
nlohmann::json StatusesJson(const std::vector<storage::TargetStatus>& rows);
nlohmann::json RunsJson(const std::vector<storage::RunRow>& rows);
nlohmann::json EventsJson(const std::vector<storage::EventRecord>& rows);

// The status rows to show for the configured targets `names`, sorted by name: the stored row of
// each, or an "unknown" row for a target not in the history yet. Stored rows of targets no
// longer configured are left out.
std::vector<storage::TargetStatus> ConfiguredStatuses(std::vector<storage::TargetStatus> stored,
                                                      const std::vector<std::string>& names);

}  // namespace mcpwatch
