#include "alerts/notice.h"

#include "checks/event.h"

namespace mcpwatch::alerts {

nlohmann::json MakeNotice(const AlertTransition& t) {
  nlohmann::json n = nlohmann::json::object();
  n["status"] = t.kind == AlertTransitionKind::kResolved ? "resolved" : "firing";
  n["transition"] = ToString(t.kind);
  n["key"] = t.key;
  n["sequence"] = t.seq;
  n["alert"] = ToString(t.rule);
  n["target"] = t.target;
  n["severity"] = ToString(t.severity);
  n["fired_severity"] = ToString(t.fired_severity);
  n["class"] = t.cls;
  n["summary"] = Summary(t.rule);
  n["description"] = t.description;
  n["started_at"] = FormatTimestamp(t.started_at);
  n["ended_at"] = t.ended_at ? nlohmann::json(FormatTimestamp(*t.ended_at)) : nlohmann::json();
  n["dedup_key"] = t.dedup_key;
  n["labels"] = t.labels;
  n["state"] = ToString(t.state);
  n["error"] = t.error;
  n["diagnosis"] = t.diagnosis;
  n["run"] = t.run;
  if (t.rule == RuleId::kSchemaDrift) n["drift"] = t.drift;
  return n;
}

std::string NoticeString(const nlohmann::json& notice, const char* key) {
  if (!notice.is_object()) return "";
  auto it = notice.find(key);
  return it != notice.end() && it->is_string() ? it->get<std::string>() : "";
}

bool NoticeIsResolved(const nlohmann::json& notice) {
  return NoticeString(notice, "status") == "resolved";
}

std::map<std::string, std::string> RouteLabels(const nlohmann::json& notice) {
  std::map<std::string, std::string> labels;
  if (notice.is_object()) {
    auto it = notice.find("labels");
    if (it != notice.end() && it->is_object()) {
      for (const auto& [name, value] : it->items()) {
        if (value.is_string()) labels[name] = value.get<std::string>();
      }
    }
  }
  labels["alertname"] = NoticeString(notice, "alert");
  labels["alert"] = labels["alertname"];
  labels["target"] = NoticeString(notice, "target");
  labels["severity"] = NoticeString(notice, "severity");
  return labels;
}

}  // namespace mcpwatch::alerts
