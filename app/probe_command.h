// `mcpwatch probe URL`: one probe run by hand or as a CI gate (DESIGN §4).
#pragma once

#include <CLI/CLI.hpp>

namespace mcpwatch {

// Registers the subcommand; the returned function runs it and yields the exit code.
std::function<int()> AddProbeCommand(CLI::App& app);

}  // namespace mcpwatch
