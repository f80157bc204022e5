// `mcpwatch auth login TARGET --config F`: the one human consent of an OAuth target (issue 13).
// Prints the authorization URL, waits on the loopback redirect for the browser to come back,
// exchanges the code (PKCE S256, state and iss checked) and stores the tokens in the token file
// beside the database, where the daemon picks them up and keeps them fresh.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace mcpwatch {

std::function<int()> AddAuthCommand(CLI::App& app);

}  // namespace mcpwatch
