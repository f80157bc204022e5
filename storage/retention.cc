#include "storage/retention.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "storage/meta.h"
#include "storage/percentile.h"
#include "storage/rows.h"

namespace mcpwatch::storage {

namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int kTargetsPerRollupStep = 256;
constexpr std::string_view kClosedUntilKey = "rollup_closed_until";

int64_t FloorHour(int64_t ms) {
  return ms - (((ms % kHourMs) + kHourMs) % kHourMs);
}

struct Rollup {
  int64_t target_id = 0;
  int64_t runs = 0;
  int64_t successes = 0;
  int64_t maintenance_runs = 0;
  std::vector<double> latencies_ms;
  std::map<std::string, int64_t> class_counts;
};

tl::expected<std::optional<Rollup>, std::string> ComputeRollup(Database& db, int64_t target_id,
                                                               int64_t hour) {
  auto query = db.Prepare(
      "SELECT class, ok, total_ms, maintenance FROM runs "
      "WHERE target_id = ? AND started_at >= ? AND started_at < ?");
  if (!query) return tl::make_unexpected(query.error());
  query->Bind(target_id).Bind(hour).Bind(hour + kHourMs);
  Rollup rollup;
  rollup.target_id = target_id;
  bool any = false;
  auto read = ForEachRow(*query, [&](const Query& row) {
    any = true;
    if (row.Int(3) != 0) {
      ++rollup.maintenance_runs;
      return;
    }
    ++rollup.runs;
    ++rollup.class_counts[row.Text(0)];
    if (row.Int(1) != 0) {
      ++rollup.successes;
      rollup.latencies_ms.push_back(row.Real(2));
    }
  });
  if (!read) return tl::make_unexpected(read.error());
  if (!any) return std::nullopt;
  return rollup;
}

tl::expected<void, std::string> WriteRollup(Database& db, int64_t hour, Rollup& r) {
  auto insert = db.Prepare(
      "INSERT OR REPLACE INTO rollups_hourly(target_id, hour, runs, successes, maintenance_runs, "
      "latency_sum_ms, latency_min_ms, latency_max_ms, p50_ms, p95_ms, class_counts) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  if (!insert) return tl::make_unexpected(insert.error());
  insert->Bind(r.target_id).Bind(hour).Bind(r.runs).Bind(r.successes).Bind(r.maintenance_runs);
  if (r.latencies_ms.empty()) {
    for (int i = 0; i < 5; ++i) insert->Bind(std::nullopt);
  } else {
    double sum = 0;
    for (double v : r.latencies_ms) sum += v;
    const auto [min, max] = std::minmax_element(r.latencies_ms.begin(), r.latencies_ms.end());
    insert->Bind(sum).Bind(*min).Bind(*max);
    insert->Bind(Percentile(r.latencies_ms, 0.50)).Bind(Percentile(r.latencies_ms, 0.95));
  }
  insert->Bind(nlohmann::json(r.class_counts).dump());
  return insert->Run();
}

// A table whose oldest rows expire: `scan` lists (key, time) in key order up to a LIMIT, and
// `remove` deletes every row up to a key.
struct ExpiringTable {
  std::string_view scan;
  std::string_view remove;
};

constexpr ExpiringTable kRunsTable = {"SELECT id, started_at FROM runs ORDER BY id LIMIT ?",
                                      "DELETE FROM runs WHERE id <= ?"};
constexpr ExpiringTable kRollupsTable = {
    "SELECT rowid, hour FROM rollups_hourly ORDER BY rowid LIMIT ?",
    "DELETE FROM rollups_hourly WHERE rowid <= ?"};

// The key of the last row of the table's expired prefix: scanning at most `limit` rows in key
// order and stopping at the first one not older than `cutoff_ms`. Rows are appended in roughly
// time order, so this finds the expired prefix without an index on time.
tl::expected<std::optional<int64_t>, std::string> ExpiredPrefixEnd(Database& db,
                                                                   const ExpiringTable& table,
                                                                   int64_t cutoff_ms, int limit) {
  auto query = db.Prepare(table.scan);
  if (!query) return tl::make_unexpected(query.error());
  query->Bind(limit);
  std::optional<int64_t> last;
  while (true) {
    auto row = query->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row || query->Int(1) >= cutoff_ms) break;
    last = query->Int(0);
  }
  return last;
}

// Deletes the table's expired prefix (see ExpiredPrefixEnd) in one transaction; how many rows
// went.
tl::expected<int64_t, std::string> DeleteExpiredPrefix(Database& db, const ExpiringTable& table,
                                                       int64_t cutoff_ms, int limit) {
  auto end = ExpiredPrefixEnd(db, table, cutoff_ms, limit);
  if (!end) return tl::make_unexpected(end.error());
  if (!*end) return 0;
  int64_t deleted = 0;
  auto done = InTransaction(db, [&]() -> tl::expected<void, std::string> {
    auto del = db.Prepare(table.remove);
    if (!del) return tl::make_unexpected(del.error());
    del->Bind(**end);
    auto ran = del->Run();
    deleted = db.Changes();
    return ran;
  });
  if (!done) return tl::make_unexpected(done.error());
  return deleted;
}

}  // namespace

tl::expected<bool, std::string> RetentionJob::Step(Database& db, TimePoint now) {
  auto more = RollupStep(db, now);
  if (!more || *more) return more;
  more = DeleteRunsStep(db, now);
  if (!more || *more) return more;
  return DeleteRollupsStep(db, now);
}

tl::expected<std::optional<int64_t>, std::string> RetentionJob::ClosedUntil(Database& db) {
  auto stored = ReadMeta(db, kClosedUntilKey);
  if (!stored) return tl::make_unexpected(stored.error());
  if (*stored) return stored;
  // First pass: start one hour before the oldest row (rows are appended in about time order).
  auto first = db.Prepare("SELECT started_at FROM runs ORDER BY id LIMIT 1");
  if (!first) return tl::make_unexpected(first.error());
  return FirstRow(*first, [](const Query& row) { return FloorHour(row.Int(0)) - kHourMs; });
}

tl::expected<bool, std::string> RetentionJob::RollupStep(Database& db, TimePoint now) {
  auto closed_until = ClosedUntil(db);
  if (!closed_until) return tl::make_unexpected(closed_until.error());
  if (!*closed_until) return false;  // no runs yet
  const int64_t hour = **closed_until;
  const int64_t closable_before = FloorHour(ToEpochMs(now - policy_.close_grace));
  if (hour >= closable_before) return false;

  auto targets = db.Prepare("SELECT id FROM targets WHERE id > ? ORDER BY id LIMIT ?");
  if (!targets) return tl::make_unexpected(targets.error());
  targets->Bind(next_target_id_).Bind(kTargetsPerRollupStep);
  auto ids = CollectRows(*targets, [](const Query& row) { return row.Int(0); });
  if (!ids) return tl::make_unexpected(ids.error());
  std::vector<Rollup> rollups;
  for (int64_t id : *ids) {
    auto rollup = ComputeRollup(db, id, hour);
    if (!rollup) return tl::make_unexpected(rollup.error());
    if (*rollup) rollups.push_back(std::move(**rollup));
  }
  const bool hour_done = ids->size() < static_cast<size_t>(kTargetsPerRollupStep);
  auto written = InTransaction(db, [&]() -> tl::expected<void, std::string> {
    for (Rollup& r : rollups) {
      if (auto done = WriteRollup(db, hour, r); !done) return done;
    }
    return WriteMeta(db, kClosedUntilKey, hour_done ? hour + kHourMs : hour);
  });
  if (!written) return tl::make_unexpected(written.error());
  report_.rollups_written += static_cast<int64_t>(rollups.size());
  if (hour_done) {
    ++report_.hours_closed;
    next_target_id_ = 0;
  } else {
    next_target_id_ = ids->back();
  }
  return true;
}

tl::expected<bool, std::string> RetentionJob::DeleteRunsStep(Database& db, TimePoint now) {
  auto closed_until = ClosedUntil(db);
  if (!closed_until) return tl::make_unexpected(closed_until.error());
  if (!*closed_until) return false;
  // Never delete a run whose hour has not been rolled up yet.
  const int64_t cutoff = std::min(ToEpochMs(now - policy_.raw_retention), **closed_until);
  auto deleted = DeleteExpiredPrefix(db, kRunsTable, cutoff, policy_.max_rows_per_transaction);
  if (!deleted) return tl::make_unexpected(deleted.error());
  report_.runs_deleted += *deleted;
  return *deleted > 0;
}

tl::expected<bool, std::string> RetentionJob::DeleteRollupsStep(Database& db, TimePoint now) {
  const int64_t cutoff = ToEpochMs(now - policy_.rollup_retention);
  auto deleted = DeleteExpiredPrefix(db, kRollupsTable, cutoff, policy_.max_rows_per_transaction);
  if (!deleted) return tl::make_unexpected(deleted.error());
  report_.rollups_deleted += *deleted;
  return *deleted > 0;
}

tl::expected<RetentionReport, std::string> RunRetention(Database& db, const RetentionPolicy& policy,
                                                        TimePoint now) {
  RetentionJob job(policy);
  while (true) {
    auto more = job.Step(db, now);
    if (!more) return tl::make_unexpected(more.error());
    if (!*more) return job.report();
  }
}

}  // namespace mcpwatch::storage
