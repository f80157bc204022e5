#include "base/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace mcpwatch {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

// Largest first: the order a duration must follow, and the order FormatDuration prints.
constexpr std::array<Unit, 6> kUnits{{{"w", 7LL * 24 * 3600 * 1000},
                                      {"d", 24LL * 3600 * 1000},
                                      {"h", 3600LL * 1000},
                                      {"m", 60LL * 1000},
                                      {"s", 1000},
                                      {"ms", 1}}};

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

}  // namespace

tl::expected<std::chrono::milliseconds, std::string> ParseDuration(std::string_view text) {
  if (text.empty()) return tl::unexpected(std::string("empty duration (use e.g. 10s)"));
  if (text == "0") return std::chrono::milliseconds{0};
  if (text.find_first_of(" \t") != std::string_view::npos) {
    return tl::unexpected(Quoted(text) + ": spaces are not allowed (write e.g. 1h30m)");
  }
  if (text.front() == '-') {
    return tl::unexpected(Quoted(text) + ": negative durations are not allowed");
  }
  std::int64_t total = 0;
  std::size_t last_unit = 0;  // index into kUnits + 1 of the previous group's unit; 0 = none yet
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      return tl::unexpected(Quoted(text) + ": expected a number before the unit");
    }
    std::int64_t value = 0;
    while (i < text.size() && IsDigit(text[i])) {
      const std::int64_t digit = text[i] - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
        return tl::unexpected(Quoted(text) + ": too large");
      }
      value = value * 10 + digit;
      ++i;
    }
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      return tl::unexpected(Quoted(text) +
                            ": fractions are not allowed (use a smaller unit, e.g. 1500ms)");
    }
    const std::size_t unit_start = i;
    while (i < text.size() && IsLetter(text[i])) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      if (i == text.size() && last_unit == 0) {
        return tl::unexpected(Quoted(text) + " has no unit (use e.g. " + std::string(text) + "s)");
      }
      if (i == text.size()) {
        return tl::unexpected(Quoted(text) + ": the last number has no unit");
      }
      return tl::unexpected(Quoted(text) + ": unexpected character '" + std::string(1, text[i]) +
                            "'");
    }
    std::size_t index = kUnits.size();
    for (std::size_t u = 0; u < kUnits.size(); ++u) {
      if (kUnits[u].name == unit) index = u;
    }
    if (index == kUnits.size()) {
      return tl::unexpected(Quoted(text) + ": unknown unit \"" + std::string(unit) +
                            "\" (use ms, s, m, h, d or w)");
    }
    if (index + 1 <= last_unit) {
      return tl::unexpected(Quoted(text) +
                            ": units must go from largest to smallest, each at most once");
    }
    last_unit = index + 1;
    if (value > (std::numeric_limits<std::int64_t>::max() - total) / kUnits[index].ms) {
      return tl::unexpected(Quoted(text) + ": too large");
    }
    total += value * kUnits[index].ms;
    if (total > kMaxDuration.count()) {
      return tl::unexpected(Quoted(text) + ": too large (at most 36500d, about 100 years)");
    }
  }
  return std::chrono::milliseconds{total};
}

std::string FormatDuration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  std::uint64_t rest = 0;
  if (ms < 0) {
    out = "-";
    rest = static_cast<std::uint64_t>(-(ms + 1)) + 1;  // avoids overflow at the minimum
  } else {
    rest = static_cast<std::uint64_t>(ms);
  }
  for (const Unit& unit : kUnits) {
    const auto unit_ms = static_cast<std::uint64_t>(unit.ms);
    if (rest >= unit_ms) {
      out += std::to_string(rest / unit_ms);
      out += unit.name;
      rest %= unit_ms;
    }
  }
  return out;
}

}  // namespace mcpwatch
