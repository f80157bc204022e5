// The answer of /probe?target=NAME: one run's metrics in the Prometheus text format, without
// a target label (Prometheus adds its own labels to what it scrapes), as blackbox_exporter's
// /probe does.
#pragma once

#include <chrono>
#include <string>

#include "checks/probe_result.h"

namespace mcpwatch {

// probe_success, probe_duration_seconds, probe_timeout_seconds, probe_mcp_duration_seconds
// {phase} (every phase, 0 when not reached), probe_mcp_tools, probe_mcp_tools_hash,
// probe_mcp_run_info{class} = 1, and probe_ssl_earliest_cert_expiry once a cert was seen.
std::string ProbeExposition(const ProbeResult& r, std::chrono::milliseconds timeout);

}  // namespace mcpwatch
