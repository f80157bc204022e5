// The durable outbox (DESIGN §7): every notice becomes one `outbox` row per routed notifier,
// written in the same writer transaction as the alert-state rows, so a crash loses neither and
// UNIQUE(dedup_key, notifier, transition) makes enqueueing the same notice twice a no-op.
// The dispatcher reads due rows on its own connection and records outcomes through the writer.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "alerts/alert_state.h"
#include "config/alerting_config.h"
#include "storage/database.h"
#include "storage/writer.h"

namespace mcpwatch::alerts {

struct OutboxRow {
  int64_t id = 0;
  std::string dedup_key;
  std::string notifier;
  std::string transition;  // the notice key: "firing:<ms>", "resolved:<ms>", ...
  std::string payload;     // the notice JSON (alerts/notice.h)
  TimePoint created_at{};
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::optional<TimePoint> delivered_at;
  std::string last_error;
};

// Retry delay after `attempts` failed attempts: 1 s, 2 s, 4 s, ... capped at 10 min.
std::chrono::milliseconds Backoff(int attempts);
inline constexpr std::chrono::minutes kMaxBackoff{10};

// The write for one evaluation: upserts its alert rows and inserts one outbox row per
// (notice, routed notifier), ignoring rows already present. Runs on the writer thread.
storage::WriteFn EvaluationWrite(const Evaluation& evaluation, const AlertingConfig& config,
                                 TimePoint now);

// Submits EvaluationWrite (nothing when the evaluation changed nothing). false when the writer
// has stopped. Thread-safe (as HistoryWriter::Submit).
bool SubmitEvaluation(storage::HistoryWriter& writer, const Evaluation& evaluation,
                      const AlertingConfig& config, TimePoint now);

// Writes used by the dispatcher (on the writer thread).
tl::expected<void, std::string> MarkDelivered(storage::Database& db, int64_t id, TimePoint at);
tl::expected<void, std::string> MarkFailed(storage::Database& db, int64_t id, int attempts,
                                           TimePoint next_attempt_at, std::string_view error);
// Deletes delivered rows older than `before`, except each notifier's newest row per alert
// (the Alertmanager refresh re-sends it). Returns the rows deleted.
tl::expected<int64_t, std::string> PruneDelivered(storage::Database& db, TimePoint before);

// Reads (any connection).
// Undelivered rows due at `now`, oldest due first.
tl::expected<std::vector<OutboxRow>, std::string> DueRows(storage::Database& db, TimePoint now,
                                                          int limit);
tl::expected<std::optional<OutboxRow>, std::string> RowById(storage::Database& db, int64_t id);
// Undelivered rows (pending or failing), oldest first.
tl::expected<std::vector<OutboxRow>, std::string> Undelivered(storage::Database& db, int limit);
tl::expected<int64_t, std::string> PendingCount(storage::Database& db);
// Per alert (dedup_key) the newest row for `notifier`, when delivered and not a resolve.
tl::expected<std::vector<OutboxRow>, std::string> LatestFiringDelivered(storage::Database& db,
                                                                        std::string_view notifier);
// The `alerts` table (for AlertEngine::Restore and the alerts view).
tl::expected<std::vector<AlertRow>, std::string> LoadAlerts(storage::Database& db);

}  // namespace mcpwatch::alerts
