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
};

inline constexpr std::array kAllEventKinds = {
    EventKind::kStateChange,      EventKind::kSchemaDrift, EventKind::kDeploy,
    EventKind::kDeployRegression, EventKind::kCrashLoop,   EventKind::kCertExpiring,
};

// "state_change", "schema_drift", "deploy", "deploy_regression", "crash_loop", "cert_expiring".
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
