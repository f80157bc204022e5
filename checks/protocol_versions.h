// The MCP protocol versions mcpwatch speaks.
#pragma once

#include <array>
#include <string_view>

namespace mcpwatch {

// The protocol versions we accept back from initialize (we offer the first).
inline constexpr std::array<std::string_view, 4> kSupportedProtocolVersions = {
    "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

// The modern (stateless) era's version: server/discover must list it.
inline constexpr std::string_view kModernProtocolVersion = "2026-07-28";

}  // namespace mcpwatch
