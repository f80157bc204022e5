// A test switch that makes the database behave as if its disk were full, for machines where a
// test cannot mount a small filesystem (no root, no user namespaces). Off unless asked for:
// only `mcpwatch serve` calls InstallFullDiskSwitchFromEnv(), and it does nothing unless
// MCPWATCH_TEST_FULL_DISK=<flag path> is in the environment. When set, an SQLite VFS wrapping
// the platform's own becomes the default, and every write to a database file (main, WAL,
// journal) fails with SQLITE_FULL, as SQLite reports write() failing with ENOSPC, for as long
// as <flag path> exists. Removing the file "frees the space". docs/durability.md.
#pragma once

#include <optional>
#include <string>
#include <tl/expected.hpp>

namespace mcpwatch::storage {

inline constexpr const char* kFullDiskSwitchEnv = "MCPWATCH_TEST_FULL_DISK";

// nullopt when the variable is unset or empty (nothing installed); the flag path when the VFS
// is installed; an error when SQLite refused it. Call once, before any database is opened;
// not thread-safe against concurrent opens.
tl::expected<std::optional<std::string>, std::string> InstallFullDiskSwitchFromEnv();

}  // namespace mcpwatch::storage
