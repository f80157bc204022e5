// One HTTP request at a time on a reusable libcurl easy handle, driven by the EventLoop.
// Streams the body to the caller chunk by chunk (bounded), records curl's phase timings, and
// maps curl's failures onto TransportError. Thread: loop thread only.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "base/curl.h"
#include "checks/probe_spec.h"
#include "checks/transcript.h"
#include "prober/event_loop.h"
#include "prober/response_head.h"  // HttpResponseHead

namespace mcpwatch {

struct HttpRequest {
  enum class Method { kPost, kGet, kDelete };
  Method method = Method::kPost;
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value" lines
  EventLoop::Clock::time_point deadline;
  bool fresh_connection = false;  // measure connect/TLS: never take a cached connection
  bool close_after = false;       // do not keep the connection for reuse afterwards
  bool want_cert_info = false;    // collect the peer chain's notAfter (https only)
  std::string ca_file;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
};

struct HttpOutcome {
  TransportError transport = TransportError::kNone;
  std::string error;      // curl's words when transport != kNone
  bool stopped = false;   // the caller stopped the body (it had what it needed)
  bool oversize = false;  // the body exceeded max_body_bytes
  long status = 0;
  std::size_t body_bytes = 0;
  Micros namelookup{0}, connect{0}, appconnect{0}, pretransfer{0}, starttransfer{0}, total{0};
  std::optional<std::chrono::system_clock::time_point> cert_not_after;
};

class HttpExchange {
 public:
  struct Callbacks {
    // Once per request, before the first body byte (or before on_done for an empty body).
    std::function<void(const HttpResponseHead&)> on_head;
    // Body bytes as they arrive; return false to stop the transfer early.
    std::function<bool(std::string_view)> on_data;
    std::function<void(const HttpOutcome&)> on_done;
  };

  // `hook` (ProbeSpec::request_headers) adds its headers to every request started here.
  static tl::expected<std::unique_ptr<HttpExchange>, std::string> Create(
      EventLoop& loop, RequestHeaderHook hook = {});
  ~HttpExchange();
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  // Starts `req`; a previous request must have finished or been cancelled.
  void Start(const HttpRequest& req, Callbacks callbacks);
  // Abandons the current request without callbacks.
  void Cancel();
  bool active() const { return active_; }
  // DNS, connect and TLS time of the current or last transfer (valid mid-transfer too).
  RunTimings ConnectTimings() const;
  std::optional<std::chrono::system_clock::time_point> CertNotAfter() const;

 private:
  HttpExchange(EventLoop& loop, CurlEasy easy, RequestHeaderHook hook);
  void Finish(CURLcode code);
  void FireHead();
  static size_t OnHeader(char* data, size_t size, size_t n, void* userp);
  static size_t OnWrite(char* data, size_t size, size_t n, void* userp);

  EventLoop& loop_;
  CurlEasy easy_;
  RequestHeaderHook hook_;
  CurlSlist headers_;
  Callbacks callbacks_;
  HttpResponseHead head_;
  bool head_fired_ = false;
  bool active_ = false;
  bool stopped_ = false;
  bool oversize_ = false;
  bool want_cert_info_ = false;
  std::size_t body_bytes_ = 0;
  std::size_t max_body_bytes_ = 0;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

// curl's result code for a finished transfer → our transport taxonomy.
TransportError MapCurlError(CURLcode code, bool connected);

}  // namespace mcpwatch
