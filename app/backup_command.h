// `mcpwatch backup DEST --config F`: an online, verified copy of the history while the daemon
// runs (storage/backup.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace mcpwatch {

std::function<int()> AddBackupCommand(CLI::App& app);

}  // namespace mcpwatch
