#include "config/alerting_config.h"

namespace mcpwatch {

std::string_view ToString(NotifierType t) {
  switch (t) {
    case NotifierType::kWebhook: return "webhook";
    case NotifierType::kSlack: return "slack";
    case NotifierType::kPagerDuty: return "pagerduty";
    case NotifierType::kAlertmanager: return "alertmanager";
  }
  return "webhook";
}

std::optional<NotifierType> ParseNotifierType(std::string_view s) {
  for (auto t : {NotifierType::kWebhook, NotifierType::kSlack, NotifierType::kPagerDuty,
                 NotifierType::kAlertmanager}) {
    if (ToString(t) == s) return t;
  }
  return std::nullopt;
}

}  // namespace mcpwatch
