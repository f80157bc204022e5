// A disk the tests can fill up and free again under a running daemon.
//
// Preferred: a real 8 MiB tmpfs, mounted in a mount namespace of this test process only (so it
// never shows on the host and vanishes with the process). As root that needs CAP_SYS_ADMIN; as
// any other user, unprivileged user namespaces. Filling writes a file until ENOSPC; freeing
// deletes it. Where neither is allowed (a locked-down container), the fallback is the daemon's
// full-disk switch (storage/full_disk_switch.h): the same SQLITE_FULL, from a shim VFS.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/support/paths.h"

namespace mcpwatch::test {

class SmallDisk {
 public:
  // A tmpfs under `dir`; nullopt (with `why` set) when this process may not mount one. Call
  // before this process starts any thread: joining a user namespace needs a single thread.
  static std::optional<SmallDisk> MountTmpfs(const TempDir& dir, std::string& why);
  // The switch: the database lives in `dir`, a flag file beside it makes writes fail.
  static SmallDisk Switch(const TempDir& dir);

  ~SmallDisk();
  SmallDisk(SmallDisk&& other) noexcept;
  SmallDisk& operator=(SmallDisk&&) = delete;
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  std::string DatabasePath() const { return root_ + "/history.db"; }
  // Extra environment for the daemon ("K=V").
  std::vector<std::string> DaemonEnv() const;
  std::string Describe() const;  // "tmpfs" or "full-disk switch"

  void Fill();  // throws std::runtime_error when the disk cannot be filled
  void Free();

 private:
  enum class Kind { kTmpfs, kSwitch };
  SmallDisk(Kind kind, std::string root, std::string filler)
      : kind_(kind), root_(std::move(root)), filler_(std::move(filler)) {}

  Kind kind_;
  std::string root_;    // where the database lives (the mount point for a tmpfs)
  std::string filler_;  // the file that fills the tmpfs, or the switch's flag file
  bool mounted_ = false;
};

}  // namespace mcpwatch::test
