// The modern (2026-07-28, stateless) MCP era: no initialize handshake and no session; every
// request carries its protocol version, client info and capabilities in params._meta and
// names itself in the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers. A probe run
// switches to it when initialize is rejected with a modern error that lists 2026-07-28.
// Pure functions of data; none of them throws. Judging the results (server/discover,
// resultType) is checks/result_judge.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/version.h"
#include "checks/protocol_versions.h"
#include "checks/transcript.h"

namespace mcpwatch {

// Who we are, the same in initialize (legacy) and in _meta (modern).
inline constexpr std::string_view kClientName = "mcpwatch";
inline constexpr std::string_view kClientTitle = "mcpwatch prober";
inline constexpr std::string_view kClientVersion = kVersion;

// Whether a rejected initialize names a modern server we can probe: HTTP 400 carrying a modern
// JSON-RPC error (-32020 header mismatch, -32021 missing capability, -32022 unsupported
// version) whose data.supported lists 2026-07-28.
bool OffersModernEra(const StepRecord& initialize, const std::vector<std::string>& supported);

// data.supported of the first JSON-RPC error in an error body, or empty.
std::vector<std::string> SupportedVersionsOfErrorBody(std::string_view body);

// `params` with the _meta every modern request carries (params must be an object).
nlohmann::json WithModernMeta(nlohmann::json params);

// Mcp-Name for a named request (tools/call), in the spec's base64 sentinel form when the name
// is no plain header value; none when `name` is empty. (The channel adds Mcp-Method itself.)
std::vector<std::string> NameHeader(std::string_view name);

}  // namespace mcpwatch
