// Shared by the storage tests: damage one b-tree page of a real database file the way a torn
// write or a bad sector would, leaving the header and sqlite_schema (page 1) readable.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "storage/database.h"

namespace mcpwatch::storage::testing {

// Overwrites the root page of `table` with garbage. Checkpoints first, so the damaged page is
// the copy SQLite reads (not a newer one in the WAL). No other connection may be open.
inline void DamageRootPage(const std::filesystem::path& path, const std::string& table) {
  int64_t page = 0;
  int64_t page_size = 0;
  {
    auto db = Database::Open(path, OpenMode::kReadWrite);
    REQUIRE(db);
    auto checkpoint = db->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    REQUIRE(checkpoint);
    REQUIRE(*checkpoint->Step());
    REQUIRE(checkpoint->Int(0) == 0);  // not busy: every frame is in the main file now
    auto root = db->Prepare("SELECT rootpage FROM sqlite_schema WHERE name = ?");
    REQUIRE(root);
    root->Bind(table);
    REQUIRE(*root->Step());
    page = root->Int(0);
    auto size = db->Prepare("PRAGMA page_size");
    REQUIRE(size);
    REQUIRE(*size->Step());
    page_size = size->Int(0);
  }
  REQUIRE(page > 1);
  REQUIRE(std::filesystem::file_size(path) >= static_cast<uintmax_t>(page * page_size));
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp((page - 1) * page_size);
  const std::string garbage(static_cast<size_t>(page_size), '\x5a');
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  f.close();
  REQUIRE_FALSE(f.fail());
}

}  // namespace mcpwatch::storage::testing
