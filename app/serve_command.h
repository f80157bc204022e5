// `mcpwatch serve --config FILE` and `mcpwatch check-config FILE`.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>

#include "config/config.h"

namespace mcpwatch {

std::function<int()> AddServeCommand(CLI::App& app);
std::function<int()> AddCheckConfigCommand(CLI::App& app);

// Loads a config file, printing every error with its line to stderr. nullopt on errors.
std::optional<Config> LoadConfigOrReport(const std::string& path, const char* command);

}  // namespace mcpwatch
