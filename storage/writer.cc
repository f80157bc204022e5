#include "storage/writer.h"

#include <pthread.h>

#include <future>
#include <utility>

#include "storage/log.h"
#include "storage/meta.h"

namespace mcpwatch::storage {

namespace {

constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr int kRetriesWhenStopping = 3;

int64_t CountRuns(const std::vector<WriteItem>& items) {
  int64_t n = 0;
  for (const auto& item : items) n += std::holds_alternative<RunRow>(item) ? 1 : 0;
  return n;
}

// SQLite's wording for SQLITE_CORRUPT ("database disk image is malformed", "malformed
// database schema") and SQLITE_NOTADB ("file is not a database").
bool MentionsCorruption(const std::string& error) {
  return error.find("malformed") != std::string::npos ||
         error.find("not a database") != std::string::npos;
}

// The pragma answers one row (busy, wal frames, checkpointed frames); busy=1 means a reader or
// writer on another connection kept it from finishing within busy_timeout.
tl::expected<void, std::string> CheckpointWal(Database& db) {
  auto query = db.Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  if (!query) return tl::make_unexpected(query.error());
  auto row = query->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (*row && query->Int(0) != 0) {
    return tl::make_unexpected(std::string("another connection kept it from finishing (busy)"));
  }
  return {};
}

}  // namespace

struct HistoryWriter::RetentionRequest {
  TimePoint now;
  std::promise<tl::expected<RetentionReport, std::string>> done;
};

std::unique_ptr<HistoryWriter> HistoryWriter::Start(Database db, WriterOptions options) {
  std::unique_ptr<HistoryWriter> writer(new HistoryWriter(std::move(db), options));
  writer->thread_ = std::thread([w = writer.get()] { w->Loop(); });
  return writer;
}

HistoryWriter::HistoryWriter(Database db, WriterOptions options)
    : options_(options),
      db_(std::move(db)),
      committer_(db_),
      scheduled_retention_(options.retention),
      next_retention_(std::chrono::steady_clock::now() + options.retention_interval) {}

HistoryWriter::~HistoryWriter() {
  Stop();
}

bool HistoryWriter::Enqueue(const ProbeResult& result, bool maintenance) {
  RunRow row = ToRunRow(result, maintenance);
  bool accepted = false;
  bool wake = false;
  uint64_t refused_before = 0;  // refusals in a row before this call
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    refused_before = rows_refused_in_a_row_;
    accepted = queued_rows_ < options_.queue_capacity;
    if (accepted) {
      wake = queue_.empty() || queue_.size() + 1 == options_.batch_rows;
      queue_.emplace_back(std::move(row));
      ++queued_rows_;
      ++enqueued_seq_;
      rows_refused_in_a_row_ = 0;
    } else {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      ++rows_refused_in_a_row_;
    }
  }
  if (!accepted && refused_before == 0) {
    Log()->warn("history queue full: dropping new runs until the writer catches up capacity={}",
                options_.queue_capacity);
  } else if (accepted && refused_before > 0) {
    Log()->info("history queue accepting runs again runs_dropped={}", refused_before);
  }
  if (wake) wake_.notify_one();
  return accepted;
}

bool HistoryWriter::Submit(WriteFn write) {
  bool accepted = false;
  uint64_t refused_before = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    refused_before = writes_refused_in_a_row_;
    accepted = queued_writes_ < options_.write_capacity;
    if (accepted) {
      queue_.emplace_back(std::move(write));
      ++queued_writes_;
      ++enqueued_seq_;
      writes_refused_in_a_row_ = 0;
    } else {
      writes_dropped_.fetch_add(1, std::memory_order_relaxed);
      ++writes_refused_in_a_row_;
    }
  }
  if (!accepted && refused_before == 0) {
    Log()->warn("history write queue full: dropping event and state writes capacity={}",
                options_.write_capacity);
  } else if (accepted && refused_before > 0) {
    Log()->info("history write queue accepting writes again writes_dropped={}", refused_before);
  }
  if (accepted) wake_.notify_one();
  return accepted;
}

bool HistoryWriter::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  const uint64_t target = enqueued_seq_;
  if (committed_seq_ < target) {
    flush_requested_ = true;
    wake_.notify_one();
    committed_.wait_for(lock, timeout, [&] { return committed_seq_ >= target || stopped_; });
  }
  return committed_seq_ >= target && !lost_work_;
}

tl::expected<RetentionReport, std::string> HistoryWriter::RunRetention(TimePoint now) {
  auto request = std::make_shared<RetentionRequest>();
  request->now = now;
  auto done = request->done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return tl::make_unexpected(std::string("history writer is stopped"));
    queue_.emplace_back(request);
    ++enqueued_seq_;
    flush_requested_ = true;
  }
  wake_.notify_one();
  return done.get();
}

void HistoryWriter::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

WriterStats HistoryWriter::Stats() const {
  WriterStats stats;
  stats.rows_written = rows_written_.load(std::memory_order_relaxed);
  stats.batches = batches_.load(std::memory_order_relaxed);
  stats.dropped = dropped_.load(std::memory_order_relaxed);
  stats.write_errors = write_errors_.load(std::memory_order_relaxed);
  stats.writes_dropped = writes_dropped_.load(std::memory_order_relaxed);
  stats.rows_lost = rows_lost_.load(std::memory_order_relaxed);
  stats.last_commit = std::chrono::microseconds(last_commit_us_.load(std::memory_order_relaxed));
  stats.queue_capacity = options_.queue_capacity;
  std::lock_guard lock(mu_);
  stats.queue_depth = queue_.size();
  stats.held_rows = queued_rows_;
  if (degraded_) {
    stats.degraded = *degraded_;
    stats.degraded->runs_dropped = stats.dropped - degraded_dropped_at_;
  }
  return stats;
}

void HistoryWriter::Loop() {
  pthread_setname_np(pthread_self(), "mcpw-storage");
  while (true) {
    std::unique_lock lock(mu_);
    if (queue_.empty() && !stopping_ && !retention_active_) {
      const auto has_work = [&] { return !queue_.empty() || stopping_; };
      if (options_.retention_interval.count() > 0) {
        wake_.wait_until(lock, next_retention_, has_work);
      } else {
        wake_.wait(lock, has_work);
      }
    }
    if (queue_.empty()) {
      if (stopping_) break;
      lock.unlock();
      RunScheduledRetention();
      continue;
    }
    // Let the batch fill up for at most one interval, unless someone is waiting on it.
    wake_.wait_for(lock, options_.batch_interval, [&] {
      return queue_.size() >= options_.batch_rows || flush_requested_ || stopping_;
    });
    std::vector<QueueItem> taken = TakeBatch(lock);
    lock.unlock();
    Process(std::move(taken));
    RunScheduledRetention();
  }
  Shutdown();
}

std::vector<HistoryWriter::QueueItem> HistoryWriter::TakeBatch(std::unique_lock<std::mutex>&) {
  std::vector<QueueItem> taken;
  const size_t n = std::min(queue_.size(), options_.batch_rows);
  taken.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    taken.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  if (queue_.empty()) flush_requested_ = false;
  return taken;
}

void HistoryWriter::Process(std::vector<QueueItem> taken) {
  bool stopping = false;
  {
    std::lock_guard lock(mu_);
    stopping = stopping_;
  }
  // Held against the capacities until committed (or given up), so a batch being retried on a
  // full disk counts towards the bound.
  size_t runs = 0;
  size_t submitted = 0;
  for (const QueueItem& item : taken) {
    runs += std::holds_alternative<RunRow>(item) ? 1 : 0;
    submitted += std::holds_alternative<WriteFn>(item) ? 1 : 0;
  }
  bool all_committed = true;
  std::vector<WriteItem> writes;
  writes.reserve(taken.size());
  const auto commit_pending = [&] {
    if (writes.empty()) return;
    all_committed = CommitWithRetry(writes, stopping) && all_committed;
    writes.clear();
  };
  for (QueueItem& item : taken) {
    if (auto* request = std::get_if<std::shared_ptr<RetentionRequest>>(&item)) {
      commit_pending();
      auto report = storage::RunRetention(db_, options_.retention, (*request)->now);
      if (!report) NoteFailure(report.error());
      (*request)->done.set_value(std::move(report));
    } else if (auto* row = std::get_if<RunRow>(&item)) {
      writes.emplace_back(std::move(*row));
    } else {
      writes.emplace_back(std::move(std::get<WriteFn>(item)));
    }
  }
  commit_pending();
  {
    std::lock_guard lock(mu_);
    committed_seq_ += taken.size();
    queued_rows_ -= runs;
    queued_writes_ -= submitted;
    if (!all_committed) lost_work_ = true;
  }
  committed_.notify_all();
}

bool HistoryWriter::CommitWithRetry(const std::vector<WriteItem>& items, bool stopping) {
  auto backoff = std::chrono::duration_cast<std::chrono::milliseconds>(kFirstBackoff);
  for (int attempt = 1;; ++attempt) {
    const auto start = std::chrono::steady_clock::now();
    auto outcome = committer_.Commit(items);
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    if (outcome) {
      last_commit_us_.store(took.count(), std::memory_order_relaxed);
      rows_written_.fetch_add(static_cast<uint64_t>(outcome->runs_written),
                              std::memory_order_relaxed);
      write_errors_.fetch_add(static_cast<uint64_t>(outcome->writes_failed),
                              std::memory_order_relaxed);
      batches_.fetch_add(1, std::memory_order_relaxed);
      if (options_.on_commit) options_.on_commit(took);
      if (attempt > 1) EndDegraded(attempt - 1);
      return true;
    }
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    NoteFailure(outcome.error());
    const int64_t runs = CountRuns(items);
    if (attempt == 1) {
      BeginDegraded(outcome.error(), items.size(), runs);
    } else {
      Log()->debug("batch commit failed attempt={} items={} runs={} error=\"{}\"", attempt,
                   items.size(), runs, outcome.error());
    }
    const int attempts_when_stopping = gave_up_ ? 1 : kRetriesWhenStopping;
    if (stopping && attempt >= attempts_when_stopping) {
      gave_up_ = true;
      rows_lost_.fetch_add(static_cast<uint64_t>(runs), std::memory_order_relaxed);
      Log()->error("giving up on batch at shutdown items={} runs_lost={}", items.size(), runs);
      return false;
    }
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, backoff, [&] { return stopping_ && !stopping; });
    stopping = stopping || stopping_;
    backoff = std::min(backoff * 2, options_.max_retry_backoff);
  }
}

// Logged once per episode: the retries that follow log at debug level only.
void HistoryWriter::BeginDegraded(const std::string& error, size_t items, int64_t runs) {
  size_t held = 0;
  {
    std::lock_guard lock(mu_);
    held = queued_rows_;
    if (degraded_) return;
    degraded_ = StorageDegraded{std::chrono::system_clock::now(), error, 0};
    degraded_dropped_at_ = dropped_.load(std::memory_order_relaxed);
    degraded_steady_ = std::chrono::steady_clock::now();
  }
  Log()->error(
      "storage degraded: history commits failing, holding work in memory and retrying "
      "error=\"{}\" batch_items={} batch_runs={} held_runs={} capacity={}",
      error, items, runs, held, options_.queue_capacity);
}

void HistoryWriter::EndDegraded(int failed_attempts) {
  std::chrono::duration<double> lasted{0};
  uint64_t runs_dropped = 0;
  size_t held = 0;
  {
    std::lock_guard lock(mu_);
    if (!degraded_) return;
    lasted = std::chrono::steady_clock::now() - degraded_steady_;
    runs_dropped = dropped_.load(std::memory_order_relaxed) - degraded_dropped_at_;
    held = queued_rows_;
    degraded_.reset();
  }
  Log()->info(
      "storage recovered: history commits succeed again degraded_s={:.1f} failed_attempts={} "
      "runs_dropped={} held_runs={}",
      lasted.count(), failed_attempts, runs_dropped, held);
}

void HistoryWriter::RunScheduledRetention() {
  if (options_.retention_interval.count() <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (!retention_active_) {
    if (now < next_retention_) return;
    scheduled_retention_ = RetentionJob(options_.retention);
    retention_active_ = true;
  }
  auto more = scheduled_retention_.Step(db_, std::chrono::system_clock::now());
  if (more && *more) return;
  retention_active_ = false;
  next_retention_ = now + options_.retention_interval;
  if (!more) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    NoteFailure(more.error());
    Log()->error("retention step failed error=\"{}\"", more.error());
    return;
  }
  const RetentionReport& r = scheduled_retention_.report();
  Log()->info(
      "retention pass done hours_closed={} rollups_written={} runs_deleted={} "
      "rollups_deleted={}",
      r.hours_closed, r.rollups_written, r.runs_deleted, r.rollups_deleted);
}

void HistoryWriter::NoteFailure(const std::string& error) {
  saw_corruption_ = saw_corruption_ || MentionsCorruption(error);
}

void HistoryWriter::Shutdown() {
  bool lost_work = false;
  {
    std::lock_guard lock(mu_);
    lost_work = lost_work_;
  }
  auto checkpoint = CheckpointWal(db_);
  if (!checkpoint) {
    Log()->warn("wal checkpoint at shutdown failed error=\"{}\"", checkpoint.error());
  }
  RecordShutdown(lost_work, checkpoint.has_value());
  { Database closing = std::move(db_); }
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  committed_.notify_all();
}

// Only a shutdown that leaves nothing to doubt lets the next start skip quick_check.
void HistoryWriter::RecordShutdown(bool lost_work, bool checkpointed) {
  const char* doubt = lost_work         ? "rows lost at shutdown"
                      : !checkpointed   ? "wal checkpoint failed"
                      : saw_corruption_ ? "sqlite reported corruption"
                                        : nullptr;
  if (doubt != nullptr) {
    Log()->info("next start will run the integrity check reason=\"{}\"", doubt);
    return;
  }
  if (auto marked = SetCleanShutdown(db_, true); !marked) {
    Log()->warn(
        "next start will run the integrity check reason=\"cannot record clean shutdown\" "
        "error=\"{}\"",
        marked.error());
    return;
  }
  // The marker's commit is in the WAL (synced); move it into the main file so the WAL is empty
  // at exit, as the shutdown order promises.
  if (auto again = CheckpointWal(db_); !again) {
    Log()->warn("wal checkpoint after recording clean shutdown failed error=\"{}\"", again.error());
  }
  Log()->info("clean shutdown recorded: next start will skip the integrity check");
}

}  // namespace mcpwatch::storage
