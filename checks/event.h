// Events: things worth telling a person that are not a run's class (DESIGN §5, a contract).
// The detectors in checks/ return their own small result types; the daemon wraps each in an
// Event with the detector's ToJson() as details, stores it and hands it to alerting.
#pragma once

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/timestamp.h"

namespace mcpwatch {

enum class EventKind {
  kStateChange,
  kSchemaDrift,
  kDeploy,
  kDeployRegression,
  kCrashLoop,
  kCertExpiring,
  kRateLimitNotEnforced,  // opt-in (rate_limit_check): the declared limit let a burst through
};

inline constexpr std::array kAllEventKinds = {
    EventKind::kStateChange,          EventKind::kSchemaDrift, EventKind::kDeploy,
    EventKind::kDeployRegression,     EventKind::kCrashLoop,   EventKind::kCertExpiring,
    EventKind::kRateLimitNotEnforced,
};

// Kinds only an opt-in check of a target emits: their counters exist only once one happened,
// so targets without the check carry no series for them (issue 14's series budget).
constexpr bool IsOptInEventKind(EventKind k) {
  return k == EventKind::kRateLimitNotEnforced;
}

// "state_change", "schema_drift", "deploy", "deploy_regression", "crash_loop", "cert_expiring",
// "rate_limit_not_enforced".
std::string_view ToString(EventKind k);
std::optional<EventKind> ParseEventKind(std::string_view s);

struct Event {
  std::string target;
  EventKind kind = EventKind::kStateChange;
  std::chrono::system_clock::time_point at{};
  nlohmann::json details = nlohmann::json::object();
};

// {"target":..., "kind":..., "at": RFC 3339 UTC, "details":{...}}.
nlohmann::json ToJson(const Event& e);

}  // namespace mcpwatch
