// The HTTP API facing an untrusted client, over real loopback sockets: security headers on
// every answer (civetweb's own included), no CORS, bounded request size and rate, and slowloris
// clients that cannot starve a normal one.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "server/http_server.h"
#include "storage/migrations.h"
#include "tests/support/support.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using test::HttpGet;
using test::HttpSend;

struct Api {
  test::TempDir dir;
  std::unique_ptr<HttpServer> http;

  explicit Api(HttpLimits limits = {}) {
    REQUIRE(storage::OpenForWriting(dir.File("history.db")));  // an empty, migrated history
    HttpHooks hooks;
    hooks.target_names = [] { return std::vector<std::string>{"shop"}; };
    auto started = HttpServer::Start("127.0.0.1", 0, std::make_shared<prometheus::Registry>(),
                                     dir.File("history.db"), hooks, limits);
    if (!started) FAIL(started.error());
    http = std::move(*started);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http->port()) + path;
  }
};

void CheckSecurityHeaders(const test::HttpResponse& r) {
  CHECK(r.Header("content-security-policy") ==
        std::optional<std::string>("default-src 'none'; style-src 'unsafe-inline'; "
                                   "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"));
  CHECK(r.Header("x-content-type-options") == std::optional<std::string>("nosniff"));
  CHECK(r.Header("referrer-policy") == std::optional<std::string>("no-referrer"));
  for (const auto& [name, value] : r.headers) CHECK_FALSE(name.starts_with("access-control-"));
}

// A connected loopback socket, closed on destruction.
class RawSocket {
 public:
  explicit RawSocket(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool Send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Everything the server sends until it closes the connection; nullopt if it is still open
  // after `timeout`.
  std::optional<std::string> ReadUntilClosed(std::chrono::milliseconds timeout) {
    std::string answer;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return answer;  // EOF or a reset: closed
      answer.append(buffer, static_cast<size_t>(n));
    }
    return std::nullopt;
  }

 private:
  int fd_;
};

TEST_CASE("every answer carries the security headers and no CORS grant") {
  Api api;
  for (const char* path : {"/metrics", "/api/v1/targets", "/", "/badge/shop.svg", "/healthz",
                           "/nope", "/probe?target=shop", "/api/v1/targets/ghost/runs"}) {
    INFO(path);
    auto r = HttpSend("GET", api.Url(path), "", {"Origin: https://evil.example"});
    CHECK(r.status != 0);
    CheckSecurityHeaders(r);
  }
  CHECK(HttpGet(api.Url("/api/v1/targets")).status == 200);
  CHECK(HttpGet(api.Url("/")).status == 200);

  // A CORS preflight is not answered with a grant (civetweb's default would be "*").
  auto preflight = HttpSend("OPTIONS", api.Url("/api/v1/targets"), "",
                            {"Origin: https://evil.example", "Access-Control-Request-Method: GET"});
  CHECK(preflight.status == 405);
  CheckSecurityHeaders(preflight);

  // civetweb's own error answer carries them too: headers over the 16 KB limit, which
  // civetweb 1.15 refuses with 400 ("Malformed message") and closes.
  auto huge = HttpSend("GET", api.Url("/healthz"), "", {"X-Big: " + std::string(20'000, 'a')});
  CHECK(huge.status == 400);
  CheckSecurityHeaders(huge);
}

TEST_CASE("/probe refuses what cannot be a target name with 400 before any lookup") {
  Api api;
  for (const char* target : {"http%3A%2F%2F127.0.0.1%3A1%2Fmcp", "..%2Fetc", "a%20b", "shop%2F"}) {
    auto r = HttpGet(api.Url(std::string("/probe?target=") + target));
    INFO(target << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(r.body.find("bad parameter target") != std::string::npos);
    CHECK(r.body.find("never a URL") != std::string::npos);
  }
  CHECK(HttpGet(api.Url("/probe?target=" + std::string(65, 'a'))).status == 400);
  // A well-formed name reaches the configured-names check (no probe hook here: 503).
  CHECK(HttpGet(api.Url("/probe?target=shop")).status == 503);
}

TEST_CASE("a request body over 64 KB or of unknown length is refused and the connection closed") {
  Api api;
  auto big = HttpSend("POST", api.Url("/metrics"), std::string(70'000, 'x'));
  CHECK(big.status == 413);
  CheckSecurityHeaders(big);
  CHECK(HttpSend("POST", api.Url("/metrics"), std::string(1'000, 'x')).status == 405);

  // A chunked body that never comes: answered at once, and the server does not wait for it.
  RawSocket raw(api.http->port());
  REQUIRE(raw.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const auto answer = raw.ReadUntilClosed(5s);
  REQUIRE(answer);
  CHECK(answer->starts_with("HTTP/1.1 413"));
  CHECK(answer->find("Content-Security-Policy: default-src 'none'") != std::string::npos);
}

TEST_CASE("one client over its burst is answered 429 with Retry-After") {
  Api api(HttpLimits{.rate = {.per_second = 0.2, .burst = 5, .max_clients = 16}});
  for (int i = 0; i < 5; ++i) CHECK(HttpGet(api.Url("/api/v1/targets")).status == 200);
  auto refused = HttpGet(api.Url("/api/v1/targets"));
  CHECK(refused.status == 429);
  CHECK(refused.Header("retry-after") == std::optional<std::string>("5"));
  CHECK(refused.body.find("too many requests") != std::string::npos);
  CheckSecurityHeaders(refused);
}

TEST_CASE("the supervisor's health and readiness probes are never rate limited") {
  Api api(HttpLimits{.rate = {.per_second = 0.2, .burst = 2, .max_clients = 16}});
  for (int i = 0; i < 2; ++i) CHECK(HttpGet(api.Url("/metrics")).status == 200);
  REQUIRE(HttpGet(api.Url("/metrics")).status == 429);  // this address is over its budget
  for (int i = 0; i < 20; ++i) {
    CHECK(HttpGet(api.Url("/healthz")).status == 200);
    CHECK(HttpGet(api.Url("/readyz")).status == 200);
  }
  CHECK(HttpGet(api.Url("/api/v1/targets")).status == 429);  // the probes did not refill it
}

TEST_CASE("slowloris clients are dropped and cannot starve a normal client") {
  constexpr auto kRequestTimeout = 1500ms;
  HttpLimits limits;
  limits.request_timeout = kRequestTimeout;
  Api api(limits);
  constexpr int kSlowClients = 2 * HttpServer::kWorkerThreads;
  std::vector<std::unique_ptr<RawSocket>> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    slow.push_back(std::make_unique<RawSocket>(api.http->port()));
  }
  // Each sends a request line that never ends, one byte per 100 ms, until the server hangs up.
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop) {
      for (auto& s : slow) s->Send("a");
      std::this_thread::sleep_for(100ms);
    }
  });
  std::this_thread::sleep_for(300ms);  // every worker thread is now held by a slow client

  const auto start = std::chrono::steady_clock::now();
  auto health = HttpGet(api.Url("/healthz"), 30s);
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(health.status == 200);
  // Two rounds of slow clients time out ahead of it; without the timeout it would wait 30 s+.
  CHECK(waited < 10s);

  for (auto& s : slow) {
    const auto answer = s->ReadUntilClosed(10s);
    CHECK(answer);  // closed by the server
  }
  stop = true;
  trickle.join();
}

}  // namespace
}  // namespace mcpwatch
