// storage_meta (schema step 3): small integer facts the storage layer keeps about the file
// itself, one row per key — the retention cursor and the clean-shutdown marker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "storage/database.h"

namespace mcpwatch::storage {

// nullopt when the key has no row. Fails when storage_meta is missing (schema before step 3)
// or unreadable.
tl::expected<std::optional<int64_t>, std::string> ReadMeta(Database& db, std::string_view key);

// Inserts or replaces the key's value, inside the caller's transaction if one is open.
tl::expected<void, std::string> WriteMeta(Database& db, std::string_view key, int64_t value);

// 0 while a writer has the file open, 1 after a HistoryWriter shut down with nothing to doubt
// (everything committed, WAL checkpointed, no corruption reported). OpenForWriting runs
// PRAGMA quick_check unless it reads 1.
inline constexpr std::string_view kCleanShutdownKey = "clean_shutdown";

// Writes the marker and syncs it to disk before returning (synchronous=FULL for this one
// commit): a "0" lost to a power cut would let the next start skip the check after a crash.
// Must not be called inside a transaction.
tl::expected<void, std::string> SetCleanShutdown(Database& db, bool clean);

}  // namespace mcpwatch::storage
