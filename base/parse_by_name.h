// Parsing the one spelling of a closed enum set: every enum class with a ToString() and a
// kAll... array of its values reads its names back through this, so a new enumerator is
// parsable as soon as ToString() spells it.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace mcpwatch {

// The value of `all` whose ToString() (found by argument-dependent lookup, so in the enum's own
// namespace) is exactly `text`, or nullopt. Case-sensitive; linear in the size of the set.
template <typename Enum, std::size_t N>
std::optional<Enum> ParseByName(const std::array<Enum, N>& all, std::string_view text) {
  for (Enum value : all) {
    if (ToString(value) == text) return value;
  }
  return std::nullopt;
}

}  // namespace mcpwatch
