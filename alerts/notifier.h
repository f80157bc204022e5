// Notifiers turn a stored notice (alerts/notice.h) into the HTTP request of one receiver type:
// webhook, Slack incoming webhook, PagerDuty Events API v2, Alertmanager API v2. Rendering is
// pure apart from reading secrets through the injected lookup, so payload shapes are unit
// tested without a network; alerts/http_post.h sends the result.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "alerts/http_post.h"
#include "alerts/target_snapshot.h"
#include "config/alerting_config.h"

namespace mcpwatch::alerts {

// Reads an environment variable (nullopt: unset). Secrets are read at delivery, never stored.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnv();  // getenv

inline constexpr std::string_view kPagerDutyUrl = "https://events.pagerduty.com/v2/enqueue";

struct RenderContext {
  int64_t delivery_id = 0;  // the outbox id (X-Mcpwatch-Delivery)
  TimePoint now{};
  EnvLookup env;
  std::string generator_url;  // Alertmanager generatorURL ("" = omitted)
  // Alertmanager: a firing alert's endsAt is now + this; it is re-sent before then.
  std::chrono::milliseconds alertmanager_ends_after{std::chrono::minutes(3)};
};

// The request for `notifier`; an error (a secret's variable unset, a bad notice) is a failed
// attempt with that message. Error texts name variables, never their values. The request's
// `secrets` hold the credentials it carries, so PostRequest can scrub them from the outcome.
tl::expected<OutgoingRequest, std::string> RenderRequest(const NotifierConfig& notifier,
                                                         const nlohmann::json& notice,
                                                         const RenderContext& context);

// "{url}/api/v2/alerts" for an Alertmanager notifier.
std::string AlertmanagerAlertsUrl(const NotifierConfig& notifier);

// The bodies, exposed for tests.
std::string WebhookBody(const nlohmann::json& notice);
nlohmann::json SlackBody(const nlohmann::json& notice);
nlohmann::json PagerDutyBody(const nlohmann::json& notice, const std::string& routing_key);
nlohmann::json AlertmanagerBody(const nlohmann::json& notice, const RenderContext& context);

}  // namespace mcpwatch::alerts
