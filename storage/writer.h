// HistoryWriter: one named thread ("mcpw-storage") owning the only read-write connection.
// Probe results and other writes are queued without blocking and committed in batches of
// BEGIN IMMEDIATE … COMMIT, every `batch_rows` items or every `batch_interval`, whichever
// comes first.
//
// A failing commit (disk full, I/O error, a lock held elsewhere) makes the writer *degraded*:
// it logs that once, keeps the batch and everything queued after it in memory, in order, and
// retries the batch with backoff (100 ms doubling to `max_retry_backoff`). The first commit
// that succeeds ends it (logged once) and the held work is written in queue order. What the
// bounds below could not hold is dropped and counted, never blocked on. docs/durability.md.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <tl/expected.hpp>
#include <vector>

#include "checks/probe_result.h"
#include "storage/batch.h"
#include "storage/database.h"
#include "storage/retention.h"

namespace mcpwatch::storage {

struct WriterOptions {
  // Run rows held in memory, queued or in the batch being committed (~600 bytes each: the
  // default is ~60 MiB when full); beyond it Enqueue drops the new row and counts it.
  size_t queue_capacity = 100'000;
  // Submitted writes (events, state, snapshots, alert transitions) held likewise; beyond it
  // Submit drops and counts. They are rare next to runs: one per state change or delivery.
  size_t write_capacity = 10'000;
  size_t batch_rows = 2'000;
  std::chrono::milliseconds batch_interval{200};
  std::chrono::milliseconds max_retry_backoff{5'000};
  RetentionPolicy retention;
  std::chrono::minutes retention_interval{5};  // 0: only on demand (RunRetention)
  // Called on the writer thread after every successful batch commit with its duration (for a
  // metrics histogram); must be quick and must not call back into the writer.
  std::function<void(std::chrono::microseconds)> on_commit;
};

// Why the writer is degraded: set by a failed commit, cleared by the next one that succeeds.
struct StorageDegraded {
  std::chrono::system_clock::time_point since;
  std::string error;          // SQLite's message for the failure that began it
  uint64_t runs_dropped = 0;  // run rows refused since it began
};

struct WriterStats {
  uint64_t rows_written = 0;
  uint64_t batches = 0;
  uint64_t dropped = 0;         // run rows refused because queue_capacity was reached
  uint64_t writes_dropped = 0;  // submitted writes refused because write_capacity was reached
  uint64_t write_errors = 0;    // failed commits (each retry counts) and failed submitted writes
  uint64_t rows_lost = 0;       // rows given up at Stop() after the final retries failed
  std::chrono::microseconds last_commit{0};
  size_t queue_depth = 0;  // items waiting for a batch (not the batch being committed)
  size_t held_rows = 0;    // run rows in memory: waiting or in the batch being committed
  size_t queue_capacity = 0;
  std::optional<StorageDegraded> degraded;
};

class HistoryWriter {
 public:
  // Takes a migrated read-write connection (OpenForWriting) and starts the thread.
  static std::unique_ptr<HistoryWriter> Start(Database db, WriterOptions options = {});
  ~HistoryWriter();  // Stop()
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Never blocks on I/O. false (and `dropped` counted) when queue_capacity rows are held or
  // the writer is stopped. The first refusal of a run logs once; so does the next acceptance.
  bool Enqueue(const ProbeResult& result, bool maintenance = false);
  // Runs `write` in queue order inside the next batch transaction. false after Stop(), and
  // (`writes_dropped` counted) when write_capacity writes are held.
  bool Submit(WriteFn write);

  // Blocks until everything queued before the call is committed; false on timeout or when the
  // writer has stopped with work it could not commit.
  bool Flush(std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Runs a full retention pass on the writer thread (after the work queued before it), with
  // `now` as the clock, and returns what it did.
  tl::expected<RetentionReport, std::string> RunRetention(TimePoint now);

  // Flushes, runs PRAGMA wal_checkpoint(TRUNCATE), closes the connection, joins the thread.
  // When nothing was lost, the checkpoint completed and SQLite reported no corruption during
  // this writer's life, it then sets the clean-shutdown marker (meta.h; checkpointed again) so
  // the next OpenForWriting skips quick_check. Idempotent.
  void Stop();

  WriterStats Stats() const;

 private:
  struct RetentionRequest;
  using QueueItem = std::variant<RunRow, WriteFn, std::shared_ptr<RetentionRequest>>;

  HistoryWriter(Database db, WriterOptions options);
  void Loop();
  std::vector<QueueItem> TakeBatch(std::unique_lock<std::mutex>& lock);
  bool CommitWithRetry(const std::vector<WriteItem>& items, bool stopping);
  void Process(std::vector<QueueItem> taken);
  void RunScheduledRetention();
  void NoteFailure(const std::string& error);
  void BeginDegraded(const std::string& error, size_t items, int64_t runs);
  void EndDegraded(int failed_attempts);
  void Shutdown();
  void RecordShutdown(bool lost_work, bool checkpointed);

  const WriterOptions options_;
  Database db_;  // used by the writer thread only
  BatchCommitter committer_;
  RetentionJob scheduled_retention_;
  bool retention_active_ = false;
  bool saw_corruption_ = false;  // an error said the file is damaged: next start must check
  bool gave_up_ = false;  // a batch was given up at shutdown: later ones get one attempt each
  std::chrono::steady_clock::time_point next_retention_;

  mutable std::mutex mu_;              // guards the queue and the sequence numbers below
  std::condition_variable wake_;       // writer waits for work
  std::condition_variable committed_;  // Flush() waits for commits
  std::deque<QueueItem> queue_;
  size_t queued_rows_ = 0;    // run rows queued or in the batch being committed
  size_t queued_writes_ = 0;  // submitted writes likewise
  // Refusals since the last accepted item: the first one logs, the next acceptance logs.
  uint64_t rows_refused_in_a_row_ = 0;
  uint64_t writes_refused_in_a_row_ = 0;
  std::optional<StorageDegraded> degraded_;
  uint64_t degraded_dropped_at_ = 0;  // dropped_ when degraded_ was set
  std::chrono::steady_clock::time_point degraded_steady_;
  uint64_t enqueued_seq_ = 0;   // items accepted so far
  uint64_t committed_seq_ = 0;  // items done (committed or given up)
  bool flush_requested_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  bool lost_work_ = false;

  std::atomic<uint64_t> rows_written_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> writes_dropped_{0};
  std::atomic<uint64_t> write_errors_{0};
  std::atomic<uint64_t> rows_lost_{0};
  std::atomic<int64_t> last_commit_us_{0};

  std::mutex stop_mu_;  // serialises Stop()
  std::thread thread_;  // last: started after everything above exists
};

}  // namespace mcpwatch::storage
