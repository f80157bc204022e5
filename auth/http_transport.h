// Blocking HTTP for the OAuth client: one request at a time, no redirects followed (the
// authorization step reads Location itself), a per-request timeout capped by the caller's
// deadline, bounded response bodies. An interface so unit tests can script the servers.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "base/curl.h"

namespace mcpwatch {

struct HttpCall {
  enum class Method { kGet, kPost };
  Method method = Method::kGet;
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::steady_clock::time_point deadline;
};

struct HttpReply {
  long status = 0;
  std::string body;  // at most the transport's bound
  std::string content_type;
  std::string location;
  std::string dpop_nonce;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // The reply, or why no HTTP answer arrived (network, timeout, oversize body).
  virtual tl::expected<HttpReply, std::string> Send(const HttpCall& call) = 0;
};

struct CurlTransportOptions {
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_body_bytes = 256 * 1024;
  std::string ca_file;  // extra trusted CA bundle (PEM); "" = the system's
};

// libcurl easy handle, reused across calls. Thread: one caller at a time.
class CurlTransport final : public HttpTransport {
 public:
  static tl::expected<std::unique_ptr<CurlTransport>, std::string> Create(
      CurlTransportOptions options);
  tl::expected<HttpReply, std::string> Send(const HttpCall& call) override;

 private:
  CurlTransport(CurlEasy easy, CurlTransportOptions options)
      : easy_(std::move(easy)), options_(std::move(options)) {}
  CurlEasy easy_;
  CurlTransportOptions options_;
};

}  // namespace mcpwatch
