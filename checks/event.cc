#include "checks/event.h"

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
                        {"at", FormatTimestamp(e.at)},
                        {"details", e.details}};
}

std::string FormatTimestamp(std::chrono::system_clock::time_point t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm utc{};
  if (gmtime_r(&secs, &utc) == nullptr) return "1970-01-01T00:00:00Z";
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buf, n);
}

}  // namespace mcpwatch
