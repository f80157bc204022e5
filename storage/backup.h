// An online copy of the history: consistent (one read transaction's snapshot, taken with
// SQLite's backup API) while a daemon keeps writing, since in WAL mode a reader never blocks
// the writer. The copy is checked (PRAGMA integrity_check) before it takes DEST's name, so a
// file at DEST is always a whole, verified database in one file (rollback-journal mode, no
// -wal): restoring is copying it back as the `database:` file while no daemon runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <tl/expected.hpp>

namespace mcpwatch::storage {

struct BackupOptions {
  bool replace = false;  // DEST may exist (it is replaced atomically)
};

struct BackupResult {
  std::uint64_t bytes = 0;
  std::int64_t runs = 0;  // rows in runs at the snapshot
  int schema_version = 0;
  std::chrono::milliseconds took{0};
};

// Errors name the file and the step: a missing source, an existing DEST without `replace`, a
// full disk, a copy that fails integrity_check (DEST untouched then).
tl::expected<BackupResult, std::string> BackupHistory(const std::filesystem::path& source,
                                                      const std::filesystem::path& dest,
                                                      const BackupOptions& options);

}  // namespace mcpwatch::storage
