#include "server/label_value.h"

#include <algorithm>

namespace mcpwatch {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  unsigned min_code = 0;
  unsigned code = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, min_code = 0x80, code = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min_code = 0x800, code = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min_code = 0x10000, code = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3Fu);
  }
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (code < min_code || code > 0x10FFFF || surrogate) return 0;
  return length;
}

}  // namespace

std::string BoundLabelValue(std::string_view value, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(value.size(), max_bytes));
  size_t i = 0;
  while (i < value.size()) {
    size_t length = Utf8SequenceLength(value, i);
    const bool control =
        length == 1 && (static_cast<unsigned char>(value[i]) < 0x20 || value[i] == '\x7f');
    const size_t emitted = (length == 0 || control) ? 1 : length;
    if (out.size() + emitted > max_bytes) break;
    if (length == 0 || control) {
      out.push_back('?');
      length = 1;
    } else {
      out.append(value.substr(i, length));
    }
    i += length;
  }
  return out;
}

bool IsUsableLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

}  // namespace mcpwatch
