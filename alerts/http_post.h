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
  // The notifier's own credentials (webhook key, Slack URL, routing key): scrubbed from the
  // outcome, since a receiver may echo the request in an error body that ends up in the
  // outbox's last_error, the log and `mcpwatch alerts`.
  std::vector<std::string> secrets;
};

struct PostOutcome {
  long status = 0;           // the final HTTP status
  std::string body_excerpt;  // the first bytes of the response body (for last_error)
};

// Blocking up to request.timeout. A transport failure is an error naming curl's reason; any
// HTTP status (including 4xx/5xx) is an outcome. The error text and body excerpt come back with
// request.secrets scrubbed (checks/redaction.h). Thread-safe (each call has its own handle).
tl::expected<PostOutcome, std::string> PostRequest(const OutgoingRequest& request);

}  // namespace mcpwatch::alerts
