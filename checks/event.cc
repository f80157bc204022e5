#include "checks/event.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace mcpwatch {

std::string_view ToString(EventKind k) {
  switch (k) {
    case EventKind::kStateChange: return "state_change";
    case EventKind::kSchemaDrift: return "schema_drift";
    case EventKind::kDeploy: return "deploy";
    case EventKind::kDeployRegression: return "deploy_regression";
    case EventKind::kCrashLoop: return "crash_loop";
    case EventKind::kCertExpiring: return "cert_expiring";
  }
  return "state_change";  // unreachable: every enumerator is handled above
}

std::optional<EventKind> ParseEventKind(std::string_view s) {
  for (EventKind k : kAllEventKinds) {
    if (ToString(k) == s) return k;
  }
  return std::nullopt;
}

nlohmann::json ToJson(const Event& e) {
  return nlohmann::json{{"target", e.target},
                        {"kind", ToString(e.kind)},
                        {"at", FormatEventTime(e.at)},
                        {"details", e.details}};
}

std::string FormatEventTime(std::chrono::system_clock::time_point t) {
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
