// A child process writes batches through a HistoryWriter and reports each committed batch's
// last sequence number on a pipe; the parent SIGKILLs it mid-write. The database must pass
// PRAGMA integrity_check and hold every row of every batch reported committed. A killed writer
// never records a clean shutdown, so the next start runs quick_check and refuses a damaged file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <thread>

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

constexpr int kBatch = 300;

[[noreturn]] void ChildWrites(const std::filesystem::path& path, int out_fd) {
  auto db = OpenForWriting(path);
  if (!db) _exit(3);
  WriterOptions options;
  options.batch_rows = 128;  // several transactions per reported batch
  options.batch_interval = std::chrono::milliseconds(5);
  options.retention_interval = std::chrono::minutes(0);
  auto writer = HistoryWriter::Start(std::move(*db), options);
  for (int64_t seq = 0;;) {
    for (int i = 0; i < kBatch; ++i, ++seq) {
      while (!writer->Enqueue(MakeResult("t" + std::to_string(seq % 17), At(seq)))) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    if (!writer->Flush()) _exit(4);
    const std::string line = std::to_string(seq - 1) + "\n";
    if (write(out_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
  }
}

// A child process writing batches through ChildWrites; each line it reports is a committed batch.
struct WritingChild {
  pid_t pid = -1;
  FILE* in = nullptr;

  explicit WritingChild(const std::filesystem::path& path) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      ChildWrites(path, fds[1]);
    }
    close(fds[1]);
    in = fdopen(fds[0], "r");
    REQUIRE(in != nullptr);
  }

  // The last sequence number of the next committed batch; nullopt when the child is gone.
  std::optional<int64_t> NextBatch() {
    char line[64];
    if (fgets(line, sizeof(line), in) == nullptr) return std::nullopt;
    return std::stoll(line);
  }

  // SIGKILL; returns the last batch it reported as committed before it died (or `last`).
  int64_t Kill(int64_t last) {
    kill(pid, SIGKILL);
    while (auto seq = NextBatch()) last = *seq;  // written before the kill: committed too
    fclose(in);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));
    return last;
  }
};

int64_t Scalar(Database& db, const std::string& sql) {
  auto q = db.Prepare(sql);
  REQUIRE(q);
  REQUIRE(*q->Step());
  return q->Int(0);
}

TEST_CASE("kill -9 mid-write loses no committed batch", "[storage][crash]") {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 3; ++round) {
    ScratchDir dir;
    const auto path = dir / "h.db";
    WritingChild child(path);
    // Let it commit a random number of batches, then kill it somewhere in the next one.
    const int batches = 5 + static_cast<int>(rng() % 20);
    int64_t last_committed = -1;
    for (int i = 0; i < batches; ++i) {
      auto seq = child.NextBatch();
      if (!seq) break;
      last_committed = *seq;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20'000));
    last_committed = child.Kill(last_committed);
    REQUIRE(last_committed >= 0);

    auto db = OpenForWriting(path);  // quick_check + migrations on the killed file
    REQUIRE(db);
    auto check = db->Prepare("PRAGMA integrity_check");
    REQUIRE(check);
    REQUIRE(*check->Step());
    CHECK(check->Text(0) == "ok");
    INFO("round " << round << " last committed seq " << last_committed);
    CHECK(Scalar(*db, "SELECT count(*) FROM runs WHERE started_at <= " +
                          std::to_string(last_committed)) == last_committed + 1);
    // run_counts is written in the same transactions as the runs, so they agree exactly.
    CHECK(Scalar(*db, "SELECT count(*) FROM runs") ==
          Scalar(*db, "SELECT coalesce(sum(total), 0) FROM run_counts"));
  }
}

TEST_CASE("after kill -9 the next start runs quick_check and refuses a damaged file",
          "[storage][crash]") {
  ScratchDir dir;
  const auto path = dir / "h.db";
  {
    // A clean history first, so the only thing that can make the next start check is the kill.
    auto db = OpenForWriting(path);
    REQUIRE(db);
    HistoryWriter::Start(std::move(*db))->Stop();
  }
  WritingChild child(path);
  int committed = 0;
  while (committed < 3 && child.NextBatch()) ++committed;
  child.Kill(-1);
  REQUIRE(committed == 3);
  {
    auto raw = Database::Open(path, OpenMode::kReadWrite);  // recovers the WAL, marker untouched
    REQUIRE(raw);
    auto marker = ReadMeta(*raw, kCleanShutdownKey);
    REQUIRE(marker);
    CHECK(*marker == 0);
  }
  DamageRootPage(path, "runs");
  auto db = OpenForWriting(path);
  REQUIRE_FALSE(db);
  CHECK_THAT(db.error(), Catch::StartsWith("database " + path.string() + " is corrupt ("));
  CHECK_THAT(db.error(), Catch::Contains("move it aside to start a new history"));
}

}  // namespace
}  // namespace mcpwatch::storage
