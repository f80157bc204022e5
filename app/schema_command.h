// `mcpwatch schema TARGET` (the current tool-list snapshot and the last drift) and
// `mcpwatch schema accept TARGET` (make the current schema the accepted baseline).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace mcpwatch {

std::function<int()> AddSchemaCommand(CLI::App& app);

}  // namespace mcpwatch
