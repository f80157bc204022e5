// JSON parsing that hostile servers cannot crash: bounded size, bounded nesting depth (checked
// before nlohmann sees the text), and a dump that never throws on invalid UTF-8.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace mcpwatch {

struct JsonLimits {
  std::size_t max_bytes = 16 * 1024 * 1024;
  int max_depth = 128;
};

// Parses text. Never throws. Errors name the problem, on one line:
//   "JSON larger than N bytes", "JSON nested deeper than N levels",
//   "not valid JSON: <nlohmann message>" (invalid UTF-8 in strings is a parse error).
tl::expected<nlohmann::json, std::string> ParseJson(std::string_view text,
                                                    const JsonLimits& limits = {});

// Compact serialisation; invalid UTF-8 is replaced with U+FFFD. Never throws.
std::string DumpJson(const nlohmann::json& j);

}  // namespace mcpwatch
