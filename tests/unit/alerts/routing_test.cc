#include "alerts/routing.h"

#include <catch2/catch.hpp>

#include "alerts/notice.h"

namespace mcpwatch::alerts {
namespace {

using nlohmann::json;
using Names = std::vector<std::string>;

std::vector<RouteConfig> Routes() {
  return {
      {{{"severity", "critical"}}, {"ops", "pager"}, true},
      {{{"team", "payments"}, {"alertname", "SchemaDrift"}}, {"payments-chat"}, false},
      {{}, {"chat", "ops"}, false},
      {{}, {"never"}, false},
  };
}

json Notice(std::string alert, std::string severity, std::string team = "search",
            std::string status = "firing", std::string fired = "") {
  return {{"alert", alert},       {"target", "shop"},
          {"severity", severity}, {"fired_severity", fired.empty() ? severity : fired},
          {"status", status},     {"labels", {{"team", team}}}};
}

TEST_CASE("routes: first match wins unless continue, names once each", "[routing]") {
  CHECK(RouteNotice(Routes(), Notice("TargetDown", "critical")) == Names{"ops", "pager", "chat"});
  CHECK(RouteNotice(Routes(), Notice("LatencySpike", "warning")) == Names{"chat", "ops"});
  CHECK(RouteNotice(Routes(), Notice("SchemaDrift", "warning", "payments")) ==
        Names{"payments-chat"});
  CHECK(RouteNotice(Routes(), Notice("SchemaDrift", "warning", "search")) == Names{"chat", "ops"});
  CHECK(RouteNotice({}, Notice("TargetDown", "critical")).empty());
  std::vector<RouteConfig> only_critical = {{{{"severity", "critical"}}, {"pager"}, false}};
  CHECK(RouteNotice(only_critical, Notice("LatencySpike", "warning")).empty());
}

TEST_CASE("routes: reserved labels win over target labels", "[routing]") {
  json n = Notice("TargetDown", "warning");
  n["labels"]["severity"] = "critical";
  auto labels = RouteLabels(n);
  CHECK(labels["severity"] == "warning");
  CHECK(labels["alertname"] == "TargetDown");
  CHECK(labels["alert"] == "TargetDown");
  CHECK(labels["target"] == "shop");
  CHECK(labels["team"] == "search");
  std::vector<RouteConfig> by_target = {{{{"target", "shop"}}, {"shop-owner"}, false}};
  CHECK(RouteNotice(by_target, n) == Names{"shop-owner"});
}

TEST_CASE("routes: a resolve after an escalation reaches both routes", "[routing]") {
  std::vector<RouteConfig> routes = {
      {{{"severity", "critical"}}, {"pager"}, false},
      {{}, {"chat"}, false},
  };
  CHECK(RouteNotice(routes, Notice("CertificateExpiring", "critical", "x", "resolved",
                                   "warning")) == Names{"pager", "chat"});
  CHECK(RouteNotice(routes, Notice("CertificateExpiring", "critical", "x", "firing", "warning")) ==
        Names{"pager"});
}

}  // namespace
}  // namespace mcpwatch::alerts
