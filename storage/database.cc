#include "storage/database.h"

#include <system_error>

namespace mcpwatch::storage {

namespace {

constexpr int kBusyTimeoutMs = 5000;

std::string Message(sqlite3* db, int rc) {
  return db != nullptr ? std::string(sqlite3_errmsg(db)) : std::string(sqlite3_errstr(rc));
}

}  // namespace

std::string_view ToString(OpenMode m) {
  switch (m) {
    case OpenMode::kReadWrite: return "read-write";
    case OpenMode::kReadOnly: return "read-only";
  }
  return "read-only";
}

Query::Query(Query&& other) noexcept
    : stmt_(other.stmt_), next_param_(other.next_param_), bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::Bind(int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, next_param_++, value));
  return *this;
}

Query& Query::Bind(double value) {
  NoteBind(sqlite3_bind_double(stmt_, next_param_++, value));
  return *this;
}

Query& Query::Bind(std::string_view value) {
  NoteBind(sqlite3_bind_text64(stmt_, next_param_++, value.data(), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8));
  return *this;
}

Query& Query::Bind(std::nullopt_t) {
  NoteBind(sqlite3_bind_null(stmt_, next_param_++));
  return *this;
}

Query& Query::BindTextOrNull(std::string_view value) {
  return value.empty() ? Bind(std::nullopt) : Bind(value);
}

void Query::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

tl::expected<bool, std::string> Query::Step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_error_ != SQLITE_OK) {
    return tl::make_unexpected("bind failed: " + std::string(sqlite3_errstr(bind_error_)));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::make_unexpected(Message(db, rc));
}

tl::expected<void, std::string> Query::Run() {
  while (true) {
    auto row = Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) return {};
  }
}

bool Query::IsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
int64_t Query::Int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}
double Query::Real(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::string Query::Text(int col) const {
  const auto* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<int64_t> Query::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::optional<double> Query::OptReal(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Real(col);
}

tl::expected<Database, std::string> Database::Open(const std::filesystem::path& path,
                                                   OpenMode mode) {
  int flags = SQLITE_OPEN_NOMUTEX;
  if (mode == OpenMode::kReadWrite) {
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (path.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec) {
        return tl::make_unexpected("cannot create directory " + path.parent_path().string() + ": " +
                                   ec.message());
      }
    }
  } else {
    flags |= SQLITE_OPEN_READONLY;
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> handle(raw);
  if (rc != SQLITE_OK) {
    return tl::make_unexpected("cannot open database " + path.string() + " (" +
                               std::string(ToString(mode)) + "): " + Message(raw, rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  Database db(std::move(handle), path, mode);
  // A read-only connection cannot switch the journal mode; the writer already made it WAL.
  // A reader holding one snapshot for long keeps checkpoints from restarting the WAL, so it
  // grows meanwhile; journal_size_limit truncates it back to 32 MiB at the first restart after
  // the reader lets go (docs/durability.md).
  const char* pragmas = mode == OpenMode::kReadWrite
                            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                              "PRAGMA journal_size_limit=33554432; PRAGMA foreign_keys=ON;"
                            : "PRAGMA foreign_keys=ON;";
  if (auto applied = db.Exec(pragmas); !applied) {
    return tl::make_unexpected("cannot configure database " + path.string() + ": " +
                               applied.error());
  }
  return db;
}

tl::expected<void, std::string> Database::Exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return {};
  std::string message = error != nullptr ? error : Message(db_.get(), rc);
  sqlite3_free(error);
  return tl::make_unexpected(std::move(message));
}

tl::expected<Query, std::string> Database::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::string key(sql);
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), key.data(), static_cast<int>(key.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt(raw);
    if (rc != SQLITE_OK) return tl::make_unexpected(Message(db_.get(), rc));
    it = statements_.emplace(std::move(key), std::move(stmt)).first;
  }
  return Query(it->second.get());
}

}  // namespace mcpwatch::storage
