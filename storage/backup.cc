#include "storage/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "storage/database.h"
#include "storage/migrations.h"

namespace mcpwatch::storage {
namespace {

using Clock = std::chrono::steady_clock;

struct BackupFinisher {
  void operator()(sqlite3_backup* b) const { sqlite3_backup_finish(b); }
};

std::string SqliteError(sqlite3* db) {
  return db != nullptr ? sqlite3_errmsg(db) : "out of memory";
}

// fsync of a file or directory by path; "" on success.
std::string SyncPath(const std::filesystem::path& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return "cannot open " + path.string() + " to sync it: " + std::strerror(errno);
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  return rc == 0 ? "" : "cannot sync " + path.string() + ": " + std::strerror(saved);
}

// Copies the whole source in one step: one read transaction, one snapshot. A step of fewer pages
// would restart whenever the daemon commits in between, which it does every second.
tl::expected<void, std::string> CopyPages(sqlite3* from, sqlite3* to) {
  std::unique_ptr<sqlite3_backup, BackupFinisher> backup(
      sqlite3_backup_init(to, "main", from, "main"));
  if (!backup) return tl::make_unexpected("cannot start the copy: " + SqliteError(to));
  for (int attempt = 0;; ++attempt) {
    const int rc = sqlite3_backup_step(backup.get(), -1);
    if (rc == SQLITE_DONE) break;
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    return tl::make_unexpected("copying failed: " + std::string(sqlite3_errstr(rc)));
  }
  const int rc = sqlite3_backup_finish(backup.release());
  if (rc != SQLITE_OK) return tl::make_unexpected("copying failed: " + SqliteError(to));
  return {};
}

tl::expected<void, std::string> Verify(Database& copy, BackupResult& result) {
  auto check = copy.Prepare("PRAGMA integrity_check");
  if (!check) return tl::make_unexpected(check.error());
  auto row = check->Step();
  if (!row) return tl::make_unexpected(row.error());
  const std::string verdict = *row ? check->Text(0) : "no answer";
  if (verdict != "ok") return tl::make_unexpected("integrity_check of the copy says: " + verdict);
  auto version = SchemaVersion(copy);
  if (!version) return tl::make_unexpected(version.error());
  result.schema_version = *version;
  auto runs = copy.Prepare("SELECT count(*) FROM runs");
  if (!runs) return tl::make_unexpected(runs.error());
  if (auto r = runs->Step(); r && *r) result.runs = runs->Int(0);
  return {};
}

}  // namespace

tl::expected<BackupResult, std::string> BackupHistory(const std::filesystem::path& source,
                                                      const std::filesystem::path& dest,
                                                      const BackupOptions& options) {
  const auto start = Clock::now();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) {
    return tl::make_unexpected("no history at " + source.string() +
                               " (has `mcpwatch serve` run with this config?)");
  }
  if (std::filesystem::equivalent(source, dest, ec)) {
    return tl::make_unexpected(dest.string() + " is the history itself");
  }
  if (std::filesystem::exists(dest, ec) && !options.replace) {
    return tl::make_unexpected(dest.string() + " exists (pass --force to replace it)");
  }
  if (std::filesystem::is_directory(dest, ec)) {
    return tl::make_unexpected(dest.string() + " is a directory; name the backup file");
  }
  const std::filesystem::path dir =
      dest.has_parent_path() ? dest.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir, ec)) {
    return tl::make_unexpected("the directory " + dir.string() + " does not exist");
  }
  // Written beside DEST under a name of its own, renamed over DEST only once verified.
  const std::filesystem::path partial = dest.string() + ".partial-" + std::to_string(::getpid());
  auto cleanup = [&] {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::filesystem::remove(partial.string() + suffix, ec);
    }
  };
  cleanup();

  auto from = Database::Open(source, OpenMode::kReadOnly);
  if (!from) return tl::make_unexpected("opening " + source.string() + ": " + from.error());
  BackupResult result;
  {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(partial.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    std::unique_ptr<sqlite3, SqliteCloser> to(raw);
    if (rc != SQLITE_OK) {
      cleanup();
      return tl::make_unexpected("creating " + partial.string() + ": " + SqliteError(raw));
    }
    if (auto copied = CopyPages(from->handle(), to.get()); !copied) {
      cleanup();
      return tl::make_unexpected(copied.error() + " (writing " + partial.string() + ")");
    }
  }
  {
    auto copy = Database::Open(partial, OpenMode::kReadWrite);
    if (!copy) {
      cleanup();
      return tl::make_unexpected("reopening the copy: " + copy.error());
    }
    if (auto verified = Verify(*copy, result); !verified) {
      cleanup();
      return tl::make_unexpected(verified.error() + " (" + dest.string() + " left as it was)");
    }
    // Everything in the main file and the file in rollback-journal mode, so DEST is one
    // self-contained file that readers open without leaving -wal/-shm beside it. A daemon that
    // opens it as its history switches it back to WAL.
    if (auto folded = copy->Exec("PRAGMA journal_mode=DELETE"); !folded) {
      cleanup();
      return tl::make_unexpected("folding the copy into one file: " + folded.error());
    }
  }
  struct stat st {};
  if (::stat(source.c_str(), &st) == 0) ::chmod(partial.c_str(), st.st_mode & 0777);
  if (std::string why = SyncPath(partial, false); !why.empty()) {
    cleanup();
    return tl::make_unexpected(why);
  }
  // A journal left beside an older DEST would be replayed into the new file: remove it first.
  for (const char* suffix : {"-journal", "-wal", "-shm"}) {
    std::filesystem::remove(dest.string() + suffix, ec);
  }
  std::filesystem::rename(partial, dest, ec);
  if (ec) {
    cleanup();
    return tl::make_unexpected("renaming the copy to " + dest.string() + ": " + ec.message());
  }
  cleanup();  // the copy's -wal/-shm, if its last close left any
  if (std::string why = SyncPath(dir, true); !why.empty()) return tl::make_unexpected(why);
  result.bytes = std::filesystem::file_size(dest, ec);
  result.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

}  // namespace mcpwatch::storage
