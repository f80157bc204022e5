#include "alerts/rules.h"

#include <catch2/catch.hpp>
#include <functional>
#include <vector>

#include "tests/unit/alerts/alert_test_util.h"

namespace mcpwatch::alerts {
namespace {

using namespace test;
using FC = FailureClass;
using nlohmann::json;

struct Case {
  const char* name;
  RuleId rule;
  std::function<void(TargetSnapshot&)> edit;
  bool active;
  Severity severity;
};

bool Active(RuleId rule, const TargetSnapshot& t, TimePoint now = kT0,
            TimePoint started = kT0 - hours(24)) {
  return EvaluateRule(DefaultRule(rule), t, RuleContext{now, started}).active;
}

TEST_CASE("every rule fires on its condition and stays quiet without it", "[rules]") {
  const json drift_breaking = {{"grade", "breaking"}, {"summary", "breaking: tool x removed"}};
  const std::vector<Case> cases = {
      {"down by refused", RuleId::kTargetDown,
       [](TargetSnapshot& t) { t = DownTarget(FC::kConnectionRefused); }, true,
       Severity::kCritical},
      {"up is not down", RuleId::kTargetDown, [](TargetSnapshot&) {}, false, Severity::kCritical},
      {"down by initialize is InitializeFailing, not TargetDown", RuleId::kTargetDown,
       [](TargetSnapshot& t) { t = DownTarget(FC::kInitializeFailure); }, false,
       Severity::kCritical},
      {"initialize failing", RuleId::kInitializeFailing,
       [](TargetSnapshot& t) { t = DownTarget(FC::kInitializeFailure); }, true,
       Severity::kCritical},
      {"protocol errors count as session failures", RuleId::kInitializeFailing,
       [](TargetSnapshot& t) {
         t.recent_classes = {FC::kProtocolError, FC::kSessionError};
       },
       true, Severity::kCritical},
      {"one initialize failure is not enough", RuleId::kInitializeFailing,
       [](TargetSnapshot& t) {
         t.recent_classes = {FC::kOk, FC::kInitializeFailure};
       },
       false, Severity::kCritical},
      {"refused is not an initialize failure", RuleId::kInitializeFailing,
       [](TargetSnapshot& t) { t = DownTarget(FC::kConnectionRefused); }, false,
       Severity::kCritical},
      {"tool calls failing", RuleId::kToolCallsFailing,
       [](TargetSnapshot& t) {
         t.recent_classes = {FC::kToolError, FC::kToolMissing};
       },
       true, Severity::kCritical},
      {"tool error then ok clears", RuleId::kToolCallsFailing,
       [](TargetSnapshot& t) {
         t.recent_classes = {FC::kToolError, FC::kOk};
       },
       false, Severity::kCritical},
      {"degraded is a latency spike", RuleId::kLatencySpike,
       [](TargetSnapshot& t) { t.state = TargetState::kDegraded; }, true, Severity::kWarning},
      {"breaking drift fires", RuleId::kSchemaDrift,
       [&](TargetSnapshot& t) {
         t.recent_events = {MakeEvent(EventKind::kSchemaDrift, kT0 - minutes(5), drift_breaking)};
       },
       true, Severity::kWarning},
      {"security drift fires", RuleId::kSchemaDrift,
       [](TargetSnapshot& t) {
         t.recent_events = {
             MakeEvent(EventKind::kSchemaDrift, kT0 - minutes(5), {{"grade", "security"}})};
       },
       true, Severity::kWarning},
      {"compatible drift does not", RuleId::kSchemaDrift,
       [](TargetSnapshot& t) {
         t.recent_events = {
             MakeEvent(EventKind::kSchemaDrift, kT0 - minutes(5), {{"grade", "compatible"}})};
       },
       false, Severity::kWarning},
      {"drift older than an hour resolves", RuleId::kSchemaDrift,
       [&](TargetSnapshot& t) {
         t.recent_events = {MakeEvent(EventKind::kSchemaDrift, kT0 - minutes(61), drift_breaking)};
       },
       false, Severity::kWarning},
      {"accepted drift resolves", RuleId::kSchemaDrift,
       [&](TargetSnapshot& t) {
         t.recent_events = {MakeEvent(EventKind::kSchemaDrift, kT0 - minutes(5), drift_breaking)};
         t.schema_accepted = true;
       },
       false, Severity::kWarning},
      {"deploy regression within 30 min", RuleId::kDeployRegression,
       [](TargetSnapshot& t) {
         t.recent_events = {MakeEvent(EventKind::kDeployRegression, kT0 - minutes(29),
                                      {{"regressed", true}, {"reason", "error rate 0% -> 60%"}})};
       },
       true, Severity::kCritical},
      {"deploy regression after 30 min", RuleId::kDeployRegression,
       [](TargetSnapshot& t) {
         t.recent_events = {MakeEvent(EventKind::kDeployRegression, kT0 - minutes(31))};
       },
       false, Severity::kCritical},
      {"a plain deploy is no regression", RuleId::kDeployRegression,
       [](TargetSnapshot& t) { t.recent_events = {MakeEvent(EventKind::kDeploy, kT0)}; }, false,
       Severity::kCritical},
      {"crash loop within 30 min", RuleId::kCrashLoop,
       [](TargetSnapshot& t) {
         t.recent_events = {MakeEvent(EventKind::kCrashLoop, kT0 - minutes(10))};
       },
       true, Severity::kCritical},
      {"crash loop after 30 min", RuleId::kCrashLoop,
       [](TargetSnapshot& t) {
         t.recent_events = {MakeEvent(EventKind::kCrashLoop, kT0 - minutes(40))};
       },
       false, Severity::kCritical},
      {"cert in 20 days is fine", RuleId::kCertificateExpiring,
       [](TargetSnapshot& t) { t.cert_not_after = kT0 + hours(20 * 24); }, false,
       Severity::kWarning},
      {"cert in 10 days warns", RuleId::kCertificateExpiring,
       [](TargetSnapshot& t) { t.cert_not_after = kT0 + hours(10 * 24); }, true,
       Severity::kWarning},
      {"cert in 2 days is critical", RuleId::kCertificateExpiring,
       [](TargetSnapshot& t) { t.cert_not_after = kT0 + hours(2 * 24); }, true,
       Severity::kCritical},
      {"expired cert is critical", RuleId::kCertificateExpiring,
       [](TargetSnapshot& t) { t.cert_not_after = kT0 - hours(1); }, true, Severity::kCritical},
      {"no TLS, no cert alert", RuleId::kCertificateExpiring, [](TargetSnapshot&) {}, false,
       Severity::kWarning},
      {"stale after 3 intervals", RuleId::kProberStale,
       [](TargetSnapshot& t) { t.last_run_at = kT0 - seconds(181); }, true, Severity::kCritical},
      {"not stale at 3 intervals", RuleId::kProberStale,
       [](TargetSnapshot& t) { t.last_run_at = kT0 - seconds(180); }, false, Severity::kCritical},
      // auth health (issue 13): its own rule, and never TargetDown
      {"revoked credentials are AuthCredentialsRejected", RuleId::kAuthCredentialsRejected,
       [](TargetSnapshot& t) { t = DownTarget(FC::kAuthCredentialsRejected); }, true,
       Severity::kWarning},
      {"revoked credentials are not TargetDown", RuleId::kTargetDown,
       [](TargetSnapshot& t) { t = DownTarget(FC::kAuthCredentialsRejected); }, false,
       Severity::kCritical},
      {"an AS outage is AuthServerUnavailable", RuleId::kAuthServerUnavailable,
       [](TargetSnapshot& t) { t = DownTarget(FC::kAuthServerUnavailable); }, true,
       Severity::kWarning},
      {"an AS outage is not TargetDown", RuleId::kTargetDown,
       [](TargetSnapshot& t) { t = DownTarget(FC::kAuthServerUnavailable); }, false,
       Severity::kCritical},
      {"an AS outage is not AuthCredentialsRejected", RuleId::kAuthCredentialsRejected,
       [](TargetSnapshot& t) { t = DownTarget(FC::kAuthServerUnavailable); }, false,
       Severity::kWarning},
      {"broken metadata is AuthDiscoveryFailing", RuleId::kAuthDiscoveryFailing,
       [](TargetSnapshot& t) { t = DownTarget(FC::kAuthDiscoveryError); }, true,
       Severity::kWarning},
      {"one auth failure is not enough", RuleId::kAuthCredentialsRejected,
       [](TargetSnapshot& t) {
         t.recent_classes = {FC::kOk, FC::kAuthCredentialsRejected};
       },
       false, Severity::kWarning},
      {"the server's own 401 is still TargetDown", RuleId::kTargetDown,
       [](TargetSnapshot& t) { t = DownTarget(FC::kAuthFailure); }, true, Severity::kCritical},
      {"refresh token in 10 days is fine", RuleId::kAuthRefreshExpiring,
       [](TargetSnapshot& t) { t.auth_refresh_expires_at = kT0 + hours(10 * 24); }, false,
       Severity::kWarning},
      {"refresh token in 3 days warns", RuleId::kAuthRefreshExpiring,
       [](TargetSnapshot& t) { t.auth_refresh_expires_at = kT0 + hours(3 * 24); }, true,
       Severity::kWarning},
      {"refresh token in 5 hours is critical", RuleId::kAuthRefreshExpiring,
       [](TargetSnapshot& t) { t.auth_refresh_expires_at = kT0 + hours(5); }, true,
       Severity::kCritical},
      {"no refresh expiry known, no alert", RuleId::kAuthRefreshExpiring, [](TargetSnapshot&) {},
       false, Severity::kWarning},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    TargetSnapshot t = UpTarget();
    c.edit(t);
    RuleOutcome out = EvaluateRule(DefaultRule(c.rule), t, RuleContext{kT0, kT0 - hours(24)});
    CHECK(out.active == c.active);
    if (out.active) {
      CHECK(out.severity == c.severity);
      CHECK_THAT(out.description, Catch::Matchers::StartsWith("shop"));
    }
  }
}

TEST_CASE("ProberStale does not count time the daemon was not running", "[rules]") {
  TargetSnapshot t = UpTarget();
  t.last_run_at = kT0 - hours(5);
  CHECK_FALSE(Active(RuleId::kProberStale, t, kT0, kT0 - seconds(30)));
  CHECK(Active(RuleId::kProberStale, t, kT0, kT0 - seconds(181)));
  t.last_run_at = TimePoint{};  // never probed since the daemon started 10 min ago
  CHECK(Active(RuleId::kProberStale, t, kT0, kT0 - minutes(10)));
}

TEST_CASE("the drift rule carries the drift report", "[rules]") {
  TargetSnapshot t = UpTarget();
  json details = {{"grade", "breaking"}, {"summary", "breaking: tool x removed"}};
  t.recent_events = {MakeEvent(EventKind::kSchemaDrift, kT0 - minutes(50), {{"grade", "security"}}),
                     MakeEvent(EventKind::kSchemaDrift, kT0 - minutes(5), details)};
  RuleOutcome out = EvaluateRule(DefaultRule(RuleId::kSchemaDrift), t, RuleContext{kT0, kT0});
  REQUIRE(out.active);
  CHECK(out.drift == details);
  CHECK_THAT(out.description, Catch::Matchers::Contains("tool x removed"));
}

TEST_CASE("config overrides for, severity and enabled", "[rules]") {
  AlertingConfig config;
  config.rules.push_back({"TargetDown", std::chrono::minutes(2), "warning", std::nullopt});
  config.rules.push_back({"CrashLoop", std::nullopt, std::nullopt, false});
  auto rules = EffectiveRules(config);
  REQUIRE(rules.size() == kAllRules.size());
  const RuleSpec& down = rules[static_cast<size_t>(RuleId::kTargetDown)];
  CHECK(down.for_duration == std::chrono::minutes(2));
  CHECK(down.severity == Severity::kWarning);
  const RuleSpec& crash = rules[static_cast<size_t>(RuleId::kCrashLoop)];
  CHECK_FALSE(crash.enabled);
  TargetSnapshot t = UpTarget();
  t.recent_events = {MakeEvent(EventKind::kCrashLoop, kT0)};
  CHECK_FALSE(EvaluateRule(crash, t, RuleContext{kT0, kT0}).active);
  CHECK(rules[static_cast<size_t>(RuleId::kLatencySpike)].for_duration == std::chrono::minutes(5));
}

TEST_CASE("rule and severity names round-trip", "[rules]") {
  for (RuleId r : kAllRules) CHECK(ParseRuleId(ToString(r)) == r);
  CHECK_FALSE(ParseRuleId("McpTargetDown"));
  CHECK(ParseSeverity("critical") == Severity::kCritical);
  CHECK(Severity::kCritical > Severity::kWarning);
  for (RuleId r : kAllRules) CHECK(Summary(r).back() == '.');
}

}  // namespace
}  // namespace mcpwatch::alerts
