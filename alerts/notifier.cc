#include "alerts/notifier.h"

#include <cstdlib>

#include "alerts/notice.h"
#include "base/digest.h"

namespace mcpwatch::alerts {

namespace {

tl::expected<std::string, std::string> Secret(const RenderContext& context,
                                              const std::string& variable, const char* what) {
  std::optional<std::string> value = context.env ? context.env(variable) : std::nullopt;
  if (!value || value->empty()) {
    return tl::make_unexpected(std::string(what) + ": environment variable " + variable +
                               " is not set");
  }
  return *value;
}

const std::string kJson = "Content-Type: application/json";

// "/services/T0/B0/XYZ?x=1" of "https://hooks.slack.com/services/T0/B0/XYZ?x=1" ("" if none).
std::string UrlPath(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? "" : url.substr(path);
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string AlertmanagerAlertsUrl(const NotifierConfig& notifier) {
  std::string base = notifier.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v2/alerts";
}

std::string WebhookBody(const nlohmann::json& notice) {
  return notice.dump();
}

tl::expected<OutgoingRequest, std::string> RenderRequest(const NotifierConfig& notifier,
                                                         const nlohmann::json& notice,
                                                         const RenderContext& context) {
  if (!notice.is_object() || NoticeString(notice, "dedup_key").empty()) {
    return tl::make_unexpected("the stored notice is not a valid notice object");
  }
  OutgoingRequest request;
  request.timeout = notifier.timeout;
  request.headers.push_back(kJson);
  switch (notifier.type) {
    case NotifierType::kWebhook: {
      request.url = notifier.url;
      request.body = WebhookBody(notice);
      request.headers.push_back("X-Mcpwatch-Delivery: " + std::to_string(context.delivery_id));
      if (!notifier.secret_env.empty()) {
        auto key = Secret(context, notifier.secret_env, "webhook secret");
        if (!key) return tl::make_unexpected(key.error());
        request.headers.push_back("X-Mcpwatch-Signature: sha256=" +
                                  HmacSha256Hex(*key, request.body));
        request.secrets.push_back(*key);
      }
      return request;
    }
    case NotifierType::kSlack: {
      auto url = Secret(context, notifier.webhook_url_env, "slack webhook URL");
      if (!url) return tl::make_unexpected(url.error());
      request.url = *url;
      request.body = SlackBody(notice).dump();
      // The whole URL is the credential; a receiver echoing its request shows the path.
      request.secrets = {*url, UrlPath(*url)};
      return request;
    }
    case NotifierType::kPagerDuty: {
      auto key = Secret(context, notifier.routing_key_env, "pagerduty routing key");
      if (!key) return tl::make_unexpected(key.error());
      request.url = notifier.url.empty() ? std::string(kPagerDutyUrl) : notifier.url;
      request.body = PagerDutyBody(notice, *key).dump();
      request.secrets.push_back(*key);
      return request;
    }
    case NotifierType::kAlertmanager: {
      request.url = AlertmanagerAlertsUrl(notifier);
      request.body = AlertmanagerBody(notice, context).dump();
      return request;
    }
  }
  return tl::make_unexpected("unknown notifier type");
}

}  // namespace mcpwatch::alerts
