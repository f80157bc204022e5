// The writer on a full disk, made by the full-disk switch (storage/full_disk_switch.h): it
// degrades, holds what its bounds allow in order, counts the rest, and writes what it held
// once space returns.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "storage/full_disk_switch.h"
#include "storage/migrations.h"
#include "storage/records.h"
#include "storage/writer.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

using testing::At;
using testing::MakeResult;
using testing::ScratchDir;

// The switch is process-wide and installed once, so every test here shares one flag file.
class FullDisk {
 public:
  FullDisk() {
    static const std::filesystem::path flag = [] {
      auto path = std::filesystem::temp_directory_path() /
                  ("mcpwatch-unit-full-disk-" + std::to_string(::getpid()));
      ::setenv(kFullDiskSwitchEnv, path.c_str(), 1);
      auto installed = InstallFullDiskSwitchFromEnv();
      REQUIRE(installed);
      REQUIRE(*installed == path.string());
      return path;
    }();
    flag_ = flag;
    Free();
  }
  ~FullDisk() { Free(); }
  FullDisk(const FullDisk&) = delete;
  FullDisk& operator=(const FullDisk&) = delete;

  void Fill() const { std::ofstream(flag_) << "full\n"; }
  void Free() const { std::filesystem::remove(flag_); }

 private:
  std::filesystem::path flag_;
};

std::unique_ptr<HistoryWriter> StartWriter(const std::filesystem::path& path,
                                           WriterOptions options) {
  auto db = OpenForWriting(path);
  REQUIRE(db);
  options.retention_interval = std::chrono::minutes(0);
  options.batch_interval = std::chrono::milliseconds(5);
  options.max_retry_backoff = std::chrono::milliseconds(50);
  return HistoryWriter::Start(std::move(*db), options);
}

bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::vector<int64_t> StartedAtById(const std::filesystem::path& path) {
  auto db = Database::Open(path, OpenMode::kReadOnly);
  REQUIRE(db);
  auto q = db->Prepare("SELECT started_at FROM runs ORDER BY id");
  REQUIRE(q);
  std::vector<int64_t> out;
  while (*q->Step()) out.push_back(q->Int(0));
  return out;
}

TEST_CASE("the full-disk switch fails writes with SQLITE_FULL while its flag exists",
          "[storage][full_disk]") {
  FullDisk disk;
  ScratchDir dir;
  auto db = OpenForWriting(dir / "h.db");
  REQUIRE(db);
  REQUIRE(db->Exec("CREATE TABLE t(x)"));
  disk.Fill();
  auto refused = db->Exec("INSERT INTO t VALUES(1)");
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == "database or disk is full");
  CHECK(sqlite3_extended_errcode(db->handle()) == SQLITE_FULL);
  disk.Free();
  CHECK(db->Exec("INSERT INTO t VALUES(2)"));
}

TEST_CASE(
    "on a full disk the writer degrades, holds runs in order up to its bound, and writes them "
    "when space returns",
    "[storage][full_disk]") {
  FullDisk disk;
  ScratchDir dir;
  WriterOptions options;
  options.queue_capacity = 20;
  options.batch_rows = 5;
  auto writer = StartWriter(dir / "h.db", options);
  for (int i = 0; i < 3; ++i) REQUIRE(writer->Enqueue(MakeResult("a", At(i))));
  REQUIRE(writer->Flush());
  CHECK_FALSE(writer->Stats().degraded);

  disk.Fill();
  REQUIRE(writer->Enqueue(MakeResult("a", At(3))));
  REQUIRE(WaitFor([&] { return writer->Stats().degraded.has_value(); }));
  int accepted = 1;
  for (int i = 4; i < 33; ++i) accepted += writer->Enqueue(MakeResult("a", At(i))) ? 1 : 0;
  // The batch being retried counts towards the bound: exactly 20 runs are held.
  CHECK(accepted == 20);
  WriterStats stats = writer->Stats();
  CHECK(stats.degraded->error == "database or disk is full");
  CHECK(stats.degraded->runs_dropped == 10);
  CHECK(stats.dropped == 10);
  CHECK(stats.held_rows == 20);
  CHECK(stats.queue_capacity == 20);
  CHECK(stats.rows_written == 3);
  REQUIRE(WaitFor([&] { return writer->Stats().write_errors >= 3; }));  // retrying, not spinning
  CHECK_FALSE(writer->Flush(std::chrono::milliseconds(50)));

  disk.Free();
  REQUIRE(writer->Flush(std::chrono::seconds(10)));
  stats = writer->Stats();
  CHECK_FALSE(stats.degraded);
  CHECK(stats.rows_written == 23);
  CHECK(stats.held_rows == 0);
  CHECK(stats.rows_lost == 0);
  // In queue order, the dropped ten (the newest) missing.
  std::vector<int64_t> expected;
  for (int i = 0; i < 23; ++i) expected.push_back(i);
  CHECK(StartedAtById(dir / "h.db") == expected);
  // Accepting again once there is room.
  CHECK(writer->Enqueue(MakeResult("a", At(100))));
}

TEST_CASE("submitted writes have their own bound on a full disk", "[storage][full_disk]") {
  FullDisk disk;
  ScratchDir dir;
  WriterOptions options;
  options.write_capacity = 3;
  auto writer = StartWriter(dir / "h.db", options);
  disk.Fill();
  int accepted = 0;
  for (int i = 0; i < 5; ++i) {
    accepted +=
        writer->Submit([i](Database& db) { return InsertEvent(db, "a", At(i), "deploy", "{}"); })
            ? 1
            : 0;
  }
  CHECK(accepted == 3);
  CHECK(writer->Stats().writes_dropped == 2);
  disk.Free();
  REQUIRE(writer->Flush(std::chrono::seconds(10)));
  auto db = Database::Open(dir / "h.db", OpenMode::kReadOnly);
  REQUIRE(db);
  auto q = db->Prepare("SELECT count(*) FROM events");
  REQUIRE(q);
  REQUIRE(*q->Step());
  CHECK(q->Int(0) == 3);
}

TEST_CASE("stopping on a full disk gives up the held runs and counts them as lost",
          "[storage][full_disk]") {
  FullDisk disk;
  ScratchDir dir;
  WriterOptions options;
  options.batch_rows = 5;
  auto writer = StartWriter(dir / "h.db", options);
  disk.Fill();
  for (int i = 0; i < 20; ++i) REQUIRE(writer->Enqueue(MakeResult("a", At(i))));
  REQUIRE(WaitFor([&] { return writer->Stats().degraded.has_value(); }));
  writer->Stop();  // the first batch gets its last attempts; the three behind it one each
  const WriterStats stats = writer->Stats();
  CHECK(stats.rows_lost == 20);
  CHECK(stats.rows_written == 0);
  disk.Free();
  CHECK(StartedAtById(dir / "h.db").empty());
}

}  // namespace
}  // namespace mcpwatch::storage
