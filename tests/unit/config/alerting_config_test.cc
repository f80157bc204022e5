// The alerting: section: parsed values and every validation rule.
#include <catch2/catch.hpp>

#include "tests/unit/config/config_test_util.h"

namespace mcpwatch {
namespace {

using testing::ErrorsOf;
using testing::MustParse;

// Lines 1-3: one target; line 4: "alerting:"; the case's lines follow from line 5.
std::string WithAlerting(const std::string& body) {
  return "targets:\n  - name: shop\n    url: https://mcp.example.com/mcp\nalerting:\n" + body;
}

TEST_CASE("alerting section parses into the model", "[config][alerting]") {
  const Config config = MustParse(WithAlerting(
      "  notifiers:\n"
      "    - {name: ops, type: webhook, url: \"http://127.0.0.1:9000/hook\", secret_env: HOOK}\n"
      "    - {name: am, type: alertmanager, url: \"http://127.0.0.1:9093\", timeout: 3s}\n"
      "    - {name: pager, type: pagerduty, routing_key_env: PD_KEY}\n"
      "    - {name: chat, type: slack, webhook_url_env: SLACK_URL}\n"
      "  routes:\n"
      "    - {match: {severity: critical}, notify: [ops, pager], continue: true}\n"
      "    - {notify: [chat]}\n"
      "  rules:\n"
      "    - {name: TargetDown, for: 1m, severity: critical, enabled: false}\n"
      "    - {name: LatencySpike}\n"
      "  repeat_interval: 2h\n"
      "  silences: [{target: shop, until: \"2026-12-01T00:00:00Z\", rule: SchemaDrift}]\n"));
  const AlertingConfig& a = config.alerting;
  REQUIRE(a.notifiers.size() == 4);
  CHECK(a.notifiers[0].type == NotifierType::kWebhook);
  CHECK(a.notifiers[0].secret_env == "HOOK");
  CHECK(a.notifiers[0].timeout == std::chrono::seconds(10));
  CHECK(a.notifiers[1].type == NotifierType::kAlertmanager);
  CHECK(a.notifiers[1].timeout == std::chrono::seconds(3));
  CHECK(a.notifiers[2].type == NotifierType::kPagerDuty);
  CHECK(a.notifiers[2].url.empty());
  CHECK(a.notifiers[2].routing_key_env == "PD_KEY");
  CHECK(a.notifiers[3].webhook_url_env == "SLACK_URL");
  REQUIRE(a.routes.size() == 2);
  CHECK(a.routes[0].match == std::map<std::string, std::string>{{"severity", "critical"}});
  CHECK(a.routes[0].notify == std::vector<std::string>{"ops", "pager"});
  CHECK(a.routes[0].continue_matching);
  CHECK(a.routes[1].match.empty());
  CHECK_FALSE(a.routes[1].continue_matching);
  REQUIRE(a.rules.size() == 2);
  CHECK(a.rules[0].for_duration == std::chrono::minutes(1));
  CHECK(a.rules[0].severity == std::optional<std::string>("critical"));
  CHECK(a.rules[0].enabled == std::optional<bool>(false));
  CHECK_FALSE(a.rules[1].for_duration.has_value());
  CHECK_FALSE(a.rules[1].enabled.has_value());
  CHECK(a.repeat_interval == std::chrono::hours(2));
  REQUIRE(a.silences.size() == 1);
  CHECK(a.silences[0].target == "shop");
  CHECK(a.silences[0].rule == "SchemaDrift");
  CHECK(a.silences[0].until.time_since_epoch() == std::chrono::seconds(1796083200));
}

TEST_CASE("alerting defaults without the section", "[config][alerting]") {
  const Config config =
      MustParse("targets:\n  - name: shop\n    url: https://mcp.example.com/mcp\n");
  CHECK(config.alerting.notifiers.empty());
  CHECK(config.alerting.repeat_interval == std::chrono::hours(4));
}

struct AlertingCase {
  const char* what;
  const char* body;
  const char* error;
};

const AlertingCase kAlertingErrors[] = {
    {"duplicate notifier name",
     "  notifiers:\n    - {name: ops, type: slack, webhook_url_env: A}\n"
     "    - {name: ops, type: slack, webhook_url_env: B}\n",
     "t.yaml:7:14: duplicate notifier name \"ops\""},
    {"bad notifier type", "  notifiers: [{name: ops, type: email}]\n",
     "t.yaml:5:33: bad notifier type \"email\" in notifier \"ops\" (use webhook, slack, pagerduty "
     "or alertmanager)"},
    {"webhook without url", "  notifiers: [{name: ops, type: webhook}]\n",
     "t.yaml:5:15: missing key \"url\" in notifier \"ops\" (type webhook needs it)"},
    {"alertmanager without url", "  notifiers: [{name: am, type: alertmanager}]\n",
     "t.yaml:5:15: missing key \"url\" in notifier \"am\" (type alertmanager needs it)"},
    {"pagerduty without routing key", "  notifiers: [{name: pd, type: pagerduty}]\n",
     "t.yaml:5:15: missing key \"routing_key_env\" in notifier \"pd\" (type pagerduty needs it)"},
    {"slack without webhook_url_env", "  notifiers: [{name: chat, type: slack}]\n",
     "t.yaml:5:15: missing key \"webhook_url_env\" in notifier \"chat\" (type slack needs it)"},
    {"key of another type",
     "  notifiers: [{name: chat, type: slack, webhook_url_env: A, url: \"http://127.0.0.1:1\"}]\n",
     "t.yaml:5:61: unknown key \"url\" in notifier \"chat\" (type slack)"},
    {"notifier url with credentials",
     "  notifiers: [{name: am, type: alertmanager, url: \"http://u:p@127.0.0.1:9093\"}]\n",
     "t.yaml:5:51: bad url in notifier \"am\": credentials in URLs are refused (use headers, "
     "bearer_token_env or bearer_token_file)"},
    {"route names unknown notifier",
     "  notifiers: [{name: ops, type: slack, webhook_url_env: A}]\n"
     "  routes: [{notify: [ops, pagr]}]\n",
     "t.yaml:6:21: route routes[0] names unknown notifier \"pagr\""},
    {"route without notify", "  routes: [{match: {severity: critical}}]\n",
     "t.yaml:5:12: missing key \"notify\" in routes[0]"},
    {"unknown rule name", "  rules: [{name: TargetDwn, for: 1m}]\n",
     "t.yaml:5:18: unknown rule \"TargetDwn\" in rules[0] (did you mean \"TargetDown\"?)"},
    {"bad severity", "  rules: [{name: TargetDown, severity: page}]\n",
     "t.yaml:5:40: bad severity \"page\" in rule \"TargetDown\" (use critical, warning or info)"},
    {"bad rule duration", "  rules: [{name: TargetDown, for: soon}]\n",
     "t.yaml:5:35: bad duration for \"for\" in rule \"TargetDown\": \"soon\": expected a number "
     "before the unit"},
    {"silence for unknown target", "  silences: [{target: shp, until: \"2026-12-01T00:00:00Z\"}]\n",
     "t.yaml:5:23: unknown target \"shp\" in silences[0]"},
    {"silence with unknown rule",
     "  silences: [{target: shop, until: \"2026-12-01T00:00:00Z\", rule: Down}]\n",
     "t.yaml:5:66: unknown rule \"Down\" in silences[0]"},
    {"silence without until", "  silences: [{target: shop}]\n",
     "t.yaml:5:14: missing key \"until\" in silences[0]"},
    {"unknown alerting key", "  reapeat_interval: 1h\n",
     "t.yaml:5:3: unknown key \"reapeat_interval\" in alerting (did you mean "
     "\"repeat_interval\"?)"},
};

TEST_CASE("alerting mistakes are reported with their position", "[config][alerting]") {
  for (const AlertingCase& c : kAlertingErrors) {
    INFO(c.what);
    INFO(c.body);
    CHECK(ErrorsOf(WithAlerting(c.body)) == std::vector<std::string>{c.error});
  }
}

}  // namespace
}  // namespace mcpwatch
