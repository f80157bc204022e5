// The pieces of an http(s) URL the OAuth discovery rules work with (RFC 8414 §3.1,
// RFC 9728 §3.1): origin, path and query. Parsed by libcurl, never by hand.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace mcpwatch {

struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // lower case; IPv6 in brackets
  std::string origin;  // scheme://host[:port], the port only when the URL names one
  std::string path;    // "" for none or "/"; otherwise as written, trailing '/' kept
  std::string query;   // without '?'
};

tl::expected<UrlParts, std::string> SplitUrl(std::string_view url);

// localhost, 127.0.0.0/8, ::1: where plain http may carry credentials (RFC 8252 §7.3).
bool IsLoopbackHost(std::string_view host);

// "" when `url` is fit to receive OAuth credentials: https, or http to a loopback host
// (OAuth 2.1 §1.5, the MCP spec's "all authorization server endpoints MUST be served over
// HTTPS"); else why not, naming `what` ("token_endpoint").
std::string CheckEndpointUrl(std::string_view url, std::string_view what);

// `url` without its query and fragment: a DPoP proof's htu (RFC 9449 §4.2).
std::string WithoutQueryAndFragment(std::string_view url);

// `url` with `query` (already encoded) appended after '?' or '&'.
std::string AppendQuery(std::string_view url, std::string_view query);

}  // namespace mcpwatch
