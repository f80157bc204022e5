// The `alerting:` section: where alerts go (notifiers, routes) and operator overrides of the
// built-in rules. Plain data; env var names only, never secret values.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpwatch {

enum class NotifierType { kWebhook, kSlack, kPagerDuty, kAlertmanager };
inline constexpr std::array kAllNotifierTypes = {NotifierType::kWebhook, NotifierType::kSlack,
                                                 NotifierType::kPagerDuty,
                                                 NotifierType::kAlertmanager};
std::string_view ToString(NotifierType t);  // "webhook" | "slack" | "pagerduty" | "alertmanager"
std::optional<NotifierType> ParseNotifierType(std::string_view s);

struct NotifierConfig {
  std::string name;
  NotifierType type = NotifierType::kWebhook;
  std::string url;              // webhook, alertmanager: required; pagerduty: "" = the default
  std::string secret_env;       // webhook: HMAC key for X-Mcpwatch-Signature (optional)
  std::string routing_key_env;  // pagerduty: required
  std::string webhook_url_env;  // slack: required (the URL itself is a secret)
  std::chrono::milliseconds timeout{10000};
};

struct RouteConfig {
  std::map<std::string, std::string> match;  // label -> exact value; empty matches everything
  std::vector<std::string> notify;           // notifier names, all existing
  bool continue_matching = false;            // YAML key `continue`
};

struct RuleOverride {
  std::string name;                                       // one of kRuleNames
  std::optional<std::chrono::milliseconds> for_duration;  // YAML key `for`
  std::optional<std::string> severity;                    // critical | warning | info
  std::optional<bool> enabled;
};

struct SilenceConfig {
  std::string target;  // an existing target name
  std::chrono::system_clock::time_point until;
  std::string rule;  // "" = every rule
};

struct AlertingConfig {
  std::vector<NotifierConfig> notifiers;
  std::vector<RouteConfig> routes;
  std::vector<RuleOverride> rules;
  std::chrono::milliseconds repeat_interval{4 * 3600 * 1000};
  std::vector<SilenceConfig> silences;
};

// The built-in alert rule names (a contract: DESIGN §4).
// The Auth* rules (issue 13) report the monitor's own access: an OAuth target whose token
// cannot be had, instead of TargetDown.
inline constexpr std::array<std::string_view, 15> kRuleNames{"TargetDown",
                                                             "InitializeFailing",
                                                             "ToolCallsFailing",
                                                             "LatencySpike",
                                                             "SchemaDrift",
                                                             "DeployRegression",
                                                             "CrashLoop",
                                                             "CertificateExpiring",
                                                             "ProberStale",
                                                             "HealthGreenMcpFailing",
                                                             "AuthDiscoveryFailing",
                                                             "AuthServerUnavailable",
                                                             "AuthCredentialsRejected",
                                                             "AuthRefreshExpiring",
                                                             "RateLimitNotEnforced"};

inline constexpr std::array<std::string_view, 3> kSeverities{"critical", "warning", "info"};

}  // namespace mcpwatch
