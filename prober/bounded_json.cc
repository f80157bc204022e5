#include "prober/bounded_json.h"

#include <algorithm>
#include <exception>
#include <string>

namespace mcpwatch {
namespace {

constexpr std::size_t kMaxErrorChars = 300;

// Deepest bracket nesting outside strings. A cheap upper bound of the real nesting, so deep
// input is rejected before a parser could recurse on it; stops counting once over the limit.
bool DeeperThan(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return true;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return false;
}

// nlohmann messages quote the bytes last read, which may hold control characters or broken
// UTF-8: keep the message to one printable line of bounded length.
std::string OneLine(std::string_view message) {
  std::string out;
  out.reserve(std::min(message.size(), kMaxErrorChars));
  for (char c : message) {
    if (out.size() >= kMaxErrorChars) break;
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u >= 0x7F ? '?' : c);
  }
  return out;
}

}  // namespace

tl::expected<nlohmann::json, std::string> ParseJson(std::string_view text,
                                                    const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return tl::make_unexpected("JSON larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  if (DeeperThan(text, limits.max_depth)) {
    return tl::make_unexpected("JSON nested deeper than " + std::to_string(limits.max_depth) +
                               " levels");
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const std::exception& e) {
    return tl::make_unexpected("not valid JSON: " + OneLine(e.what()));
  }
}

std::string DumpJson(const nlohmann::json& j) {
  try {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::exception&) {
    // Only allocation failure remains possible with the replace handler.
    return "null";
  }
}

}  // namespace mcpwatch
