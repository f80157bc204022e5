// Checking, reading and redacting the URLs we send requests to.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace mcpwatch {

struct ProbeUrl {
  std::string scheme;  // "http" | "https"
  std::string host;
  bool reserved_invalid = false;    // host is "invalid" or under ".invalid" (RFC 6761)
  bool path_ends_with_sse = false;  // ".../sse": the legacy transport's customary path
  bool has_credentials = false;     // user:password@ in the URL
};

// The rule every URL we send requests to must meet (targets, notifiers, `probe URL`): http or
// https, a host, no user:password@ (it would end up in logs), no whitespace, parsable by
// libcurl. "" when acceptable, else the reason (never echoing the URL, which may hold a key).
std::string CheckHttpUrl(std::string_view url);

// Parses an http(s) URL; errors name the problem ("URL scheme must be http or https").
tl::expected<ProbeUrl, std::string> ParseProbeUrl(const std::string& url);

// The URL without user:password@ and without a query string's values (which may carry keys),
// for output, logs and storage.
std::string RedactUrl(const std::string& url);

}  // namespace mcpwatch
