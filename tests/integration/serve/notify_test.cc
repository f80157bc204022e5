// `mcpwatch serve` under a service manager: the sd_notify datagrams it sends to NOTIFY_SOCKET
// (READY=1 after the migrations and the restore, STOPPING=1 on SIGTERM, WATCHDOG=1 when
// WATCHDOG_USEC asks for it), read from a unix datagram socket this test binds.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;

namespace {

// The supervisor's end of the protocol: a bound AF_UNIX datagram socket.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(addr.sun_path)) throw std::runtime_error("socket path too long");
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error("cannot bind " + path_ + ": " + std::strerror(errno));
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }

  // The next datagram, or nullopt when none arrives within `timeout`.
  std::optional<std::string> Receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

  // Datagrams until one contains `needle` (returned last), or all received until `timeout`.
  std::vector<std::string> ReceiveUntil(const std::string& needle,
                                        std::chrono::milliseconds timeout) {
    std::vector<std::string> got;
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      auto d = Receive(std::max(left, 1ms));
      if (!d) continue;
      got.push_back(*d);
      if (d->find(needle) != std::string::npos) break;
    }
    return got;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

bool HasLine(const std::vector<std::string>& datagrams, const std::string& assignment) {
  for (const auto& d : datagrams) {
    std::istringstream in(d);
    std::string line;
    while (std::getline(in, line)) {
      if (line == assignment) return true;
    }
  }
  return false;
}

int Count(const std::vector<std::string>& datagrams, const std::string& assignment) {
  int n = 0;
  for (const auto& d : datagrams) n += d == assignment ? 1 : 0;
  return n;
}

struct NotifiedDaemon {
  Fixture target{{}};
  TempDir dir;
  NotifySocket socket{dir.File("notify.sock")};
  int port = FreePort();
  std::string config = WriteConfig(dir, port, {{"healthy", target.Url(), ""}});
  Subprocess daemon;

  explicit NotifiedDaemon(const std::string& watchdog_usec)
      : daemon(Subprocess::Start(
            {McpwatchBinary(), "serve", "--config", config},
            {"NOTIFY_SOCKET=" + socket.path(), "WATCHDOG_USEC=" + watchdog_usec})) {}
};

}  // namespace

TEST_CASE("serve sends READY=1 after the migrations and the restore, STOPPING=1 on SIGTERM",
          "[serve][notify]") {
  NotifiedDaemon d("");  // empty: no watchdog

  auto before_ready = d.socket.ReceiveUntil("READY=1", 20s);
  REQUIRE(HasLine(before_ready, "READY=1"));
  // What the daemon had logged when READY=1 arrived (it logs before it notifies).
  std::string log = d.daemon.Stdout();
  INFO(log);
  auto migrated = log.find("migrations applied schema_version=");
  auto restored = log.find("history restored targets=1");
  auto ready = log.find("ready targets=1");
  REQUIRE(migrated != std::string::npos);
  REQUIRE(restored != std::string::npos);
  REQUIRE(ready != std::string::npos);
  CHECK(migrated < restored);
  CHECK(restored < ready);
  CHECK(before_ready.size() == 1);  // nothing came before READY=1
  CHECK(HasLine(before_ready,
                "STATUS=probing 1 targets, listening on 127.0.0.1:" + std::to_string(d.port)));

  // Without WATCHDOG_USEC there is no watchdog to feed.
  auto idle = d.socket.ReceiveUntil("WATCHDOG=1", 1500ms);
  CHECK_FALSE(HasLine(idle, "WATCHDOG=1"));

  d.daemon.Signal(SIGTERM);
  auto stopping = d.socket.ReceiveUntil("STOPPING=1", 10s);
  CHECK(HasLine(stopping, "STOPPING=1"));
  CHECK_FALSE(HasLine(stopping, "READY=1"));
  CHECK(d.daemon.Wait(20s) == 0);
  CHECK(d.daemon.Stdout().find("shutting down: draining runs in flight") != std::string::npos);
}

TEST_CASE("serve feeds the watchdog from its event loop when WATCHDOG_USEC is set",
          "[serve][notify]") {
  NotifiedDaemon d("400000");  // 400 ms: pinged every 200 ms

  REQUIRE(HasLine(d.socket.ReceiveUntil("READY=1", 20s), "READY=1"));
  std::vector<std::string> pings;
  auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until) {
    if (auto m = d.socket.Receive(100ms)) pings.push_back(*m);
  }
  // About 7 in 1.5 s; at least 4 so a loaded machine does not make this flaky.
  CHECK(Count(pings, "WATCHDOG=1") >= 4);
  CHECK(Count(pings, "WATCHDOG=1") <= 10);

  d.daemon.Signal(SIGTERM);
  CHECK(HasLine(d.socket.ReceiveUntil("STOPPING=1", 10s), "STOPPING=1"));
  CHECK(d.daemon.Wait(20s) == 0);
}
