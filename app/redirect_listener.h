// The loopback end of `mcpwatch auth login` (RFC 8252 §7.3): bound on 127.0.0.1 before the
// authorization URL is shown, it waits for the browser's GET of the redirect path and answers it
// with a short page. Other paths get 404 and the wait goes on. Blocking; one caller.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace mcpwatch {

class RedirectListener {
 public:
  // Port 0 takes any free port. The error names the address.
  static tl::expected<RedirectListener, std::string> Bind(int port);
  RedirectListener(RedirectListener&& other) noexcept;
  RedirectListener& operator=(RedirectListener&&) = delete;
  RedirectListener(const RedirectListener&) = delete;
  ~RedirectListener();

  int port() const { return port_; }
  // The query string (without '?') of the first GET of `path` before `deadline`; an error when
  // the deadline passes.
  tl::expected<std::string, std::string> WaitForRedirect(
      std::string_view path, std::chrono::steady_clock::time_point deadline);

 private:
  RedirectListener(int fd, int port) : fd_(fd), port_(port) {}
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace mcpwatch
