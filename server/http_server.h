// The daemon's HTTP surface on civetweb (DESIGN §9): /metrics, /healthz, /readyz, /api/v1/...,
// /probe, /badge/NAME.svg and the status page (routes.h lists them). Binds 127.0.0.1 unless
// told otherwise; 4 worker threads; request bodies over 64 KB are refused (413).
//
// Thread-safety: port() and Stop() may be called from any thread; Stop() blocks until the
// worker threads have finished their requests (a running /probe included).
#pragma once

#include <prometheus/registry.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <tl/expected.hpp>

#include "server/http_hooks.h"

struct mg_context;
struct mg_connection;

namespace mcpwatch {

class Routes;

class HttpServer {
 public:
  static constexpr int kWorkerThreads = 4;
  static constexpr long long kMaxBodyBytes = 64 * 1024;

  // Listens on host:port ("127.0.0.1", "::1", "0.0.0.0"; port 0 picks a free port) and serves
  // until Stop(). The error says why it could not listen (e.g. the port is taken).
  static tl::expected<std::unique_ptr<HttpServer>, std::string> Start(
      const std::string& host, int port, std::shared_ptr<prometheus::Registry> registry,
      std::filesystem::path database, HttpHooks hooks);

  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }  // the bound port
  void Stop();                        // idempotent

 private:
  struct ContextStopper {
    void operator()(mg_context* ctx) const;
  };

  explicit HttpServer(std::unique_ptr<Routes> routes);
  static int HandleRequest(mg_connection* conn, void* self);

  std::unique_ptr<Routes> routes_;
  std::mutex stop_mu_;  // serialises Stop()
  std::unique_ptr<mg_context, ContextStopper> context_;
  int port_ = 0;
};

}  // namespace mcpwatch
