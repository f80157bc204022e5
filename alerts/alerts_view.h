// `mcpwatch alerts --config FILE [--json]`: the firing and pending alerts and the notices not
// delivered yet (pending or failing, with the last error), read from the database while a
// daemon may be writing it. The lead wires the subcommand; this is its logic.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "alerts/target_snapshot.h"
#include "config/config.h"
#include "storage/database.h"

namespace mcpwatch::alerts {

struct ActiveAlertView {
  std::string alert;  // rule name
  std::string target;
  std::string state;  // "firing" | "pending"
  std::string severity;
  TimePoint since{};
  std::optional<TimePoint> fired_at;
  std::optional<TimePoint> last_notified_at;
  std::string description;  // from its newest notice ("" while pending)
  std::string dedup_key;
};

struct UndeliveredView {
  int64_t id = 0;
  std::string notifier;
  std::string alert;
  std::string target;
  std::string status;  // the notice's: "firing" | "resolved"
  std::string transition;
  std::string delivery;  // "pending" (never tried) | "failing"
  int attempts = 0;
  TimePoint created_at{};
  TimePoint next_attempt_at{};
  std::string last_error;
};

struct AlertsView {
  std::vector<ActiveAlertView> alerts;       // firing first, then pending; by alert, target
  std::vector<UndeliveredView> undelivered;  // oldest first
};

// From an open connection; severities of pending alerts come from `config`'s rules.
tl::expected<AlertsView, std::string> ReadAlertsView(storage::Database& db,
                                                     const AlertingConfig& config,
                                                     int limit = 1000);
// Opens config.database read-only.
tl::expected<AlertsView, std::string> ReadAlertsView(const Config& config, int limit = 1000);

// {"alerts": [{alert, target, state, severity, since, fired_at, last_notified_at, description,
//  dedup_key}], "undelivered": [{id, notifier, alert, target, status, transition, delivery,
//  attempts, created_at, next_attempt_at, last_error}]}
nlohmann::json ToJson(const AlertsView& view);
// Two aligned tables for people ("no alerts" / "no undelivered notifications" when empty).
std::string FormatText(const AlertsView& view);

}  // namespace mcpwatch::alerts
