#include "checks/timestamp.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

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
