#include "tests/integration/serve/small_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace mcpwatch::test {

namespace {

constexpr const char* kTmpfsOptions = "size=8m,mode=0700";

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();
  return static_cast<bool>(f);
}

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// Enters a mount namespace of our own: directly when we may (root), else inside a new user
// namespace that maps our ids to root. Mounts made afterwards stay private to this process and
// the children it starts from now on.
bool EnterPrivateMountNamespace(std::string& why) {
  if (::unshare(CLONE_NEWNS) != 0) {
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      why = Errno("unshare(CLONE_NEWNS), and with CLONE_NEWUSER");
      return false;
    }
    if (!WriteFile("/proc/self/setgroups", "deny") ||
        !WriteFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
        !WriteFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
      why = "cannot write the new user namespace's id maps";
      return false;
    }
  }
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    why = Errno("making / private in the new mount namespace");
    return false;
  }
  return true;
}

// Writes `chunk` bytes at a time until the filesystem refuses with ENOSPC.
void WriteUntilFull(int fd, const std::vector<char>& buf, size_t chunk) {
  while (true) {
    const ssize_t n = ::write(fd, buf.data(), chunk);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOSPC) return;
    throw std::runtime_error(Errno("filling the tmpfs"));
  }
}

}  // namespace

std::optional<SmallDisk> SmallDisk::MountTmpfs(const TempDir& dir, std::string& why) {
  if (!EnterPrivateMountNamespace(why)) return std::nullopt;
  const std::string root = dir.File("disk");
  std::filesystem::create_directories(root);
  if (::mount("tmpfs", root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, kTmpfsOptions) != 0) {
    why = Errno("mount -t tmpfs -o " + std::string(kTmpfsOptions));
    return std::nullopt;
  }
  SmallDisk disk(Kind::kTmpfs, root, root + "/filler");
  disk.mounted_ = true;
  return disk;
}

SmallDisk SmallDisk::Switch(const TempDir& dir) {
  return SmallDisk(Kind::kSwitch, dir.path(), dir.File("disk-is-full"));
}

SmallDisk::~SmallDisk() {
  if (mounted_) ::umount2(root_.c_str(), MNT_DETACH);
}

SmallDisk::SmallDisk(SmallDisk&& other) noexcept
    : kind_(other.kind_),
      root_(std::move(other.root_)),
      filler_(std::move(other.filler_)),
      mounted_(other.mounted_) {
  other.mounted_ = false;
}

std::vector<std::string> SmallDisk::DaemonEnv() const {
  if (kind_ == Kind::kSwitch) return {"MCPWATCH_TEST_FULL_DISK=" + filler_};
  return {};
}

std::string SmallDisk::Describe() const {
  return kind_ == Kind::kTmpfs ? "tmpfs" : "full-disk switch";
}

void SmallDisk::Fill() {
  if (kind_ == Kind::kSwitch) {
    if (!WriteFile(filler_, "full\n")) throw std::runtime_error("cannot create " + filler_);
    return;
  }
  const int fd = ::open(filler_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(Errno("open " + filler_));
  const std::vector<char> buf(64 * 1024, 'x');
  try {
    for (size_t chunk : {buf.size(), size_t{4096}, size_t{1}}) WriteUntilFull(fd, buf, chunk);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

void SmallDisk::Free() {
  std::filesystem::remove(filler_);
}

}  // namespace mcpwatch::test
