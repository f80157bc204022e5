// The daemon's HTTP surface on civetweb (DESIGN §9): /metrics, /healthz, /readyz, /api/v1/...,
// /probe, /badge/NAME.svg and the status page (routes.h lists them). Binds 127.0.0.1 unless
// told otherwise.
//
// Limits, so the API can face an untrusted network: 4 worker threads, each holding one
// connection at a time; a request must arrive whole (line and headers) within
// HttpLimits::request_timeout of its first byte, and the next one on a kept-alive connection
// within 500 ms, or the connection is closed (a slowloris client holds a thread for at most that
// long); headers over 16 KB are refused by civetweb (400), any request body over 64 KB or of
// unknown length with 413, and the connection closed unread; each client address gets a token
// bucket (HttpLimits::rate) and is answered 429 with Retry-After beyond it. Every answer carries
// SecurityHeaders() (http_types.h); there is no CORS.
//
// Thread-safety: port() and Stop() may be called from any thread; Stop() blocks until the
// worker threads have finished their requests (a running /probe included).
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <tl/expected.hpp>

#include "server/http_hooks.h"
#include "server/rate_limiter.h"

struct mg_context;
struct mg_connection;

namespace mcpwatch {

class Routes;

struct HttpLimits {
  RateLimiter::Options rate;
  // Reading a whole request, and each write of an answer, must finish within this.
  std::chrono::milliseconds request_timeout{10'000};
};

class HttpServer {
 public:
  static constexpr int kWorkerThreads = 4;
  static constexpr long long kMaxBodyBytes = 64 * 1024;
  static constexpr int kMaxHeaderBytes = 16 * 1024;  // request line and headers
  static constexpr int kKeepAliveTimeoutMs = 500;

  // Listens on host:port ("127.0.0.1", "::1", "0.0.0.0"; port 0 picks a free port) and serves
  // until Stop(). The error says why it could not listen (e.g. the port is taken).
  static tl::expected<std::unique_ptr<HttpServer>, std::string> Start(
      const std::string& host, int port, std::shared_ptr<prometheus::Registry> registry,
      std::filesystem::path database, HttpHooks hooks, HttpLimits limits = {});

  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }  // the bound port
  void Stop();                        // idempotent

 private:
  struct ContextStopper {
    void operator()(mg_context* ctx) const;
  };

  HttpServer(std::unique_ptr<Routes> routes, RateLimiter::Options rate);
  static int HandleRequest(mg_connection* conn, void* self);

  std::unique_ptr<Routes> routes_;
  RateLimiter limiter_;
  std::mutex stop_mu_;  // serialises Stop()
  std::unique_ptr<mg_context, ContextStopper> context_;
  int port_ = 0;
};

}  // namespace mcpwatch
