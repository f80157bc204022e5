// The schema as a `PRAGMA user_version` ladder: step N moves a database from version N-1 to N
// inside one transaction. Run before the daemon reports ready; a failure names the step.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "storage/database.h"

namespace mcpwatch::storage {

struct Migration {
  int version;            // user_version after this step
  std::string_view name;  // "add outbox": shown in errors and logs
  std::string_view sql;   // one or more statements
};

// The ladder, oldest first; its last version is the one this binary writes.
const std::vector<Migration>& Migrations();
int LatestSchemaVersion();

tl::expected<int, std::string> SchemaVersion(Database& db);

// Refuses a database written by a newer mcpwatch (its user_version is above ours).
tl::expected<void, std::string> CheckNotNewer(Database& db);

// PRAGMA quick_check; a damaged file yields an error telling the operator what to do.
tl::expected<void, std::string> CheckIntegrity(Database& db);

// Applies every missing step in order; returns the version reached. Idempotent.
tl::expected<int, std::string> Migrate(Database& db);

// What the daemon calls at start-up: open read-write (creating the file), quick_check unless
// the last shutdown was clean, refuse a newer schema, migrate, then record (synced) that a
// writer has the file open. The result is ready for a HistoryWriter.
//
// quick_check reads the whole file, minutes for a long history, so it runs only when the
// clean-shutdown marker (meta.h) is not 1: after a crash or kill, a failed final flush or
// checkpoint, or corruption seen by the writer. A new, empty file is not checked. Trade-off: a
// page damaged while no writer ran is not found at start; SQLite still reports it on the first
// read of that page (the writer counts write errors and its next shutdown is not clean).
tl::expected<Database, std::string> OpenForWriting(const std::filesystem::path& path);

// For readers (daemon API, CLI commands, possibly while a daemon writes): open read-only and
// refuse a database whose schema is newer or older than this binary's.
tl::expected<Database, std::string> OpenForReading(const std::filesystem::path& path);

}  // namespace mcpwatch::storage
