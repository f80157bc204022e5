// A reader on its own connection keeps querying while the writer commits 50,000 rows: WAL
// readers must never see SQLITE_BUSY (or any error) surface.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "storage/migrations.h"
#include "storage/reader.h"
#include "storage/writer.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

using testing::At;
using testing::MakeResult;
using testing::ScratchDir;

TEST_CASE("readers run while the writer writes 50,000 rows", "[storage][concurrency]") {
  ScratchDir dir;
  constexpr int kRows = 50'000;
  constexpr int kTargets = 100;
  constexpr int64_t kStart = 1'750'000'000'000;
  auto db = OpenForWriting(dir / "h.db");
  REQUIRE(db);
  WriterOptions options;
  options.batch_rows = 500;
  options.batch_interval = std::chrono::milliseconds(10);
  options.retention_interval = std::chrono::minutes(0);
  auto writer = HistoryWriter::Start(std::move(*db), options);

  std::atomic<bool> done{false};
  std::atomic<int64_t> queries{0};
  std::vector<std::string> errors;
  std::thread reader_thread([&] {
    auto reader = HistoryReader::Open(dir / "h.db");
    if (!reader) {
      errors.push_back(reader.error());
      return;
    }
    int64_t last_seen = 0;
    while (!done.load()) {
      auto history = reader->History("t7", At(kStart), 50);
      if (!history) errors.push_back("History: " + history.error());
      auto counts = reader->RunCounts();
      if (!counts) errors.push_back("RunCounts: " + counts.error());
      auto last = reader->LastRuns();
      if (!last) errors.push_back("LastRuns: " + last.error());
      auto status = reader->Status(At(kStart + kRows * 10));
      if (!status) errors.push_back("Status: " + status.error());
      if (counts) {
        int64_t total = 0;
        for (const auto& c : *counts) total += c.total;
        if (total < last_seen) errors.push_back("run_counts went backwards");
        last_seen = total;
      }
      queries.fetch_add(1);
      if (errors.size() > 10) return;
    }
  });

  int dropped = 0;
  for (int i = 0; i < kRows; ++i) {
    if (!writer->Enqueue(MakeResult("t" + std::to_string(i % kTargets), At(kStart + i * 10)))) {
      ++dropped;
    }
  }
  REQUIRE(writer->Flush());
  done.store(true);
  reader_thread.join();
  writer->Stop();

  CHECK(errors.empty());
  for (const auto& e : errors) UNSCOPED_INFO(e);
  CHECK(dropped == 0);
  CHECK(queries.load() > 0);
  CHECK(writer->Stats().rows_written == kRows);
  CHECK(writer->Stats().write_errors == 0);
  auto reader = HistoryReader::Open(dir / "h.db");
  REQUIRE(reader);
  auto counts = reader->RunCounts();
  REQUIRE(counts);
  int64_t total = 0;
  for (const auto& c : *counts) total += c.total;
  CHECK(total == kRows);
}

}  // namespace
}  // namespace mcpwatch::storage
