// `mcpwatch alerts --config FILE [--json]`: firing and pending alerts, and notices not yet
// delivered (with the last delivery error).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace mcpwatch {

std::function<int()> AddAlertsCommand(CLI::App& app);

}  // namespace mcpwatch
