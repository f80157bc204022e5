// Reading an HTTP response head the way libcurl hands it over: one line at a time (the status
// line, each header field, the blank line), every line with its CRLF. Pure functions of bytes
// the target sent; none of them throws. Kept apart from HttpExchange so it can be tested and
// fuzzed without a socket.
#pragma once

#include <string>
#include <string_view>

namespace mcpwatch {

// What the prober keeps of a response head.
struct HttpResponseHead {
  long status = 0;
  std::string content_type;  // media type essence, lower case ("text/event-stream")
  std::string session_id;    // Mcp-Session-Id
  std::string www_authenticate;
  std::string retry_after;
  std::string dpop_nonce;  // DPoP-Nonce (RFC 9449 §8, §9)
};

// Header values longer than this are cut to it (a hostile server cannot make us keep more).
inline constexpr std::size_t kMaxHeaderValue = 4096;

// What one line was.
enum class HeadLine {
  kStatus,   // "HTTP/...": a new response (after a 1xx or a redirect) starts; head was reset
  kField,    // "Name: value" (kept in head when it is one we read, else ignored)
  kEnd,      // the blank line that ends a head
  kIgnored,  // anything else (no colon)
};

// Applies one line to `head`. A status line resets head and reads the three digits after its
// first space as the status (0 when they are not three digits); a field we keep overwrites an
// earlier one of the same name.
HeadLine ReadHeadLine(std::string_view line, HttpResponseHead& head);

// `s` without spaces and tabs at either end and without CR/LF at its end.
std::string_view TrimHeaderSpace(std::string_view s);

}  // namespace mcpwatch
