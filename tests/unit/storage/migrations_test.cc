#include "storage/migrations.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

using testing::ScratchDir;

std::vector<std::string> Tables(Database& db) {
  auto q = db.Prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  REQUIRE(q);
  std::vector<std::string> names;
  while (*q->Step()) names.push_back(q->Text(0));
  return names;
}

TEST_CASE("migrations build the whole schema from an empty file", "[storage][migrations]") {
  ScratchDir dir;
  auto db = OpenForWriting(dir / "nested/dir/history.db");
  REQUIRE(db);
  CHECK(*SchemaVersion(*db) == LatestSchemaVersion());
  CHECK(Tables(*db) == std::vector<std::string>{"alerts", "events", "outbox", "rollups_hourly",
                                                "run_counts", "runs", "schema_snapshots",
                                                "storage_meta", "target_state", "targets"});
  auto mode = db->Prepare("PRAGMA journal_mode");
  REQUIRE(*mode->Step());
  CHECK(mode->Text(0) == "wal");
}

TEST_CASE("re-opening a migrated database changes nothing", "[storage][migrations]") {
  ScratchDir dir;
  {
    auto db = OpenForWriting(dir / "h.db");
    REQUIRE(db);
    REQUIRE(db->Exec("INSERT INTO targets(name, first_seen) VALUES('shop', 1)"));
  }
  auto db = OpenForWriting(dir / "h.db");
  REQUIRE(db);
  CHECK(*Migrate(*db) == LatestSchemaVersion());
  auto q = db->Prepare("SELECT count(*) FROM targets");
  REQUIRE(*q->Step());
  CHECK(q->Int(0) == 1);
}

TEST_CASE("a database from a newer mcpwatch is refused", "[storage][migrations]") {
  ScratchDir dir;
  {
    auto db = Database::Open(dir / "h.db", OpenMode::kReadWrite);
    REQUIRE(db);
    REQUIRE(db->Exec("PRAGMA user_version = " + std::to_string(LatestSchemaVersion() + 1)));
  }
  auto db = OpenForWriting(dir / "h.db");
  REQUIRE_FALSE(db);
  CHECK_THAT(db.error(), Catch::Contains("newer than this mcpwatch"));
  auto reader = OpenForReading(dir / "h.db");
  REQUIRE_FALSE(reader);
  CHECK_THAT(reader.error(), Catch::Contains("newer than this mcpwatch"));
}

TEST_CASE("a failing step is named and leaves the previous version", "[storage][migrations]") {
  ScratchDir dir;
  {
    auto db = Database::Open(dir / "h.db", OpenMode::kReadWrite);
    REQUIRE(db);
    // Version 1 applied by hand, plus an object that collides with step 2.
    REQUIRE(db->Exec(std::string(Migrations()[0].sql)));
    REQUIRE(db->Exec("PRAGMA user_version = 1; CREATE TABLE run_counts(x)"));
  }
  auto db = OpenForWriting(dir / "h.db");
  REQUIRE_FALSE(db);
  CHECK(db.error() == "migration 2 (add run_counts) failed: table run_counts already exists");
  auto raw = Database::Open(dir / "h.db", OpenMode::kReadWrite);
  CHECK(*SchemaVersion(*raw) == 1);
}

TEST_CASE("a corrupt file is reported with what to do", "[storage][migrations]") {
  ScratchDir dir;
  {
    auto db = OpenForWriting(dir / "good.db");
    REQUIRE(db);
    REQUIRE(db->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  SECTION("garbage over the header") {
    std::filesystem::copy_file(dir / "good.db", dir / "bad.db");
    std::fstream f(dir / "bad.db", std::ios::in | std::ios::out | std::ios::binary);
    const std::string garbage(512, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    f.close();
    auto db = OpenForWriting(dir / "bad.db");
    REQUIRE_FALSE(db);
    CHECK_THAT(db.error(), Catch::StartsWith("database " + (dir / "bad.db").string() +
                                             " is corrupt (quick_check: "));
    CHECK_THAT(db.error(),
               Catch::EndsWith("restore it from a backup or move it aside to start a new history"));
  }
  SECTION("garbage over a b-tree page") {
    std::filesystem::copy_file(dir / "good.db", dir / "bad.db");
    const auto size = std::filesystem::file_size(dir / "bad.db");
    REQUIRE(size >= 3 * 4096);
    std::fstream f(dir / "bad.db", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 * 4096);  // page 3: a table or index root, not the header
    const std::string garbage(4096, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    f.close();
    auto db = OpenForWriting(dir / "bad.db");
    REQUIRE_FALSE(db);
    CHECK_THAT(db.error(), Catch::Contains("is corrupt (quick_check: "));
    CHECK_THAT(db.error(), Catch::Contains("move it aside to start a new history"));
  }
}

TEST_CASE("readers refuse a missing or unmigrated database", "[storage][migrations]") {
  ScratchDir dir;
  auto missing = OpenForReading(dir / "none.db");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error(), Catch::Contains("does not exist"));
  { REQUIRE(Database::Open(dir / "old.db", OpenMode::kReadWrite)); }
  auto old = OpenForReading(dir / "old.db");
  REQUIRE_FALSE(old);
  CHECK_THAT(old.error(), Catch::Contains("start the daemon once to migrate it"));
}

}  // namespace
}  // namespace mcpwatch::storage
