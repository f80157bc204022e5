// FNV-1a 64: a tiny hash that is the same on every platform, build and release (std::hash is
// none of these), for values that are stored or must not move between runs.
#pragma once

#include <cstdint>
#include <string_view>

namespace mcpwatch {

inline constexpr uint64_t kFnv1aOffsetBasis = 14695981039346656037ULL;

// Hashes `bytes` continuing from `hash`, so a value made of several parts is hashed by chaining
// calls: Fnv1a(b, Fnv1a(a)) == Fnv1a(a + b).
constexpr uint64_t Fnv1a(std::string_view bytes, uint64_t hash = kFnv1aOffsetBasis) {
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace mcpwatch
