#include "base/timestamp.h"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>

namespace mcpwatch {

std::string FormatTimestamp(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t).time_since_epoch().count();
  const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm utc{};
  if (gmtime_r(&secs, &utc) == nullptr) return "1970-01-01T00:00:00.000Z";
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  const auto millis = static_cast<int>(ms - static_cast<int64_t>(secs) * 1000);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", millis);
  return buf;
}

}  // namespace mcpwatch

namespace mcpwatch {
namespace {

constexpr int kMinYear = 1678;
constexpr int kMaxYear = 2261;

// Reads exactly `width` digits at `pos` (advancing it), or nullopt.
std::optional<int> Digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool Expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// "+HH:MM" / "-HH:MM" at pos to the end of text.
std::optional<std::chrono::minutes> NumericOffset(std::string_view text, std::size_t pos) {
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
  const int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  const auto hours = Digits(text, pos, 2);
  if (!hours || !Expect(text, pos, ':')) return std::nullopt;
  const auto minutes = Digits(text, pos, 2);
  if (!minutes || pos != text.size() || *hours > 23 || *minutes > 59) return std::nullopt;
  return std::chrono::minutes{sign * (*hours * 60 + *minutes)};
}

}  // namespace

tl::expected<std::chrono::system_clock::time_point, std::string> ParseRfc3339(
    std::string_view text) {
  using namespace std::chrono;
  const auto bad = [&](std::string_view why) {
    return tl::unexpected("\"" + std::string(text) + "\" is not an RFC 3339 timestamp (" +
                          std::string(why) + "; e.g. 2026-12-01T02:00:00Z)");
  };
  std::size_t pos = 0;
  const auto y = Digits(text, pos, 4);
  const bool date_ok = y && Expect(text, pos, '-');
  const auto mo = date_ok ? Digits(text, pos, 2) : std::nullopt;
  const auto d = mo && Expect(text, pos, '-') ? Digits(text, pos, 2) : std::nullopt;
  if (!d) return bad("expected YYYY-MM-DD");
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return bad("no such date");
  // system_clock counts nanoseconds in 64 bits: about 1677-09-21 to 2262-04-11. Outside these
  // years the conversion below overflowed (UB; "0026-12-01T03:00:00.05+01:00" from fuzz_time).
  if (*y < kMinYear || *y > kMaxYear) return bad("the year must be from 1678 to 2261");
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return bad("expected a time after the date");
  }
  ++pos;
  const auto h = Digits(text, pos, 2);
  const auto mi = h && Expect(text, pos, ':') ? Digits(text, pos, 2) : std::nullopt;
  const auto s = mi && Expect(text, pos, ':') ? Digits(text, pos, 2) : std::nullopt;
  if (!s) return bad("expected HH:MM:SS");
  if (*h > 23 || *mi > 59 || *s > 60) return bad("time out of range");
  milliseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int scale = 100;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += milliseconds{(text[pos] - '0') * scale};
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad("expected digits after '.'");
  }
  minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    offset = minutes{0};
  } else if (const auto numeric = NumericOffset(text, pos)) {
    offset = *numeric;
  } else {
    return bad("expected Z or an offset such as +01:00 at the end");
  }
  const auto local = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*s} + fraction;
  return time_point_cast<system_clock::duration>(local - offset);
}

tl::expected<std::chrono::minutes, std::string> ParseUtcOffset(std::string_view text) {
  if (text == "UTC" || text == "Z") return std::chrono::minutes{0};
  std::string_view rest = text;
  if (rest.starts_with("UTC")) rest.remove_prefix(3);
  if (const auto offset = NumericOffset(rest, 0)) return *offset;
  return tl::unexpected("timezone \"" + std::string(text) +
                        "\" is not supported (use UTC or a fixed offset such as +01:00)");
}

}  // namespace mcpwatch
