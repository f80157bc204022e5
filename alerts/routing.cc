#include "alerts/routing.h"

#include <algorithm>

#include "alerts/notice.h"

namespace mcpwatch::alerts {

namespace {

bool Matches(const RouteConfig& route, const std::map<std::string, std::string>& labels) {
  return std::all_of(route.match.begin(), route.match.end(), [&](const auto& m) {
    auto it = labels.find(m.first);
    return it != labels.end() && it->second == m.second;
  });
}

void AddUnique(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

}  // namespace

std::vector<std::string> Route(const std::vector<RouteConfig>& routes,
                               const std::map<std::string, std::string>& labels) {
  std::vector<std::string> names;
  for (const RouteConfig& route : routes) {
    if (!Matches(route, labels)) continue;
    for (const std::string& n : route.notify) AddUnique(names, n);
    if (!route.continue_matching) break;
  }
  return names;
}

std::vector<std::string> RouteNotice(const std::vector<RouteConfig>& routes,
                                     const nlohmann::json& notice) {
  auto labels = RouteLabels(notice);
  std::vector<std::string> names = Route(routes, labels);
  std::string fired = NoticeString(notice, "fired_severity");
  if (NoticeIsResolved(notice) && !fired.empty() && fired != labels["severity"]) {
    labels["severity"] = fired;
    for (const std::string& n : Route(routes, labels)) AddUnique(names, n);
  }
  return names;
}

}  // namespace mcpwatch::alerts
