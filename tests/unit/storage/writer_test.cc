#include "storage/writer.h"

#include <catch2/catch.hpp>
#include <future>

#include "storage/migrations.h"
#include "storage/records.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

using testing::At;
using testing::MakeResult;
using testing::ScratchDir;

int64_t Count(Database& db, const std::string& sql) {
  auto q = db.Prepare(sql);
  REQUIRE(q);
  auto row = q->Step();
  REQUIRE(row);
  REQUIRE(*row);
  return q->Int(0);
}

std::unique_ptr<HistoryWriter> StartWriter(const std::filesystem::path& path,
                                           WriterOptions options = {}) {
  auto db = OpenForWriting(path);
  REQUIRE(db);
  options.retention_interval = std::chrono::minutes(0);
  return HistoryWriter::Start(std::move(*db), options);
}

// The writer's own lock wait (busy_timeout 5 s) shortened through a submitted pragma, so the
// failure tests below run in milliseconds.
bool ShortBusyTimeout(HistoryWriter& writer) {
  return writer.Submit([](Database& db) { return db.Exec("PRAGMA busy_timeout = 20"); }) &&
         writer.Flush();
}

TEST_CASE("the writer commits in batches and Flush waits for them", "[storage][writer]") {
  ScratchDir dir;
  WriterOptions options;
  options.batch_rows = 100;
  options.batch_interval = std::chrono::seconds(30);  // only full batches or Flush commit
  auto writer = StartWriter(dir / "h.db", options);
  for (int i = 0; i < 250; ++i) {
    REQUIRE(writer->Enqueue(MakeResult("t" + std::to_string(i % 5), At(1'000 + i))));
  }
  REQUIRE(writer->Flush());
  const WriterStats stats = writer->Stats();
  CHECK(stats.rows_written == 250);
  CHECK(stats.batches == 3);  // 100 + 100 + the flushed 50
  CHECK(stats.dropped == 0);
  CHECK(stats.write_errors == 0);
  CHECK(stats.queue_depth == 0);

  auto reader = Database::Open(dir / "h.db", OpenMode::kReadOnly);
  REQUIRE(reader);
  CHECK(Count(*reader, "SELECT count(*) FROM runs") == 250);
  CHECK(Count(*reader, "SELECT count(*) FROM targets") == 5);
  writer->Stop();
  // Stop checkpointed with TRUNCATE: the WAL is empty (or gone once the last reader closes).
  CHECK((!std::filesystem::exists(dir / "h.db-wal") ||
         std::filesystem::file_size(dir / "h.db-wal") == 0));
}

TEST_CASE("the time limit commits a partial batch", "[storage][writer]") {
  ScratchDir dir;
  WriterOptions options;
  options.batch_rows = 1'000;
  options.batch_interval = std::chrono::milliseconds(20);
  auto writer = StartWriter(dir / "h.db", options);
  REQUIRE(writer->Enqueue(MakeResult("a", At(1'000))));
  auto reader = Database::Open(dir / "h.db", OpenMode::kReadOnly);
  REQUIRE(reader);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Count(*reader, "SELECT count(*) FROM runs") == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(Count(*reader, "SELECT count(*) FROM runs") == 1);
}

TEST_CASE("a full queue drops and counts instead of blocking", "[storage][writer]") {
  ScratchDir dir;
  WriterOptions options;
  options.queue_capacity = 10;
  auto writer = StartWriter(dir / "h.db", options);
  // Hold the writer thread inside a submitted write so nothing drains.
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  REQUIRE(writer->Submit([&entered, released](Database&) -> tl::expected<void, std::string> {
    entered.set_value();
    released.wait();
    return {};
  }));
  entered.get_future().wait();
  int accepted = 0;
  for (int i = 0; i < 25; ++i) accepted += writer->Enqueue(MakeResult("a", At(i))) ? 1 : 0;
  CHECK(accepted == 10);
  CHECK(writer->Stats().dropped == 15);
  CHECK(writer->Stats().queue_depth == 10);
  release.set_value();
  REQUIRE(writer->Flush());
  CHECK(writer->Stats().rows_written == 10);
}

TEST_CASE("run_counts follow every committed run", "[storage][writer]") {
  ScratchDir dir;
  auto writer = StartWriter(dir / "h.db");
  for (int i = 0; i < 7; ++i) REQUIRE(writer->Enqueue(MakeResult("a", At(i))));
  REQUIRE(writer->Flush());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(writer->Enqueue(MakeResult("a", At(100 + i), FailureClass::kToolsListFailure)));
  }
  REQUIRE(writer->Enqueue(MakeResult("b", At(200), FailureClass::kLatencySpike)));
  REQUIRE(writer->Flush());
  writer->Stop();

  auto db = Database::Open(dir / "h.db", OpenMode::kReadOnly);
  REQUIRE(db);
  auto q = db->Prepare(
      "SELECT t.name, c.class, c.total FROM run_counts c JOIN targets t ON t.id = c.target_id "
      "ORDER BY 1, 2");
  REQUIRE(q);
  std::vector<std::string> rows;
  while (*q->Step()) {
    rows.push_back(q->Text(0) + "/" + q->Text(1) + "=" + std::to_string(q->Int(2)));
  }
  CHECK(rows == std::vector<std::string>{"a/ok=7", "a/tools_list_failure=3", "b/latency_spike=1"});
}

TEST_CASE("submitted writes run in order and a failing one is rolled back alone",
          "[storage][writer]") {
  ScratchDir dir;
  auto writer = StartWriter(dir / "h.db");
  REQUIRE(writer->Enqueue(MakeResult("a", At(1))));
  REQUIRE(writer->Submit([](Database& db) {
    return InsertEvent(db, "a", At(2), "deploy", R"({"version":"1.2.4"})");
  }));
  REQUIRE(writer->Submit([](Database& db) -> tl::expected<void, std::string> {
    if (auto done = InsertEvent(db, "a", At(3), "half_done", "{}"); !done) return done;
    return tl::make_unexpected(std::string("rule evaluation failed"));
  }));
  REQUIRE(writer->Submit([](Database&) -> tl::expected<void, std::string> {
    throw std::runtime_error("third-party exception");
  }));
  REQUIRE(writer->Submit(
      [](Database& db) { return SetTargetState(db, "a", "up", At(4), R"({"reason":"ok"})"); }));
  REQUIRE(writer->Enqueue(MakeResult("a", At(5))));
  REQUIRE(writer->Flush());
  CHECK(writer->Stats().write_errors == 2);
  CHECK(writer->Stats().rows_written == 2);
  writer->Stop();

  auto db = Database::Open(dir / "h.db", OpenMode::kReadOnly);
  REQUIRE(db);
  CHECK(Count(*db, "SELECT count(*) FROM events") == 1);
  CHECK(Count(*db, "SELECT count(*) FROM events WHERE kind = 'deploy'") == 1);
  CHECK(Count(*db, "SELECT count(*) FROM target_state WHERE state = 'up'") == 1);
  CHECK(Count(*db, "SELECT count(*) FROM runs") == 2);
}

TEST_CASE("a commit that fails is retried and nothing is lost", "[storage][writer]") {
  ScratchDir dir;
  {
    auto db = OpenForWriting(dir / "h.db");
    REQUIRE(db);
  }
  // A second connection holding the write lock makes the writer's BEGIN IMMEDIATE fail with
  // SQLITE_BUSY (as a full disk would fail the commit); the writer must retry until it clears.
  WriterOptions options;
  options.max_retry_backoff = std::chrono::milliseconds(200);
  auto writer = StartWriter(dir / "h.db", options);
  REQUIRE(ShortBusyTimeout(*writer));
  auto blocker = Database::Open(dir / "h.db", OpenMode::kReadWrite);
  REQUIRE(blocker);
  REQUIRE(blocker->Exec("PRAGMA busy_timeout = 0; BEGIN IMMEDIATE"));
  REQUIRE(writer->Enqueue(MakeResult("a", At(1))));
  CHECK_FALSE(writer->Flush(std::chrono::milliseconds(500)));
  CHECK(writer->Stats().write_errors >= 1);
  REQUIRE(blocker->Exec("ROLLBACK"));
  REQUIRE(writer->Flush(std::chrono::seconds(20)));
  CHECK(writer->Stats().rows_written == 1);
  CHECK(Count(*blocker, "SELECT count(*) FROM runs") == 1);
}

TEST_CASE("a batch that cannot commit at shutdown is counted as lost", "[storage][writer]") {
  ScratchDir dir;
  { REQUIRE(OpenForWriting(dir / "h.db")); }
  WriterOptions options;
  options.max_retry_backoff = std::chrono::milliseconds(50);
  auto writer = StartWriter(dir / "h.db", options);
  REQUIRE(ShortBusyTimeout(*writer));
  auto blocker = Database::Open(dir / "h.db", OpenMode::kReadWrite);
  REQUIRE(blocker);
  REQUIRE(blocker->Exec("BEGIN IMMEDIATE"));
  REQUIRE(writer->Enqueue(MakeResult("a", At(1))));
  REQUIRE(writer->Enqueue(MakeResult("a", At(2))));
  writer->Stop();  // a few more attempts, then give up loudly
  const WriterStats stats = writer->Stats();
  CHECK(stats.rows_lost == 2);
  CHECK(stats.write_errors >= 3);
  CHECK(stats.rows_written == 0);
  CHECK_FALSE(writer->Flush(std::chrono::milliseconds(10)));
  REQUIRE(blocker->Exec("ROLLBACK"));
}

TEST_CASE("RunRetention runs a pass on the writer thread after queued work", "[storage][writer]") {
  ScratchDir dir;
  WriterOptions options;
  options.retention.raw_retention = std::chrono::hours(1);
  auto writer = StartWriter(dir / "h.db", options);
  constexpr int64_t kHour = 3'600'000;
  constexpr int64_t kH0 = 1'750'000'000'000 / kHour * kHour;
  for (int i = 0; i < 4; ++i) REQUIRE(writer->Enqueue(MakeResult("a", At(kH0 + i * 1'000))));
  // No Flush: the request itself queues behind the four rows.
  auto report = writer->RunRetention(At(kH0 + 3 * kHour));
  REQUIRE(report);
  CHECK(report->rollups_written == 1);
  CHECK(report->runs_deleted == 4);
  CHECK(writer->Stats().rows_written == 4);
  writer->Stop();
  CHECK_FALSE(writer->RunRetention(At(kH0)));
}

TEST_CASE("Stop refuses new work", "[storage][writer]") {
  ScratchDir dir;
  auto writer = StartWriter(dir / "h.db");
  writer->Stop();
  writer->Stop();
  CHECK_FALSE(writer->Enqueue(MakeResult("a", At(1))));
  CHECK_FALSE(writer->Submit([](Database&) -> tl::expected<void, std::string> { return {}; }));
  CHECK(writer->Stats().dropped == 1);
}

}  // namespace
}  // namespace mcpwatch::storage
