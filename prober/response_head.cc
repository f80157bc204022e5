#include "prober/response_head.h"

#include "base/ascii_lower.h"

namespace mcpwatch {
namespace {

// RFC 9110 §15: a status code is three digits. Anything else (fewer, more: a hostile server's
// "HTTP/1.1 99999999999999999999" once overflowed a long here) reads as 0, no status.
long StatusCode(std::string_view rest) {
  const auto digit = [&](std::size_t i) {
    return i < rest.size() && rest[i] >= '0' && rest[i] <= '9';
  };
  if (!digit(0) || !digit(1) || !digit(2) || digit(3)) return 0;
  return (rest[0] - '0') * 100L + (rest[1] - '0') * 10L + (rest[2] - '0');
}

}  // namespace

std::string_view TrimHeaderSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

HeadLine ReadHeadLine(std::string_view line, HttpResponseHead& head) {
  if (line.substr(0, 5) == "HTTP/") {
    head = {};
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) head.status = StatusCode(line.substr(sp + 1));
    return HeadLine::kStatus;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return TrimHeaderSpace(line).empty() ? HeadLine::kEnd : HeadLine::kIgnored;
  }
  std::string name = AsciiLower(TrimHeaderSpace(line.substr(0, colon)));
  std::string_view value = TrimHeaderSpace(line.substr(colon + 1));
  if (value.size() > kMaxHeaderValue) value = value.substr(0, kMaxHeaderValue);
  if (name == "content-type") {
    auto semi = value.find(';');
    head.content_type = AsciiLower(TrimHeaderSpace(value.substr(0, semi)));
  } else if (name == "mcp-session-id") {
    head.session_id = std::string(value);
  } else if (name == "www-authenticate") {
    head.www_authenticate = std::string(value);
  } else if (name == "retry-after") {
    head.retry_after = std::string(value);
  } else if (name == "dpop-nonce") {
    head.dpop_nonce = std::string(value);
  }
  return HeadLine::kField;
}

}  // namespace mcpwatch
