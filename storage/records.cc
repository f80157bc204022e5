#include "storage/records.h"

#include "storage/batch.h"

namespace mcpwatch::storage {

tl::expected<void, std::string> InsertEvent(Database& db, std::string_view target, TimePoint at,
                                            std::string_view kind, std::string_view details) {
  std::optional<int64_t> target_id;
  if (!target.empty()) {
    auto id = FindOrCreateTarget(db, target, at);
    if (!id) return tl::make_unexpected(id.error());
    target_id = *id;
  }
  auto insert = db.Prepare("INSERT INTO events(target_id, at, kind, details) VALUES(?,?,?,?)");
  if (!insert) return tl::make_unexpected(insert.error());
  insert->Bind(target_id).Bind(ToEpochMs(at)).Bind(kind).Bind(details.empty() ? "{}" : details);
  return insert->Run();
}

tl::expected<bool, std::string> SaveSnapshotIfChanged(Database& db, std::string_view target,
                                                      std::string_view hash, std::string_view tools,
                                                      std::string_view server_version,
                                                      TimePoint seen) {
  auto id = FindOrCreateTarget(db, target, seen);
  if (!id) return tl::make_unexpected(id.error());
  {
    auto latest = db.Prepare(
        "SELECT hash FROM schema_snapshots WHERE target_id = ? ORDER BY id DESC LIMIT 1");
    if (!latest) return tl::make_unexpected(latest.error());
    latest->Bind(*id);
    auto has = latest->Step();
    if (!has) return tl::make_unexpected(has.error());
    if (*has && latest->Text(0) == hash) return false;
  }
  auto insert = db.Prepare(
      "INSERT INTO schema_snapshots(target_id, hash, tools, server_version, first_seen) "
      "VALUES(?,?,?,?,?)");
  if (!insert) return tl::make_unexpected(insert.error());
  insert->Bind(*id).Bind(hash).Bind(tools).BindTextOrNull(server_version).Bind(ToEpochMs(seen));
  if (auto done = insert->Run(); !done) return tl::make_unexpected(done.error());
  return true;
}

tl::expected<bool, std::string> AcceptSnapshot(Database& db, std::string_view target,
                                               std::string_view hash) {
  auto update = db.Prepare(
      "UPDATE schema_snapshots SET accepted = 1 WHERE id = (SELECT s.id FROM schema_snapshots s "
      "JOIN targets t ON t.id = s.target_id WHERE t.name = ? AND s.hash = ? "
      "ORDER BY s.id DESC LIMIT 1)");
  if (!update) return tl::make_unexpected(update.error());
  update->Bind(target).Bind(hash);
  if (auto done = update->Run(); !done) return tl::make_unexpected(done.error());
  return db.Changes() > 0;
}

tl::expected<void, std::string> SetTargetState(Database& db, std::string_view target,
                                               std::string_view state, TimePoint since,
                                               std::string_view details) {
  auto id = FindOrCreateTarget(db, target, since);
  if (!id) return tl::make_unexpected(id.error());
  auto upsert = db.Prepare(
      "INSERT INTO target_state(target_id, state, since, details) VALUES(?,?,?,?) "
      "ON CONFLICT(target_id) DO UPDATE SET state = excluded.state, since = excluded.since, "
      "details = excluded.details");
  if (!upsert) return tl::make_unexpected(upsert.error());
  upsert->Bind(*id).Bind(state).Bind(ToEpochMs(since)).BindTextOrNull(details);
  return upsert->Run();
}

}  // namespace mcpwatch::storage
