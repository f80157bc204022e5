#include "config/alerting_config.h"

#include "base/parse_by_name.h"

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
  return ParseByName(kAllNotifierTypes, s);
}

}  // namespace mcpwatch
