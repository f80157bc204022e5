// One SQLite connection with the pragmas every mcpwatch connection needs, statements prepared
// once per connection, and a small typed Bind/Step helper.
//
// Thread-safety: a Database is used by one thread at a time (the writer thread owns the only
// read-write connection; every reader opens its own read-only one).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <unordered_map>

namespace mcpwatch::storage {

enum class OpenMode { kReadWrite, kReadOnly };
std::string_view ToString(OpenMode m);

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// A cached prepared statement borrowed from its Database: parameters are bound in order
// (Bind() appends), Step() walks the rows. Destruction resets it for the next user. Never keep
// two Query objects for the same SQL text alive at once.
class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  Query& Bind(int64_t value);
  Query& Bind(int value) { return Bind(static_cast<int64_t>(value)); }
  Query& Bind(bool value) { return Bind(static_cast<int64_t>(value ? 1 : 0)); }
  Query& Bind(double value);
  Query& Bind(std::string_view value);  // copied by SQLite (SQLITE_TRANSIENT)
  Query& Bind(const char* value) { return Bind(std::string_view(value)); }
  Query& Bind(const std::string& value) { return Bind(std::string_view(value)); }
  Query& Bind(std::nullopt_t);
  template <typename T>
  Query& Bind(const std::optional<T>& value) {
    return value ? Bind(*value) : Bind(std::nullopt);
  }
  // Binds NULL for an empty string, so "absent" text costs one byte on disk.
  Query& BindTextOrNull(std::string_view value);

  // true: a row is available; false: done. An error carries SQLite's message.
  tl::expected<bool, std::string> Step();
  // Steps until done (for statements that return no rows).
  tl::expected<void, std::string> Run();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;  // "" for NULL
  std::optional<int64_t> OptInt(int col) const;
  std::optional<double> OptReal(int col) const;

 private:
  void NoteBind(int rc);

  sqlite3_stmt* stmt_;
  int next_param_ = 1;
  int bind_error_ = SQLITE_OK;
};

class Database {
 public:
  // Opens (creating the file and its parent directory in read-write mode) and applies
  // journal_mode=WAL, synchronous=NORMAL, journal_size_limit=32 MiB (read-write),
  // busy_timeout=5000, foreign_keys=ON.
  static tl::expected<Database, std::string> Open(const std::filesystem::path& path, OpenMode mode);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;

  // Runs one or more statements without parameters.
  tl::expected<void, std::string> Exec(std::string_view sql);
  // Returns the statement for `sql`, prepared on first use and cached for the connection.
  tl::expected<Query, std::string> Prepare(std::string_view sql);

  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }
  std::string ErrorMessage() const { return sqlite3_errmsg(db_.get()); }
  const std::filesystem::path& path() const { return path_; }
  OpenMode mode() const { return mode_; }
  sqlite3* handle() const { return db_.get(); }

 private:
  Database(std::unique_ptr<sqlite3, SqliteCloser> db, std::filesystem::path path, OpenMode mode)
      : db_(std::move(db)), path_(std::move(path)), mode_(mode) {}

  // Declared first so it is destroyed last: statements must be finalized before the close.
  std::unique_ptr<sqlite3, SqliteCloser> db_;
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, StatementFinalizer>, SqlHash,
                     std::equal_to<>>
      statements_;
  std::filesystem::path path_;
  OpenMode mode_;
};

// Runs `body` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK when it fails).
template <typename Body>
tl::expected<void, std::string> InTransaction(Database& db, Body&& body) {
  if (auto begun = db.Exec("BEGIN IMMEDIATE"); !begun) return begun;
  tl::expected<void, std::string> result = body();
  if (result) result = db.Exec("COMMIT");
  if (!result) (void)db.Exec("ROLLBACK");
  return result;
}

}  // namespace mcpwatch::storage
