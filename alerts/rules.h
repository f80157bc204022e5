// The built-in alert rules (DESIGN §4 names, a contract): each is a pure function of one
// target's snapshot and the evaluation time, answering "is this condition true now, and how
// bad". Timing (`for`, re-notify, silences) lives in the AlertEngine, not here.
//
// The rules are layered so one broken thing pages under one, the most specific, name:
// InitializeFailing, ToolCallsFailing and the Auth* rules take precedence over TargetDown for
// the same target.
#pragma once

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/target_snapshot.h"
#include "config/alerting_config.h"

namespace mcpwatch::alerts {

enum class RuleId {
  kTargetDown,
  kInitializeFailing,
  kToolCallsFailing,
  kLatencySpike,
  kSchemaDrift,
  kDeployRegression,
  kCrashLoop,
  kCertificateExpiring,
  kProberStale,
  kHealthGreenMcpFailing,    // issue 11: the target's own health endpoint is green, MCP is down
  kAuthDiscoveryFailing,     // the last runs were auth_discovery_error
  kAuthServerUnavailable,    // ... auth_server_unavailable
  kAuthCredentialsRejected,  // ... auth_credentials_rejected
  kAuthRefreshExpiring,      // the stored refresh token expires soon (like CertificateExpiring)
  kRateLimitNotEnforced,     // issue 11: a burst over the declared rate limit passed, twice
};

inline constexpr std::array kAllRules = {
    RuleId::kTargetDown,
    RuleId::kInitializeFailing,
    RuleId::kToolCallsFailing,
    RuleId::kLatencySpike,
    RuleId::kSchemaDrift,
    RuleId::kDeployRegression,
    RuleId::kCrashLoop,
    RuleId::kCertificateExpiring,
    RuleId::kProberStale,
    RuleId::kHealthGreenMcpFailing,
    RuleId::kAuthDiscoveryFailing,
    RuleId::kAuthServerUnavailable,
    RuleId::kAuthCredentialsRejected,
    RuleId::kAuthRefreshExpiring,
    RuleId::kRateLimitNotEnforced,
};

std::string_view ToString(RuleId r);  // the names of kRuleNames: "TargetDown", ...
std::optional<RuleId> ParseRuleId(std::string_view s);

// Ordered by urgency, so a larger value is worse.
enum class Severity { kInfo, kWarning, kCritical };
inline constexpr std::array kAllSeverities = {Severity::kInfo, Severity::kWarning,
                                              Severity::kCritical};
std::string_view ToString(Severity s);  // "info" | "warning" | "critical"
std::optional<Severity> ParseSeverity(std::string_view s);

// Tunables of the rules themselves (not operator-configurable; documented in docs/alerts.md).
inline constexpr int kLayerRuns = 2;  // InitializeFailing / ToolCallsFailing: last N runs
inline constexpr std::chrono::minutes kEventWindow{30};  // DeployRegression, CrashLoop
inline constexpr std::chrono::hours kDriftWindow{1};     // SchemaDrift resolves after it
inline constexpr std::chrono::hours kCertWarning{14 * 24};
inline constexpr std::chrono::hours kCertCritical{3 * 24};
inline constexpr int kStaleIntervals = 3;  // ProberStale: no run for this many intervals
inline constexpr std::chrono::hours kAuthRefreshWarning{7 * 24};  // AuthRefreshExpiring
inline constexpr std::chrono::hours kAuthRefreshCritical{24};

struct RuleSpec {
  RuleId id = RuleId::kTargetDown;
  Severity severity = Severity::kCritical;
  std::chrono::milliseconds for_duration{0};  // pending this long before firing
  bool enabled = true;
};

RuleSpec DefaultRule(RuleId id);
// The defaults with the config's overrides applied, one per rule in kAllRules order.
std::vector<RuleSpec> EffectiveRules(const AlertingConfig& config);

// A static, sentence-cased headline ending with a period (monitoring-mixins style).
std::string_view Summary(RuleId id);

struct RuleContext {
  TimePoint now{};
  TimePoint daemon_started_at{};  // ProberStale never counts time before the daemon ran
};

struct RuleOutcome {
  bool active = false;
  Severity severity = Severity::kCritical;  // the spec's, escalated by CertificateExpiring
  std::string description;                  // one line about this target (when active)
  nlohmann::json drift;                     // SchemaDrift: the drift event's details, else null
};

// True for the event kinds some rule reads (schema_drift, deploy_regression, crash_loop,
// rate_limit_not_enforced): the only events a TargetSnapshot needs to carry.
bool RulesReadEvent(EventKind k);

// Evaluates one rule for one target. A disabled rule is never active.
RuleOutcome EvaluateRule(const RuleSpec& spec, const TargetSnapshot& target,
                         const RuleContext& context);

}  // namespace mcpwatch::alerts
