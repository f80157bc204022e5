#include "checks/event.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

#include "base/parse_by_name.h"

namespace mcpwatch {

std::string_view ToString(EventKind k) {
  switch (k) {
    case EventKind::kStateChange: return "state_change";
    case EventKind::kSchemaDrift: return "schema_drift";
    case EventKind::kDeploy: return "deploy";
    case EventKind::kDeployRegression: return "deploy_regression";
    case EventKind::kCrashLoop: return "crash_loop";
    case EventKind::kCertExpiring: return "cert_expiring";
    case EventKind::kRateLimitNotEnforced: return "rate_limit_not_enforced";
  }
  return "state_change";  // unreachable: every enumerator is handled above
}

std::optional<EventKind> ParseEventKind(std::string_view s) {
  return ParseByName(kAllEventKinds, s);
}

nlohmann::json ToJson(const Event& e) {
  return nlohmann::json{{"target", e.target},
                        {"kind", ToString(e.kind)},
                        {"at", FormatTimestamp(e.at)},
                        {"details", e.details}};
}

}  // namespace mcpwatch
