#include "alerts/outbox.h"

#include <algorithm>

#include "alerts/notice.h"
#include "alerts/routing.h"
#include "storage/rows.h"
#include "storage/run_row.h"

namespace mcpwatch::alerts {

namespace {

using storage::Database;
using storage::FromEpochMs;
using storage::Query;
using storage::ToEpochMs;

constexpr std::string_view kRowColumns =
    "id, dedup_key, notifier, transition, payload, created_at, attempts, next_attempt_at, "
    "delivered_at, last_error";

OutboxRow ReadRow(const Query& q) {
  OutboxRow r;
  r.id = q.Int(0);
  r.dedup_key = q.Text(1);
  r.notifier = q.Text(2);
  r.transition = q.Text(3);
  r.payload = q.Text(4);
  r.created_at = FromEpochMs(q.Int(5));
  r.attempts = static_cast<int>(q.Int(6));
  r.next_attempt_at = FromEpochMs(q.Int(7));
  if (auto at = q.OptInt(8)) r.delivered_at = FromEpochMs(*at);
  r.last_error = q.Text(9);
  return r;
}

// Binds nothing, or the given values in order, then collects every row.
template <typename... Args>
tl::expected<std::vector<OutboxRow>, std::string> SelectRows(Database& db, const std::string& sql,
                                                             Args... args) {
  auto q = db.Prepare(sql);
  if (!q) return tl::make_unexpected(q.error());
  (q->Bind(args), ...);
  return storage::CollectRows(*q, ReadRow);
}

std::optional<int64_t> OptMs(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return ToEpochMs(*t);
}

tl::expected<void, std::string> UpsertAlert(Database& db, const AlertRow& row) {
  auto q = db.Prepare(
      "INSERT INTO alerts(rule, target, state, since, fired_at, resolved_at, last_notified_at) "
      "VALUES(?,?,?,?,?,?,?) ON CONFLICT(rule, target) DO UPDATE SET state = excluded.state, "
      "since = excluded.since, fired_at = excluded.fired_at, resolved_at = excluded.resolved_at, "
      "last_notified_at = excluded.last_notified_at");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(row.rule).Bind(row.target).Bind(ToString(row.state)).Bind(ToEpochMs(row.since));
  q->Bind(OptMs(row.fired_at)).Bind(OptMs(row.resolved_at)).Bind(OptMs(row.last_notified_at));
  return q->Run();
}

tl::expected<void, std::string> InsertNotice(Database& db, const std::string& dedup_key,
                                             const std::string& key, const std::string& payload,
                                             const std::string& notifier, TimePoint now) {
  auto q = db.Prepare(
      "INSERT OR IGNORE INTO outbox(dedup_key, notifier, transition, payload, created_at, "
      "next_attempt_at) VALUES(?,?,?,?,?,?)");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(dedup_key).Bind(notifier).Bind(key).Bind(payload).Bind(ToEpochMs(now));
  q->Bind(ToEpochMs(now));
  return q->Run();
}

}  // namespace

std::chrono::milliseconds Backoff(int attempts) {
  const std::chrono::milliseconds cap = kMaxBackoff;
  if (attempts <= 1) return std::chrono::seconds(1);
  if (attempts > 20) return cap;
  return std::min(cap, std::chrono::milliseconds(1000LL << (attempts - 1)));
}

storage::WriteFn EvaluationWrite(const Evaluation& evaluation, const AlertingConfig& config,
                                 TimePoint now) {
  // Notices and their routes are computed here, on the caller's thread, so the write itself
  // is only SQL and can be re-run if the batch is retried.
  struct Row {
    std::string dedup_key;
    std::string key;
    std::string payload;
    std::vector<std::string> notifiers;
  };
  std::vector<Row> notices;
  for (const AlertTransition& t : evaluation.transitions) {
    nlohmann::json notice = MakeNotice(t);
    Row row{t.dedup_key, t.key, "", RouteNotice(config.routes, notice)};
    if (row.notifiers.empty()) continue;
    // Error texts come from probed servers: replace invalid UTF-8 rather than throw.
    row.payload = notice.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    notices.push_back(std::move(row));
  }
  return [rows = evaluation.rows, notices = std::move(notices),
          now](Database& db) -> tl::expected<void, std::string> {
    for (const AlertRow& row : rows) {
      if (auto done = UpsertAlert(db, row); !done) return done;
    }
    for (const Row& n : notices) {
      for (const std::string& notifier : n.notifiers) {
        auto done = InsertNotice(db, n.dedup_key, n.key, n.payload, notifier, now);
        if (!done) return done;
      }
    }
    return {};
  };
}

bool SubmitEvaluation(storage::HistoryWriter& writer, const Evaluation& evaluation,
                      const AlertingConfig& config, TimePoint now) {
  if (evaluation.rows.empty() && evaluation.transitions.empty()) return true;
  return writer.Submit(EvaluationWrite(evaluation, config, now));
}

tl::expected<void, std::string> MarkDelivered(Database& db, int64_t id, TimePoint at) {
  auto q = db.Prepare(
      "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
      "WHERE id = ? AND delivered_at IS NULL");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(ToEpochMs(at)).Bind(id);
  return q->Run();
}

tl::expected<void, std::string> MarkFailed(Database& db, int64_t id, int attempts,
                                           TimePoint next_attempt_at, std::string_view error) {
  auto q = db.Prepare(
      "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? "
      "WHERE id = ? AND delivered_at IS NULL");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(attempts).Bind(ToEpochMs(next_attempt_at)).Bind(error).Bind(id);
  return q->Run();
}

tl::expected<int64_t, std::string> PruneDelivered(Database& db, TimePoint before) {
  auto q = db.Prepare(
      "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ? AND id NOT IN "
      "(SELECT MAX(id) FROM outbox GROUP BY dedup_key, notifier)");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(ToEpochMs(before));
  if (auto done = q->Run(); !done) return tl::make_unexpected(done.error());
  return db.Changes();
}

tl::expected<std::vector<OutboxRow>, std::string> DueRows(Database& db, TimePoint now, int limit) {
  return SelectRows(db,
                    "SELECT " + std::string(kRowColumns) +
                        " FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? "
                        "ORDER BY next_attempt_at, id LIMIT ?",
                    ToEpochMs(now), static_cast<int64_t>(limit));
}

tl::expected<std::optional<OutboxRow>, std::string> RowById(Database& db, int64_t id) {
  auto q = db.Prepare("SELECT " + std::string(kRowColumns) + " FROM outbox WHERE id = ?");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(id);
  return storage::FirstRow(*q, ReadRow);
}

tl::expected<std::vector<OutboxRow>, std::string> Undelivered(Database& db, int limit) {
  return SelectRows(db,
                    "SELECT " + std::string(kRowColumns) +
                        " FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?",
                    static_cast<int64_t>(limit));
}

tl::expected<int64_t, std::string> PendingCount(Database& db) {
  auto q = db.Prepare("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL");
  if (!q) return tl::make_unexpected(q.error());
  auto has = q->Step();
  if (!has) return tl::make_unexpected(has.error());
  return *has ? q->Int(0) : 0;
}

tl::expected<std::vector<OutboxRow>, std::string> LatestFiringDelivered(Database& db,
                                                                        std::string_view notifier) {
  return SelectRows(db,
                    "SELECT " + std::string(kRowColumns) +
                        " FROM outbox WHERE id IN (SELECT MAX(id) FROM outbox WHERE notifier = ? "
                        "GROUP BY dedup_key) AND delivered_at IS NOT NULL AND transition NOT "
                        "LIKE 'resolved:%' ORDER BY id",
                    notifier);
}

tl::expected<std::vector<AlertRow>, std::string> LoadAlerts(Database& db) {
  auto q = db.Prepare(
      "SELECT rule, target, state, since, fired_at, resolved_at, last_notified_at FROM alerts "
      "ORDER BY rule, target");
  if (!q) return tl::make_unexpected(q.error());
  return storage::CollectRows(*q, [](const Query& row) {
    AlertRow r;
    r.rule = row.Text(0);
    r.target = row.Text(1);
    r.state = ParseAlertStatus(row.Text(2)).value_or(AlertStatus::kInactive);
    r.since = FromEpochMs(row.Int(3));
    if (auto v = row.OptInt(4)) r.fired_at = FromEpochMs(*v);
    if (auto v = row.OptInt(5)) r.resolved_at = FromEpochMs(*v);
    if (auto v = row.OptInt(6)) r.last_notified_at = FromEpochMs(*v);
    return r;
  });
}

}  // namespace mcpwatch::alerts
