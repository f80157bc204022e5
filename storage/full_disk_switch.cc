#include "storage/full_disk_switch.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>

namespace mcpwatch::storage {

namespace {

// Everything the VFS needs, alive for the rest of the process once registered (SQLite keeps
// pointers to it).
struct Switch {
  sqlite3_vfs* base = nullptr;  // the platform VFS we wrap
  std::string flag;             // writes fail while this file exists
  sqlite3_vfs vfs{};
  sqlite3_io_methods methods{};
};

Switch& State() {
  static Switch state;
  return state;
}

// Our file: SQLite allocates szOsFile bytes, this header first, the wrapped file right after.
struct File {
  sqlite3_file base;  // first: this is what SQLite sees
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) {
  return reinterpret_cast<File*>(f)->real;
}

bool DiskFull() {
  return ::access(State().flag.c_str(), F_OK) == 0;
}

int Close(sqlite3_file* f) {
  return Real(f)->pMethods->xClose(Real(f));
}
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, offset);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 offset) {
  if (DiskFull()) return SQLITE_FULL;
  return Real(f)->pMethods->xWrite(Real(f), buf, n, offset);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) {
  return Real(f)->pMethods->xLock(Real(f), level);
}
int Unlock(sqlite3_file* f, int level) {
  return Real(f)->pMethods->xUnlock(Real(f), level);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) {
  return Real(f)->pMethods->xSectorSize(Real(f));
}
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) {
  Real(f)->pMethods->xShmBarrier(Real(f));
}
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), offset, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, p);
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  Switch& s = State();
  auto* f = reinterpret_cast<File*>(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  const int rc = s.base->xOpen(s.base, name, f->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open: forward it exactly
  // when the wrapped file has something to close.
  f->base.pMethods = f->real->pMethods != nullptr ? &s.methods : nullptr;
  return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return State().base->xDelete(State().base, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return State().base->xAccess(State().base, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return State().base->xFullPathname(State().base, name, n, out);
}

}  // namespace

tl::expected<std::optional<std::string>, std::string> InstallFullDiskSwitchFromEnv() {
  const char* flag = std::getenv(kFullDiskSwitchEnv);
  if (flag == nullptr || *flag == '\0') return std::nullopt;
  Switch& s = State();
  if (s.base != nullptr) return s.flag;  // already installed
  s.base = sqlite3_vfs_find(nullptr);
  if (s.base == nullptr) return tl::make_unexpected(std::string("SQLite has no default VFS"));
  if (s.base->iVersion < 3) {
    return tl::make_unexpected(std::string("SQLite's default VFS is too old to wrap"));
  }
  s.flag = flag;
  s.methods = sqlite3_io_methods{3,
                                 Close,
                                 Read,
                                 Write,
                                 Truncate,
                                 Sync,
                                 FileSize,
                                 Lock,
                                 Unlock,
                                 CheckReservedLock,
                                 FileControl,
                                 SectorSize,
                                 DeviceCharacteristics,
                                 ShmMap,
                                 ShmLock,
                                 ShmBarrier,
                                 ShmUnmap,
                                 Fetch,
                                 Unfetch};
  // The platform VFS's time, randomness and dlopen entries ignore their VFS argument; the ones
  // that touch files go through the wrappers above.
  s.vfs = *s.base;
  s.vfs.pNext = nullptr;
  s.vfs.szOsFile = static_cast<int>(sizeof(File)) + s.base->szOsFile;
  s.vfs.zName = "mcpwatch-full-disk";
  s.vfs.pAppData = nullptr;
  s.vfs.xOpen = Open;
  s.vfs.xDelete = Delete;
  s.vfs.xAccess = Access;
  s.vfs.xFullPathname = FullPathname;
  if (const int rc = sqlite3_vfs_register(&s.vfs, 1); rc != SQLITE_OK) {
    s.base = nullptr;
    return tl::make_unexpected("registering the full-disk VFS: " + std::string(sqlite3_errstr(rc)));
  }
  return s.flag;
}

}  // namespace mcpwatch::storage
