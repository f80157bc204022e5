// The notification dispatcher: one named thread ("mcpw-notify") that reads due outbox rows on
// its own read-only connection, delivers each with its notifier (blocking libcurl easy, the
// notifier's timeout) and records the outcome through the HistoryWriter: delivered, or failed
// with attempts counted, last_error kept and exponential backoff (1 s ... 10 min). Rows are
// delivered at least once and, short of a crash between a 2xx and its commit, exactly once:
// after a restart undelivered rows go out, delivered ones never again.
//
// It also re-sends the firing alerts of each Alertmanager notifier every alertmanager_resend,
// with endsAt = now + 3 x alertmanager_resend, as Prometheus does, so Alertmanager keeps them
// active while they fire and lets them expire if mcpwatch dies; and it prunes delivered rows
// older than keep_delivered.
//
// Thread-safety: every public method may be called from any thread. Stop it before the writer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tl/expected.hpp>
#include <unordered_map>
#include <vector>

#include "alerts/notifier.h"
#include "alerts/outbox.h"
#include "config/alerting_config.h"
#include "storage/database.h"
#include "storage/writer.h"

namespace mcpwatch::alerts {

struct DispatcherOptions {
  std::filesystem::path database;  // the daemon's database (opened read-only here)
  std::vector<NotifierConfig> notifiers;
  std::chrono::milliseconds poll_interval{1000};  // Wake() shortens it
  int batch = 50;                                 // rows read per poll
  std::chrono::milliseconds alertmanager_resend{60000};
  std::string generator_url;  // Alertmanager generatorURL, e.g. "http://127.0.0.1:9464/"
  std::chrono::hours keep_delivered{7 * 24};
  EnvLookup env = ProcessEnv();
};

struct NotifierCounts {
  uint64_t delivered = 0;
  uint64_t failed = 0;  // failed attempts (each retry counts)
};

struct DispatcherStats {
  std::map<std::string, NotifierCounts> notifiers;  // every configured notifier, zeros included
  int64_t pending = 0;                              // undelivered outbox rows at the last poll
  uint64_t read_errors = 0;                         // failed outbox reads
};

class Dispatcher {
 public:
  // Opens the read connection and starts the thread. `writer` must outlive the dispatcher.
  static tl::expected<std::unique_ptr<Dispatcher>, std::string> Start(
      storage::HistoryWriter& writer, DispatcherOptions options);
  ~Dispatcher();  // Stop()
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Polls now (call after submitting an evaluation that enqueued notices).
  void Wake();
  // Applies reloaded notifiers (rows for a removed notifier fail until it returns).
  void Reconfigure(std::vector<NotifierConfig> notifiers);
  // Finishes the delivery in progress (bounded by its timeout) and joins. Idempotent.
  void Stop();

  DispatcherStats Stats() const;

 private:
  Dispatcher(storage::HistoryWriter& writer, storage::Database db, DispatcherOptions options);
  void Loop();
  void Poll(TimePoint now);
  bool AlreadyHandled(const OutboxRow& row);
  void ForgetCommitted();
  void Deliver(const OutboxRow& row, const std::vector<NotifierConfig>& notifiers);
  void Record(const OutboxRow& row, const std::string& error, bool known_notifier);
  void RefreshAlertmanager(TimePoint now, const std::vector<NotifierConfig>& notifiers);
  RenderContext Context(int64_t id, TimePoint now) const;

  storage::HistoryWriter& writer_;
  storage::Database db_;  // read-only, used by the thread only
  DispatcherOptions options_;

  // Rows whose outcome was submitted but may not be committed yet: id -> attempts after it.
  // Used by the thread only.
  std::unordered_map<int64_t, int> handled_;
  std::chrono::steady_clock::time_point next_refresh_{};
  std::chrono::steady_clock::time_point next_prune_{};

  mutable std::mutex mu_;  // guards the members below
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::vector<NotifierConfig> notifiers_;
  DispatcherStats stats_;

  std::mutex stop_mu_;
  std::thread thread_;  // last: started after everything above exists
};

}  // namespace mcpwatch::alerts
