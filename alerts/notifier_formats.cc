// The receiver-specific bodies: Slack incoming webhook, PagerDuty Events API v2 and the
// Alertmanager API v2.
#include <algorithm>

#include "alerts/notice.h"
#include "alerts/notifier.h"
#include "checks/event.h"

namespace mcpwatch::alerts {

namespace {

using nlohmann::json;

std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  s.resize(max - 3);
  // Do not end inside a UTF-8 sequence.
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0x80) != 0) s.pop_back();
  return s + "...";
}

std::string Headline(const json& n) {
  std::string status = NoticeIsResolved(n) ? "RESOLVED" : "FIRING";
  return "[" + status + "] " + NoticeString(n, "alert") + " on " + NoticeString(n, "target");
}

json Details(const json& n) {
  json d = json::object();
  for (const char* key : {"description", "class", "state", "error", "diagnosis", "started_at",
                          "ended_at", "labels", "run", "drift"}) {
    auto it = n.find(key);
    if (it != n.end() && !it->is_null()) d[key] = *it;
  }
  return d;
}

}  // namespace

json SlackBody(const json& n) {
  const bool resolved = NoticeIsResolved(n);
  std::string emoji = resolved                                    ? ":large_green_circle:"
                      : NoticeString(n, "severity") == "critical" ? ":red_circle:"
                                                                  : ":large_orange_circle:";
  std::string text = emoji + " " + Headline(n) + " (" + NoticeString(n, "severity") +
                     "): " + NoticeString(n, "summary");
  // The push notification shows only `text`: the cause goes there too (issue 11).
  if (!resolved && !NoticeString(n, "diagnosis").empty()) {
    text += " " + NoticeString(n, "diagnosis");
  }
  std::string body = "*" + Headline(n) + "* (" + NoticeString(n, "severity") + ")\n" +
                     NoticeString(n, "summary") + "\n" + NoticeString(n, "description");
  std::string context = "started " + NoticeString(n, "started_at");
  if (resolved) context += " · ended " + NoticeString(n, "ended_at");
  if (!NoticeString(n, "class").empty()) context += " · class " + NoticeString(n, "class");
  context += " · " + NoticeString(n, "dedup_key");
  json blocks = json::array();
  blocks.push_back(
      {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", Truncate(body, 2900)}}}});
  blocks.push_back(
      {{"type", "context"}, {"elements", json::array({{{"type", "mrkdwn"}, {"text", context}}})}});
  return {{"text", Truncate(text, 3000)}, {"blocks", blocks}};
}

json PagerDutyBody(const json& n, const std::string& routing_key) {
  json body = {{"routing_key", routing_key},
               {"dedup_key", NoticeString(n, "dedup_key")},
               {"event_action", NoticeIsResolved(n) ? "resolve" : "trigger"},
               {"client", "mcpwatch"}};
  std::string summary = Headline(n) + ": " + NoticeString(n, "description");
  body["payload"] = {
      {"summary", Truncate(summary, 1024)},      {"source", NoticeString(n, "target")},
      {"severity", NoticeString(n, "severity")}, {"timestamp", NoticeString(n, "started_at")},
      {"component", NoticeString(n, "target")},  {"group", NoticeString(n, "alert")},
      {"class", NoticeString(n, "class")},       {"custom_details", Details(n)}};
  return body;
}

json AlertmanagerBody(const json& n, const RenderContext& context) {
  // Labels are the alert's identity in Alertmanager: only values that stay fixed for one
  // firing (severity as first fired); the class, which changes run to run, is an annotation.
  json labels = json::object();
  auto it = n.find("labels");
  if (it != n.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) {
      if (value.is_string()) labels[name] = value;
    }
  }
  std::string severity = NoticeString(n, "fired_severity");
  labels["alertname"] = NoticeString(n, "alert");
  labels["target"] = NoticeString(n, "target");
  labels["severity"] = severity.empty() ? NoticeString(n, "severity") : severity;
  json annotations = {{"summary", NoticeString(n, "summary")},
                      {"description", NoticeString(n, "description")},
                      {"class", NoticeString(n, "class")},
                      {"current_severity", NoticeString(n, "severity")},
                      {"dedup_key", NoticeString(n, "dedup_key")}};
  if (!NoticeString(n, "diagnosis").empty())
    annotations["diagnosis"] = NoticeString(n, "diagnosis");
  std::string ends = NoticeIsResolved(n)
                         ? NoticeString(n, "ended_at")
                         : FormatTimestamp(context.now + context.alertmanager_ends_after);
  json alert = {{"labels", labels},
                {"annotations", annotations},
                {"startsAt", NoticeString(n, "started_at")},
                {"endsAt", ends}};
  if (!context.generator_url.empty()) alert["generatorURL"] = context.generator_url;
  return json::array({alert});
}

}  // namespace mcpwatch::alerts
