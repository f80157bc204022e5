#include "app/redirect_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mcpwatch {
namespace {

constexpr std::size_t kMaxRequest = 16 * 1024;
constexpr std::string_view kDone =
    "<!doctype html><title>mcpwatch</title><p>mcpwatch: sign-in received. You can close this "
    "window and go back to the terminal.</p>";

int MillisUntil(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60'000));
}

void Answer(int fd, int status, std::string_view body) {
  std::string reply = "HTTP/1.1 " + std::to_string(status) +
                      (status == 200 ? " OK" : " Not Found") +
                      "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                      "Connection: close\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  std::size_t sent = 0;
  while (sent < reply.size()) {
    ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// The request target of one HTTP request on `fd` ("" when none arrived in time).
std::string ReadTarget(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string head;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < kMaxRequest) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, MillisUntil(deadline)) <= 0) return "";
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  const auto line_end = head.find("\r\n");
  const std::string line = head.substr(0, line_end);
  if (line.rfind("GET ", 0) != 0) return "";
  const auto space = line.find(' ', 4);
  return line.substr(4, space == std::string::npos ? std::string::npos : space - 4);
}

}  // namespace

tl::expected<RedirectListener, std::string> RedirectListener::Bind(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return tl::unexpected("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return RedirectListener(fd, ntohs(addr.sin_port));
}

RedirectListener::RedirectListener(RedirectListener&& other) noexcept
    : fd_(other.fd_), port_(other.port_) {
  other.fd_ = -1;
}

RedirectListener::~RedirectListener() {
  if (fd_ >= 0) ::close(fd_);
}

tl::expected<std::string, std::string> RedirectListener::WaitForRedirect(
    std::string_view path, std::chrono::steady_clock::time_point deadline) {
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, MillisUntil(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    // A browser that opened a connection and sent nothing must not hold the wait for long.
    const auto request_deadline =
        std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(10));
    const std::string target = ReadTarget(conn, request_deadline);
    const auto q = target.find('?');
    const std::string_view target_path = std::string_view(target).substr(0, q);
    if (!target.empty() && target_path == path) {
      Answer(conn, 200, kDone);
      ::close(conn);
      return q == std::string::npos ? std::string() : target.substr(q + 1);
    }
    Answer(conn, 404, "<!doctype html><title>mcpwatch</title><p>Not the sign-in redirect.</p>");
    ::close(conn);
  }
  return tl::unexpected(std::string("nobody completed the sign-in in time"));
}

}  // namespace mcpwatch
