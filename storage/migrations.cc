#include "storage/migrations.h"

#include <chrono>
#include <vector>

#include "storage/log.h"
#include "storage/meta.h"

namespace mcpwatch::storage {

namespace {

// Sizes: at 10,000 targets × 1,440 runs/day the runs table dominates, so absent values are NULL
// (one header byte), steps are positional JSON arrays (see run_row.h) and every other table is
// keyed for the one access path it serves. Timestamps are INTEGER ms since the Unix epoch,
// durations REAL ms.
const std::vector<Migration> kMigrations = {
    {1, "add targets and runs", R"sql(
CREATE TABLE targets(
  id INTEGER PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  first_seen INTEGER NOT NULL);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  started_at INTEGER NOT NULL,
  class TEXT NOT NULL,
  ok INTEGER NOT NULL,
  total_ms REAL NOT NULL,
  error TEXT,
  diagnosis TEXT,
  transport TEXT,
  protocol_version TEXT,
  server_name TEXT,
  server_version TEXT,
  tool_count INTEGER,
  tools_hash TEXT,
  dns_ms REAL,
  connect_ms REAL,
  tls_ms REAL,
  cert_not_after INTEGER,
  steps TEXT NOT NULL,
  maintenance INTEGER NOT NULL DEFAULT 0);
CREATE INDEX runs_target_started ON runs(target_id, started_at);
)sql"},
    {2, "add run_counts", R"sql(
CREATE TABLE run_counts(
  target_id INTEGER NOT NULL REFERENCES targets(id),
  class TEXT NOT NULL,
  total INTEGER NOT NULL,
  PRIMARY KEY(target_id, class)) WITHOUT ROWID;
)sql"},
    {3, "add rollups_hourly", R"sql(
CREATE TABLE rollups_hourly(
  target_id INTEGER NOT NULL REFERENCES targets(id),
  hour INTEGER NOT NULL,
  runs INTEGER NOT NULL,
  successes INTEGER NOT NULL,
  maintenance_runs INTEGER NOT NULL,
  latency_sum_ms REAL,
  latency_min_ms REAL,
  latency_max_ms REAL,
  p50_ms REAL,
  p95_ms REAL,
  class_counts TEXT NOT NULL,
  PRIMARY KEY(target_id, hour));
CREATE TABLE storage_meta(
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL) WITHOUT ROWID;
)sql"},
    {4, "add events", R"sql(
CREATE TABLE events(
  id INTEGER PRIMARY KEY,
  target_id INTEGER REFERENCES targets(id),
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}');
CREATE INDEX events_target_at ON events(target_id, at);
CREATE INDEX events_at ON events(at);
)sql"},
    {5, "add schema_snapshots", R"sql(
CREATE TABLE schema_snapshots(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  hash TEXT NOT NULL,
  tools TEXT NOT NULL,
  server_version TEXT,
  first_seen INTEGER NOT NULL,
  accepted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX schema_snapshots_target ON schema_snapshots(target_id, id);
)sql"},
    {6, "add target_state", R"sql(
CREATE TABLE target_state(
  target_id INTEGER PRIMARY KEY REFERENCES targets(id),
  state TEXT NOT NULL,
  since INTEGER NOT NULL,
  details TEXT);
)sql"},
    {7, "add outbox", R"sql(
CREATE TABLE outbox(
  id INTEGER PRIMARY KEY,
  dedup_key TEXT NOT NULL,
  notifier TEXT NOT NULL,
  transition TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT,
  UNIQUE(dedup_key, notifier, transition));
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE delivered_at IS NULL;
)sql"},
    {8, "add alerts", R"sql(
CREATE TABLE alerts(
  rule TEXT NOT NULL,
  target TEXT NOT NULL,
  state TEXT NOT NULL,
  since INTEGER NOT NULL,
  fired_at INTEGER,
  resolved_at INTEGER,
  last_notified_at INTEGER,
  PRIMARY KEY(rule, target)) WITHOUT ROWID;
)sql"},
    // The server's own health endpoint's HTTP status (0: no answer), NULL for a target without
    // a health_url (issue 11). Adding a nullable column rewrites nothing.
    {9, "add runs.health_status", R"sql(
ALTER TABLE runs ADD COLUMN health_status INTEGER;
)sql"},
};

tl::expected<int, std::string> PragmaInt(Database& db, std::string_view sql) {
  auto query = db.Prepare(sql);
  if (!query) return tl::make_unexpected(query.error());
  auto row = query->Step();
  if (!row) return tl::make_unexpected(row.error());
  return *row ? static_cast<int>(query->Int(0)) : 0;
}

tl::expected<void, std::string> ApplyStep(Database& db, const Migration& step) {
  return InTransaction(db, [&]() -> tl::expected<void, std::string> {
    if (auto done = db.Exec(step.sql); !done) return done;
    return db.Exec("PRAGMA user_version = " + std::to_string(step.version));
  });
}

std::string CorruptMessage(const Database& db, const std::string& detail) {
  return "database " + db.path().string() + " is corrupt (quick_check: " + detail +
         "); restore it from a backup or move it aside to start a new history";
}

// What the file says about how its last writer ended, which decides whether quick_check runs.
enum class LastShutdown { kNewFile, kClean, kUnclean, kUnknown };

std::string_view ToString(LastShutdown s) {
  switch (s) {
    case LastShutdown::kNewFile: return "new_file";
    case LastShutdown::kClean: return "clean";
    case LastShutdown::kUnclean: return "unclean";
    case LastShutdown::kUnknown: return "unknown";
  }
  return "unknown";
}

// Unknown (so the check runs) when the marker is absent — a schema before step 3, or a file
// last written by an mcpwatch without the marker — or when reading it fails.
LastShutdown ReadLastShutdown(Database& db) {
  auto objects = PragmaInt(db, "SELECT count(*) FROM sqlite_schema");
  if (!objects) return LastShutdown::kUnknown;
  if (*objects == 0) return LastShutdown::kNewFile;
  auto marker = ReadMeta(db, kCleanShutdownKey);
  if (!marker || !*marker) return LastShutdown::kUnknown;
  return **marker == 1 ? LastShutdown::kClean : LastShutdown::kUnclean;
}

// quick_check reads the whole file (minutes at tens of GB), so it runs only when the last
// writer may have died mid-write: the case where a damaged page is likely.
tl::expected<void, std::string> CheckIntegrityUnlessCleanShutdown(Database& db) {
  const LastShutdown last = ReadLastShutdown(db);
  switch (last) {
    case LastShutdown::kNewFile:
      Log()->info("integrity check skipped: new database path={}", db.path().string());
      return {};
    case LastShutdown::kClean:
      Log()->info("integrity check skipped: last shutdown was clean path={}", db.path().string());
      return {};
    case LastShutdown::kUnclean:
    case LastShutdown::kUnknown: break;
  }
  const auto start = std::chrono::steady_clock::now();
  auto intact = CheckIntegrity(db);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  Log()->info(
      "integrity check (quick_check) after an unclean shutdown took {} ms path={} "
      "last_shutdown={} ok={}",
      took.count(), db.path().string(), ToString(last), intact.has_value());
  return intact;
}

}  // namespace

const std::vector<Migration>& Migrations() {
  return kMigrations;
}
int LatestSchemaVersion() {
  return kMigrations.back().version;
}

tl::expected<int, std::string> SchemaVersion(Database& db) {
  return PragmaInt(db, "PRAGMA user_version");
}

tl::expected<void, std::string> CheckNotNewer(Database& db) {
  auto version = SchemaVersion(db);
  if (!version) return tl::make_unexpected(version.error());
  if (*version > LatestSchemaVersion()) {
    return tl::make_unexpected("database " + db.path().string() + " has schema version " +
                               std::to_string(*version) + ", newer than this mcpwatch (" +
                               std::to_string(LatestSchemaVersion()) +
                               "); run a newer mcpwatch or point it at another database");
  }
  return {};
}

tl::expected<void, std::string> CheckIntegrity(Database& db) {
  auto query = db.Prepare("PRAGMA quick_check");
  if (!query) return tl::make_unexpected(CorruptMessage(db, query.error()));
  std::string problems;
  while (true) {
    auto row = query->Step();
    if (!row) return tl::make_unexpected(CorruptMessage(db, row.error()));
    if (!*row) break;
    std::string line = query->Text(0);
    if (line == "ok") continue;
    if (!problems.empty()) problems += "; ";
    if (problems.size() > 400) {
      problems += "...";
      break;
    }
    problems += line;
  }
  if (!problems.empty()) return tl::make_unexpected(CorruptMessage(db, problems));
  return {};
}

tl::expected<int, std::string> Migrate(Database& db) {
  auto version = SchemaVersion(db);
  if (!version) return tl::make_unexpected(version.error());
  if (auto newer = CheckNotNewer(db); !newer) return tl::make_unexpected(newer.error());
  for (const Migration& step : kMigrations) {
    if (step.version <= *version) continue;
    if (auto applied = ApplyStep(db, step); !applied) {
      return tl::make_unexpected("migration " + std::to_string(step.version) + " (" +
                                 std::string(step.name) + ") failed: " + applied.error());
    }
    *version = step.version;
  }
  return *version;
}

tl::expected<Database, std::string> OpenForWriting(const std::filesystem::path& path) {
  auto db = Database::Open(path, OpenMode::kReadWrite);
  if (!db) {
    // Opening applies pragmas, which read the header: garbage there is corruption, not I/O.
    if (db.error().find("not a database") != std::string::npos ||
        db.error().find("malformed") != std::string::npos) {
      return tl::make_unexpected("database " + path.string() +
                                 " is corrupt (quick_check: " + db.error() +
                                 "); restore it from a backup or move it aside to start a new "
                                 "history");
    }
    return tl::make_unexpected(db.error());
  }
  if (auto intact = CheckIntegrityUnlessCleanShutdown(*db); !intact) {
    return tl::make_unexpected(intact.error());
  }
  if (auto migrated = Migrate(*db); !migrated) return tl::make_unexpected(migrated.error());
  // From here until a clean HistoryWriter::Stop() a crash must make the next start check.
  if (auto open = SetCleanShutdown(*db, false); !open) {
    return tl::make_unexpected("cannot record in database " + path.string() +
                               " that a writer has it open: " + open.error());
  }
  return db;
}

tl::expected<Database, std::string> OpenForReading(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return tl::make_unexpected("database " + path.string() +
                               " does not exist (has the daemon run yet?)");
  }
  auto db = Database::Open(path, OpenMode::kReadOnly);
  if (!db) return tl::make_unexpected(db.error());
  auto version = SchemaVersion(*db);
  if (!version)
    return tl::make_unexpected("cannot read database " + path.string() + ": " + version.error());
  if (auto newer = CheckNotNewer(*db); !newer) return tl::make_unexpected(newer.error());
  if (*version < LatestSchemaVersion()) {
    return tl::make_unexpected("database " + path.string() + " has schema version " +
                               std::to_string(*version) + ", older than this mcpwatch (" +
                               std::to_string(LatestSchemaVersion()) +
                               "); start the daemon once to migrate it");
  }
  return db;
}

}  // namespace mcpwatch::storage
