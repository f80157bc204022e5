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

// Issue 11: when the failing runs follow a deploy or drift, the tracker names it in the run's
// diagnosis; every failure rule puts that cause before the server's own error, so each
// notifier's wording (all render the description) says it.
TEST_CASE("a failure rule names the deploy that caused it before the last error", "[rules]") {
  const std::string cause =
      "tool calls failing since deploy 1.0.0 → 2.0.0 at 2025-06-15T15:06:40.000Z, which changed "
      "the tools: tool add removed";
  TargetSnapshot tools = DownTarget(FC::kToolError);
  tools.last_diagnosis = cause;
  tools.last_error = "tools/call: isError";
  RuleOutcome out = EvaluateRule(DefaultRule(RuleId::kToolCallsFailing), tools, {kT0, kT0});
  REQUIRE(out.active);
  CHECK(out.description == "shop initializes but its synthetic tool call fails (tool_error): " +
                               cause + ". Last error: tools/call: isError");
  TargetSnapshot down = DownTarget(FC::kConnectionRefused);
  down.last_diagnosis = "runs failing since deploy 1.0.0 → 2.0.0 at X";
  out = EvaluateRule(DefaultRule(RuleId::kTargetDown), down, {kT0, kT0});
  REQUIRE(out.active);
  CHECK_THAT(out.description, Catch::Matchers::Contains("(last class connection_refused): runs "
                                                        "failing since deploy 1.0.0 → 2.0.0 at X. "
                                                        "Last error: initialize:"));
  // Without a cause the description is as before; a latency diagnosis never reads as a cause.
  TargetSnapshot plain = DownTarget(FC::kInitializeFailure);
  out = EvaluateRule(DefaultRule(RuleId::kInitializeFailing), plain, {kT0, kT0});
  CHECK(out.description ==
        "shop answers HTTP but the MCP session fails (initialize_failure): initialize: "
        "initialize_failure");
}

// Issue 11, item 5: the target's own health endpoint says healthy while its MCP runs fail.
TEST_CASE("HealthGreenMcpFailing fires when a down target's health endpoint answered 2xx",
          "[rules]") {
  auto with_health = [](TargetSnapshot t, std::optional<int> status) {
    auto run = std::make_shared<ProbeResult>(*t.last_run);
    run->verdict.cls = *t.last_class;
    if (status) run->transcript.health = HealthRecord::Answered(*status);
    t.last_run = std::move(run);
    return t;
  };
  const RuleSpec spec = DefaultRule(RuleId::kHealthGreenMcpFailing);
  CHECK(spec.severity == Severity::kWarning);
  TargetSnapshot green = with_health(DownTarget(FC::kToolError), 200);
  RuleOutcome out = EvaluateRule(spec, green, {kT0, kT0});
  REQUIRE(out.active);
  CHECK(out.description ==
        "shop's own health endpoint answers HTTP 200 while its MCP runs fail (tool_error): "
        "internal checks pass, the MCP path does not. Last error: initialize: tool_error");
  // Health failing too, no health_url, or not (yet) down: quiet.
  CHECK_FALSE(EvaluateRule(spec, with_health(DownTarget(FC::kToolError), 503), {kT0, kT0}).active);
  CHECK_FALSE(
      EvaluateRule(spec, with_health(DownTarget(FC::kToolError), std::nullopt), {kT0, kT0}).active);
  CHECK_FALSE(EvaluateRule(spec, with_health(UpTarget(), 200), {kT0, kT0}).active);
  CHECK(ParseRuleId("HealthGreenMcpFailing") == RuleId::kHealthGreenMcpFailing);
}

// Issue 11, item 4: the rate limit check's event stands as a warning for an hour.
TEST_CASE("RateLimitNotEnforced fires for an hour after the check's event", "[rules]") {
  const RuleSpec spec = DefaultRule(RuleId::kRateLimitNotEnforced);
  CHECK(spec.severity == Severity::kWarning);
  CHECK(RulesReadEvent(EventKind::kRateLimitNotEnforced));
  TargetSnapshot t = UpTarget();
  CHECK_FALSE(EvaluateRule(spec, t, {kT0, kT0}).active);
  t.recent_events = {MakeEvent(EventKind::kRateLimitNotEnforced, kT0 - minutes(5),
                               {{"summary", "rate limiter not enforcing: 33 of 33 calls"}})};
  RuleOutcome out = EvaluateRule(spec, t, {kT0, kT0});
  REQUIRE(out.active);
  CHECK(out.description == "shop's rate limiter not enforcing: 33 of 33 calls (at " +
                               FormatTimestamp(kT0 - minutes(5)) + ")");
  CHECK_FALSE(EvaluateRule(spec, t, {kT0 + minutes(56), kT0}).active);
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
