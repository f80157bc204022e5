// The clean-shutdown marker decides whether OpenForWriting runs PRAGMA quick_check: only a
// HistoryWriter that stopped with nothing to doubt lets the next start skip it.
#include <catch2/catch.hpp>

#include "storage/meta.h"
#include "storage/migrations.h"
#include "storage/writer.h"
#include "tests/unit/storage/damage.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

using testing::At;
using testing::DamageRootPage;
using testing::MakeResult;
using testing::ScratchDir;

std::optional<int64_t> Marker(Database& db) {
  auto marker = ReadMeta(db, kCleanShutdownKey);
  REQUIRE(marker);
  return *marker;
}

std::optional<int64_t> MarkerOnDisk(const std::filesystem::path& path) {
  auto db = Database::Open(path, OpenMode::kReadWrite);  // no marker change, unlike OpenForWriting
  REQUIRE(db);
  return Marker(*db);
}

// Writes a few runs through a HistoryWriter and stops it the way the daemon does at SIGTERM.
void WriteAndStop(const std::filesystem::path& path) {
  auto db = OpenForWriting(path);
  REQUIRE(db);
  WriterOptions options;
  options.retention_interval = std::chrono::minutes(0);
  auto writer = HistoryWriter::Start(std::move(*db), options);
  for (int i = 0; i < 50; ++i) {
    REQUIRE(writer->Enqueue(MakeResult("t" + std::to_string(i % 3), At(1'000 + i))));
  }
  writer->Stop();
  REQUIRE(writer->Stats().rows_written == 50);
  REQUIRE(writer->Stats().rows_lost == 0);
}

void RequireRefusedAsCorrupt(const std::filesystem::path& path) {
  auto db = OpenForWriting(path);
  REQUIRE_FALSE(db);
  CHECK_THAT(db.error(), Catch::StartsWith("database " + path.string() + " is corrupt ("));
  CHECK_THAT(db.error(),
             Catch::EndsWith("restore it from a backup or move it aside to start a new history"));
}

TEST_CASE("a writer's clean Stop marks the file clean, opening marks it open again",
          "[storage][clean_shutdown]") {
  ScratchDir dir;
  const auto path = dir / "h.db";
  {
    auto db = OpenForWriting(path);
    REQUIRE(db);
    CHECK(Marker(*db) == 0);
  }
  WriteAndStop(path);
  CHECK(MarkerOnDisk(path) == 1);
  // The marker was checkpointed too: the WAL is empty after a clean Stop.
  const auto wal = dir / "h.db-wal";
  CHECK((!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0));

  auto reopened = OpenForWriting(path);
  REQUIRE(reopened);
  CHECK(Marker(*reopened) == 0);
  auto other = Database::Open(path, OpenMode::kReadOnly);  // committed, not just in a transaction
  REQUIRE(other);
  CHECK(Marker(*other) == 0);
}

TEST_CASE("after an unclean close a damaged page stops the next start",
          "[storage][clean_shutdown]") {
  ScratchDir dir;
  const auto path = dir / "h.db";
  WriteAndStop(path);
  {
    // Opened for writing, then closed without a HistoryWriter's Stop (the daemon dying between
    // opening the file and starting its writer): the marker stays 0.
    auto db = OpenForWriting(path);
    REQUIRE(db);
  }
  CHECK(MarkerOnDisk(path) == 0);
  DamageRootPage(path, "runs");
  RequireRefusedAsCorrupt(path);
}

TEST_CASE("after a clean Stop the same damage is not looked for at start",
          "[storage][clean_shutdown]") {
  ScratchDir dir;
  const auto path = dir / "h.db";
  WriteAndStop(path);
  DamageRootPage(path, "runs");
  auto db = OpenForWriting(path);
  REQUIRE(db);  // the documented trade-off: quick_check runs only after an unclean shutdown
  // SQLite still reports the damage on the first read of the page.
  auto runs = db->Prepare("SELECT sum(total_ms) FROM runs");
  REQUIRE(runs);
  auto row = runs->Step();
  REQUIRE_FALSE(row);
  CHECK_THAT(row.error(), Catch::Contains("malformed"));
}

TEST_CASE("a writer that meets corruption leaves the check to the next start",
          "[storage][clean_shutdown]") {
  ScratchDir dir;
  const auto path = dir / "h.db";
  WriteAndStop(path);
  DamageRootPage(path, "runs");
  {
    auto db = OpenForWriting(path);  // skips quick_check: the last shutdown was clean
    REQUIRE(db);
    WriterOptions options;
    options.retention_interval = std::chrono::minutes(0);
    auto writer = HistoryWriter::Start(std::move(*db), options);
    auto report = writer->RunRetention(At(10 * 3'600'000));  // reads the damaged runs table
    REQUIRE_FALSE(report);
    CHECK_THAT(report.error(), Catch::Contains("malformed"));
    writer->Stop();
    CHECK(writer->Stats().rows_lost == 0);  // nothing lost: only the corruption keeps it unclean
  }
  CHECK(MarkerOnDisk(path) == 0);
  RequireRefusedAsCorrupt(path);
}

}  // namespace
}  // namespace mcpwatch::storage
