#include "storage/meta.h"

#include "storage/rows.h"

namespace mcpwatch::storage {

tl::expected<std::optional<int64_t>, std::string> ReadMeta(Database& db, std::string_view key) {
  auto query = db.Prepare("SELECT value FROM storage_meta WHERE key = ?");
  if (!query) return tl::make_unexpected(query.error());
  query->Bind(key);
  return FirstRow(*query, [](const Query& row) { return row.Int(0); });
}

tl::expected<void, std::string> WriteMeta(Database& db, std::string_view key, int64_t value) {
  auto upsert = db.Prepare("INSERT OR REPLACE INTO storage_meta(key, value) VALUES(?, ?)");
  if (!upsert) return tl::make_unexpected(upsert.error());
  upsert->Bind(key).Bind(value);
  return upsert->Run();
}

tl::expected<void, std::string> SetCleanShutdown(Database& db, bool clean) {
  // In WAL mode synchronous=NORMAL syncs only at checkpoints; FULL syncs the WAL at this
  // commit. The connection's own level is put back afterwards.
  int64_t level = 0;
  {
    auto current = db.Prepare("PRAGMA synchronous");
    if (!current) return tl::make_unexpected(current.error());
    auto row = current->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) return tl::make_unexpected(std::string("PRAGMA synchronous returned no row"));
    level = current->Int(0);
  }
  if (auto full = db.Exec("PRAGMA synchronous = FULL"); !full) return full;
  auto written = WriteMeta(db, kCleanShutdownKey, clean ? 1 : 0);
  auto restored = db.Exec("PRAGMA synchronous = " + std::to_string(level));
  if (!written) return written;
  return restored;
}

}  // namespace mcpwatch::storage
