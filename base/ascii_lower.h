// ASCII lower-casing for the case-insensitive names of protocols: URL schemes and hosts, HTTP
// header names, weekday names in the config. Bytes outside A-Z pass through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace mcpwatch {

inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace mcpwatch
