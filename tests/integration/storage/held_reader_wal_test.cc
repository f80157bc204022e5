// A `sqlite3` shell holds one read transaction while the writer commits: the writer never
// waits or fails, but no checkpoint can move past the held snapshot, so the WAL grows. Once the
// reader lets go, the next automatic (PASSIVE) checkpoint copies everything back, the writer
// restarts the WAL, and journal_size_limit truncates the file to 32 MiB: the WAL is bounded by
// the longest read, not by the database's lifetime.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "storage/migrations.h"
#include "storage/writer.h"
#include "tests/support/support.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

using testing::At;
using testing::MakeResult;
using testing::ScratchDir;

constexpr uintmax_t kJournalSizeLimit = 32u << 20;  // storage/database.cc

uintmax_t WalSize(const std::filesystem::path& db) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(db.string() + "-wal", ec);
  return ec ? 0 : size;
}

TEST_CASE("a held reader grows the WAL, which shrinks to journal_size_limit once the reader ends",
          "[storage][wal]") {
  ScratchDir dir;
  const auto path = dir / "h.db";
  auto db = OpenForWriting(path);
  REQUIRE(db);
  WriterOptions options;
  options.batch_interval = std::chrono::milliseconds(5);
  options.retention_interval = std::chrono::minutes(0);
  auto writer = HistoryWriter::Start(std::move(*db), options);
  int64_t seq = 0;
  const auto write = [&](int n) {
    int refused = 0;
    for (int i = 0; i < n; ++i, ++seq) {
      refused += writer->Enqueue(MakeResult("t" + std::to_string(seq % 50), At(seq))) ? 0 : 1;
    }
    REQUIRE(refused == 0);
    REQUIRE(writer->Flush());
  };
  write(1'000);

  const auto began = dir / "began";
  const auto hold = dir / "hold";
  std::ofstream(hold) << "hold\n";
  auto shell = test::Subprocess::Start({"sqlite3", path.string(), "BEGIN",
                                        "SELECT 'first ' || count(*) FROM runs",
                                        ".shell touch '" + began.string() + "'; while [ -e '" +
                                            hold.string() + "' ]; do sleep 0.05; done",
                                        "SELECT 'second ' || count(*) FROM runs", "COMMIT"});
  REQUIRE(
      test::Eventually([&] { return std::filesystem::exists(began); }, std::chrono::seconds(10)));

  // Checkpoints are starved: the WAL passes the limit while the writer keeps committing.
  for (int round = 0; round < 100 && WalSize(path) <= kJournalSizeLimit + (8u << 20); ++round) {
    write(4'000);
  }
  const uintmax_t starved = WalSize(path);
  INFO("WAL while the reader held its snapshot: " << starved << " bytes, " << seq << " rows");
  CHECK(starved > kJournalSizeLimit + (8u << 20));
  CHECK(writer->Stats().write_errors == 0);
  CHECK(writer->Stats().rows_written == static_cast<uint64_t>(seq));

  std::filesystem::remove(hold);
  REQUIRE(shell.Wait(std::chrono::seconds(10)) == 0);
  std::smatch m;
  const std::string out = shell.Stdout();
  REQUIRE(std::regex_search(out, m, std::regex("first ([0-9]+)\\s+second ([0-9]+)")));
  CHECK(m[1] == m[2]);
  CHECK(m[1] == "1000");

  // A few more batches: the first full checkpoint lets the writer restart the WAL, and the
  // restart's first commit truncates the file.
  for (int round = 0; round < 20 && WalSize(path) > kJournalSizeLimit; ++round) write(2'000);
  CHECK(WalSize(path) <= kJournalSizeLimit);
  writer->Stop();
  CHECK(writer->Stats().rows_lost == 0);
  CHECK(WalSize(path) == 0);  // and the shutdown's TRUNCATE checkpoint empties it
}

}  // namespace
}  // namespace mcpwatch::storage
