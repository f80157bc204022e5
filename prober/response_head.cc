#include "prober/response_head.h"

#include <cctype>

#include "base/ascii_lower.h"

namespace mcpwatch {

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
    if (sp != std::string_view::npos) {
      long code = 0;
      for (std::size_t i = sp + 1;
           i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i)
        code = code * 10 + (line[i] - '0');
      head.status = code;
    }
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
