// Commands that read the history while a daemon may be writing it: status, history, events.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace mcpwatch {

std::function<int()> AddStatusCommand(CLI::App& app);
std::function<int()> AddHistoryCommand(CLI::App& app);
std::function<int()> AddEventsCommand(CLI::App& app);

}  // namespace mcpwatch
