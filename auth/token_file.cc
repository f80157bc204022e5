#include "auth/token_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace mcpwatch {
namespace {

using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

constexpr int kVersion = 1;
constexpr std::size_t kMaxBytes = 4 * 1024 * 1024;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

json Time(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

std::optional<TimePoint> ReadTime(const json& j) {
  if (!j.is_number_integer()) return std::nullopt;
  return TimePoint(std::chrono::seconds(j.get<int64_t>()));
}

json ToJson(const StoredToken& t) {
  return {{"url", t.url},
          {"issuer", t.issuer},
          {"resource", t.resource},
          {"client_id", t.client_id},
          {"client_secret", t.client_secret},
          {"token_endpoint_auth_method", t.token_endpoint_auth_method},
          {"access_token", t.access_token},
          {"token_type", t.token_type},
          {"refresh_token", t.refresh_token},
          {"scope", t.scope},
          {"obtained_at", Time(t.obtained_at)},
          {"expires_at", Time(t.expires_at)},
          {"refresh_expires_at", Time(t.refresh_expires_at)},
          {"dpop_key_pem", t.dpop_key_pem}};
}

// Never quotes the document: it holds secrets.
std::optional<StoredToken> FromJson(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto str = [&](const char* name, std::string& out) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  StoredToken t;
  bool ok = str("url", t.url) && str("issuer", t.issuer) && str("resource", t.resource) &&
            str("client_id", t.client_id) && str("client_secret", t.client_secret) &&
            str("token_endpoint_auth_method", t.token_endpoint_auth_method) &&
            str("access_token", t.access_token) && str("token_type", t.token_type) &&
            str("refresh_token", t.refresh_token) && str("scope", t.scope) &&
            str("dpop_key_pem", t.dpop_key_pem);
  if (!ok || t.issuer.empty() || t.client_id.empty() || t.access_token.empty()) {
    return std::nullopt;
  }
  t.obtained_at = ReadTime(j.value("obtained_at", json()));
  t.expires_at = ReadTime(j.value("expires_at", json()));
  t.refresh_expires_at = ReadTime(j.value("refresh_expires_at", json()));
  return t;
}

tl::expected<std::string, std::string> ReadPrivate(const std::string& path, bool& missing) {
  missing = false;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      missing = true;
      return std::string();
    }
    return tl::unexpected(Errno("cannot open the token file", path));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return tl::unexpected(Errno("cannot stat the token file", path));
  if (!S_ISREG(st.st_mode)) return tl::unexpected("the token file " + path + " is not a file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return tl::unexpected("the token file " + path + " has mode " + mode +
                          "; it holds credentials and must be readable by its owner only "
                          "(chmod 600 " +
                          path + ")");
  }
  if (st.st_uid != ::geteuid()) {
    return tl::unexpected("the token file " + path + " belongs to another user");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxBytes) {
    return tl::unexpected("the token file " + path + " is larger than 4 MiB");
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(Errno("cannot read the token file", path));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return text;
}

tl::expected<TokenFile, std::string> Parse(const std::string& path, const std::string& text) {
  const std::string corrupt = "the token file " + path +
                              " is corrupt (not a mcpwatch token file); move it away and run "
                              "mcpwatch auth login again";
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return tl::unexpected(corrupt);
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int>() != kVersion) {
    return tl::unexpected(corrupt);
  }
  auto targets = doc.find("targets");
  if (targets == doc.end() || !targets->is_object()) return tl::unexpected(corrupt);
  TokenFile out;
  for (const auto& [name, entry] : targets->items()) {
    auto token = FromJson(entry);
    if (!token) return tl::unexpected(corrupt + " (the entry of target " + name + ")");
    out.emplace(name, std::move(*token));
  }
  return out;
}

tl::expected<void, std::string> WriteAtomically(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  const std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(temp.c_str());
  {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) return tl::unexpected(Errno("cannot create", temp));
    ::fchmod(fd.get(), 0600);  // whatever the umask
    std::size_t put = 0;
    while (put < text.size()) {
      ssize_t n = ::write(fd.get(), text.data() + put, text.size() - put);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        auto e = Errno("cannot write", temp);
        ::unlink(temp.c_str());
        return tl::unexpected(e);
      }
      put += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) {
      auto e = Errno("cannot fsync", temp);
      ::unlink(temp.c_str());
      return tl::unexpected(e);
    }
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto e = Errno("cannot rename the new token file to", path);
    ::unlink(temp.c_str());
    return tl::unexpected(e);
  }
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());  // the rename itself survives a crash
  return {};
}

}  // namespace

std::string TokenFilePath(std::string_view database_path) {
  const std::filesystem::path db{std::string(database_path)};
  return (db.parent_path() / "mcpwatch-tokens.json").string();
}

tl::expected<TokenFile, std::string> LoadTokenFile(const std::string& path) {
  bool missing = false;
  auto text = ReadPrivate(path, missing);
  if (!text) return tl::unexpected(text.error());
  if (missing) return TokenFile{};
  return Parse(path, *text);
}

tl::expected<void, std::string> UpdateTokenFile(const std::string& path,
                                                const std::function<void(TokenFile&)>& edit) {
  const std::string lock_path = path + ".lock";
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (lock.get() < 0) return tl::unexpected(Errno("cannot open the lock file", lock_path));
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return tl::unexpected(Errno("cannot lock", lock_path));
  }
  auto file = LoadTokenFile(path);  // the lock is released when `lock` closes
  if (!file) return tl::unexpected(file.error());
  edit(*file);
  json targets = json::object();
  for (const auto& [name, token] : *file) targets[name] = ToJson(token);
  json doc = {{"version", kVersion}, {"targets", std::move(targets)}};
  return WriteAtomically(path, doc.dump(2) + "\n");
}

}  // namespace mcpwatch
