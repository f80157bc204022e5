#include "checks/excerpt.h"

#include <algorithm>

namespace mcpwatch {

std::string Excerpt(std::string_view body, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(body.size(), max_chars) + 3);
  for (char c : body) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace mcpwatch
