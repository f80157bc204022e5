// Routing (Alertmanager-like, DESIGN §4): routes are tried in order; a route matches when every
// `match` label equals the notice's label (empty match = catch-all); the first match wins
// unless it says `continue: true`. Pure.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/alerting_config.h"

namespace mcpwatch::alerts {

// The notifier names for a label set, each once, in route order.
std::vector<std::string> Route(const std::vector<RouteConfig>& routes,
                               const std::map<std::string, std::string>& labels);

// The notifiers for a notice. A resolve goes to the union of the routes for its severity and
// for the severity it first fired with, so whoever got the firing also gets the resolve after
// an escalation.
std::vector<std::string> RouteNotice(const std::vector<RouteConfig>& routes,
                                     const nlohmann::json& notice);

}  // namespace mcpwatch::alerts
