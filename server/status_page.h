// The human views: an HTML status page and SVG badges. Everything that came from config, a
// server or the database is escaped; the page has no scripts and loads nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/reader.h"

namespace mcpwatch {

// & < > " ' as entities; valid for text and for quoted attribute values.
std::string EscapeHtml(std::string_view text);

// One table row per target: target, state, last class, last run, uptime 24 h, p95.
std::string RenderStatusPage(const std::vector<storage::TargetStatus>& targets,
                             std::chrono::system_clock::time_point now);

// "mcp | up 99.9%" coloured by state (green up, yellow degraded, red down, blue maintenance,
// grey unknown); nullopt renders "mcp | not found".
std::string RenderBadge(const std::optional<storage::TargetStatus>& target);

}  // namespace mcpwatch
