// One blocking HTTP POST with libcurl easy, for notifier deliveries. http and https only, no
// redirects, no proxies from the environment (a notifier URL means what it says).
#pragma once

#include <chrono>
#include <string>
#include <tl/expected.hpp>
#include <vector>

namespace mcpwatch::alerts {

struct OutgoingRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{10000};
};

struct HttpOutcome {
  long status = 0;           // the final HTTP status
  std::string body_excerpt;  // the first bytes of the response body (for last_error)
};

// Blocking up to request.timeout. A transport failure is an error naming curl's reason; any
// HTTP status (including 4xx/5xx) is an outcome. Thread-safe (each call has its own handle).
tl::expected<HttpOutcome, std::string> PostRequest(const OutgoingRequest& request);

}  // namespace mcpwatch::alerts
