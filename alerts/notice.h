// The notice: the one JSON description of a transition, stored in the outbox and rendered by
// each notifier at delivery. It is also, byte for byte, the generic webhook body (DESIGN §4
// contract fields: status, alert, target, severity, class, summary, started_at, dedup_key).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "alerts/alert_state.h"

namespace mcpwatch::alerts {

// {"status": "firing"|"resolved", "transition": "firing"|"renotify"|"resolved", "key",
//  "sequence", "alert", "target", "severity", "fired_severity", "class", "summary",
//  "description", "started_at", "ended_at" (null while firing), "dedup_key", "labels", "state",
//  "error", "diagnosis", "run", and "drift" for SchemaDrift}. Times RFC 3339 UTC with ms.
nlohmann::json MakeNotice(const AlertTransition& t);

// The labels routes match on: the target's labels plus alertname (and its alias alert),
// target and severity, which win over target labels of the same name.
std::map<std::string, std::string> RouteLabels(const nlohmann::json& notice);

// Typed reads of a stored notice (missing or mistyped members give "" / false).
std::string NoticeString(const nlohmann::json& notice, const char* key);
bool NoticeIsResolved(const nlohmann::json& notice);

}  // namespace mcpwatch::alerts
