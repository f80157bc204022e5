#include "storage/batch.h"

#include <exception>
#include <map>
#include <utility>

#include "storage/log.h"

namespace mcpwatch::storage {

namespace {

constexpr std::string_view kInsertRun =
    "INSERT INTO runs(target_id, started_at, class, ok, total_ms, error, diagnosis, transport, "
    "protocol_version, server_name, server_version, tool_count, tools_hash, dns_ms, connect_ms, "
    "tls_ms, cert_not_after, steps, maintenance, health_status) "
    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

constexpr std::string_view kAddCount =
    "INSERT INTO run_counts(target_id, class, total) VALUES(?,?,?) "
    "ON CONFLICT(target_id, class) DO UPDATE SET total = total + excluded.total";

}  // namespace

tl::expected<int64_t, std::string> FindOrCreateTarget(Database& db, std::string_view name,
                                                      TimePoint first_seen) {
  {
    auto insert = db.Prepare(
        "INSERT INTO targets(name, first_seen) VALUES(?, ?) ON CONFLICT(name) DO NOTHING");
    if (!insert) return tl::make_unexpected(insert.error());
    insert->Bind(name).Bind(ToEpochMs(first_seen));
    if (auto done = insert->Run(); !done) return tl::make_unexpected(done.error());
  }
  auto select = db.Prepare("SELECT id FROM targets WHERE name = ?");
  if (!select) return tl::make_unexpected(select.error());
  select->Bind(name);
  auto row = select->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return tl::make_unexpected("target '" + std::string(name) + "' vanished");
  return select->Int(0);
}

tl::expected<BatchOutcome, std::string> BatchCommitter::Commit(
    const std::vector<WriteItem>& items) {
  BatchOutcome outcome;
  pending_ids_.clear();
  auto committed = InTransaction(db_, [&] { return WriteAll(items, outcome); });
  if (!committed) {
    pending_ids_.clear();  // rolled back: those ids may be reused by other names
    return tl::make_unexpected(committed.error());
  }
  target_ids_.merge(pending_ids_);
  pending_ids_.clear();
  return outcome;
}

tl::expected<void, std::string> BatchCommitter::WriteAll(const std::vector<WriteItem>& items,
                                                         BatchOutcome& outcome) {
  std::map<std::pair<int64_t, FailureClass>, int64_t> counts;
  for (const WriteItem& item : items) {
    if (const auto* row = std::get_if<RunRow>(&item)) {
      auto id = TargetId(row->target, row->started_at);
      if (!id) return tl::make_unexpected(id.error());
      if (auto done = InsertRun(*id, *row); !done) return done;
      ++counts[{*id, row->cls}];
      ++outcome.runs_written;
    } else if (auto done = RunSubmitted(std::get<WriteFn>(item), outcome); !done) {
      return done;
    }
  }
  for (const auto& [key, total] : counts) {
    auto add = db_.Prepare(kAddCount);
    if (!add) return tl::make_unexpected(add.error());
    add->Bind(key.first).Bind(ToString(key.second)).Bind(total);
    if (auto done = add->Run(); !done) return done;
  }
  return {};
}

tl::expected<int64_t, std::string> BatchCommitter::TargetId(const std::string& name,
                                                            TimePoint first_seen) {
  if (auto it = target_ids_.find(name); it != target_ids_.end()) return it->second;
  if (auto it = pending_ids_.find(name); it != pending_ids_.end()) return it->second;
  auto id = FindOrCreateTarget(db_, name, first_seen);
  if (id) pending_ids_.emplace(name, *id);
  return id;
}

tl::expected<void, std::string> BatchCommitter::InsertRun(int64_t target_id, const RunRow& row) {
  auto insert = db_.Prepare(kInsertRun);
  if (!insert) return tl::make_unexpected(insert.error());
  insert->Bind(target_id)
      .Bind(ToEpochMs(row.started_at))
      .Bind(ToString(row.cls))
      .Bind(row.ok)
      .Bind(ToMs(row.total))
      .BindTextOrNull(row.error)
      .BindTextOrNull(row.diagnosis)
      .BindTextOrNull(row.transport)
      .BindTextOrNull(row.protocol_version)
      .BindTextOrNull(row.server_name)
      .BindTextOrNull(row.server_version)
      .Bind(row.tool_count)
      .BindTextOrNull(row.tools_hash)
      .Bind(ToMs(row.dns))
      .Bind(ToMs(row.connect))
      .Bind(ToMs(row.tls));
  if (row.cert_not_after) {
    insert->Bind(ToEpochMs(*row.cert_not_after));
  } else {
    insert->Bind(std::nullopt);
  }
  insert->Bind(EncodeSteps(row.steps)).Bind(row.maintenance).Bind(row.health_status);
  return insert->Run();
}

tl::expected<void, std::string> BatchCommitter::RunSubmitted(const WriteFn& fn,
                                                             BatchOutcome& outcome) {
  if (auto saved = db_.Exec("SAVEPOINT submitted"); !saved) return saved;
  tl::expected<void, std::string> result;
  try {
    result = fn(db_);
  } catch (const std::exception& e) {
    result = tl::make_unexpected("exception: " + std::string(e.what()));
  }
  if (result) return db_.Exec("RELEASE submitted");
  ++outcome.writes_failed;
  Log()->error("submitted write failed, rolled back error=\"{}\"", result.error());
  if (auto undone = db_.Exec("ROLLBACK TO submitted"); !undone) return undone;
  return db_.Exec("RELEASE submitted");
}

}  // namespace mcpwatch::storage
