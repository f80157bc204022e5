// alerting: notifiers, routes, rule overrides, silences.
#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "base/timestamp.h"
#include "config/sections.h"

namespace mcpwatch::config_parse {
namespace {

bool Contains(auto list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Keys each notifier type accepts (anything else is reported as unknown for that type).
KeyList NotifierKeys(NotifierType type) {
  static constexpr std::array<std::string_view, 5> kWebhook{"name", "type", "url", "secret_env",
                                                            "timeout"};
  static constexpr std::array<std::string_view, 4> kSlack{"name", "type", "webhook_url_env",
                                                          "timeout"};
  static constexpr std::array<std::string_view, 5> kPagerDuty{"name", "type", "routing_key_env",
                                                              "url", "timeout"};
  static constexpr std::array<std::string_view, 4> kAlertmanager{"name", "type", "url", "timeout"};
  switch (type) {
    case NotifierType::kWebhook: return kWebhook;
    case NotifierType::kSlack: return kSlack;
    case NotifierType::kPagerDuty: return kPagerDuty;
    case NotifierType::kAlertmanager: return kAlertmanager;
  }
  return kWebhook;
}

void ParseNotifier(const YAML::Node& item, std::size_t index, NotifierConfig& n,
                   YamlReader& reader) {
  std::string where = "in notifiers[" + std::to_string(index) + "]";
  if (!item["name"].IsDefined()) {
    reader.Error(item, "missing key \"name\" " + where);
  } else if (reader.ReadString(item, "name", n.name, where) && !n.name.empty()) {
    where = "in notifier \"" + n.name + "\"";
  }
  std::string type;
  if (!item["type"].IsDefined()) {
    reader.Error(item,
                 "missing key \"type\" " + where + " (webhook, slack, pagerduty or alertmanager)");
    return;
  }
  if (!reader.ReadString(item, "type", type, where)) return;
  const auto parsed = ParseNotifierType(type);
  if (!parsed) {
    reader.Error(item["type"], "bad notifier type \"" + type + "\" " + where +
                                   " (use webhook, slack, pagerduty or alertmanager)");
    return;
  }
  n.type = *parsed;
  reader.CheckKeys(item, NotifierKeys(n.type), where + " (type " + type + ")");
  if (reader.ReadDuration(item, "timeout", n.timeout, where) && n.timeout.count() <= 0) {
    reader.Error(item["timeout"], "timeout " + where + " must be more than 0");
  }
  if (reader.ReadString(item, "url", n.url, where)) {
    if (const std::string why = CheckHttpUrl(n.url); !why.empty()) {
      reader.Error(item["url"], "bad url " + where + ": " + why);
    }
  }
  const auto env = [&](std::string_view key, std::string& out) {
    if (reader.ReadString(item, key, out, where) && !IsEnvVarName(out)) {
      reader.Error(item[std::string(key)],
                   std::string(key) + " " + where + ": \"" + out +
                       "\" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }
  };
  env("secret_env", n.secret_env);
  env("routing_key_env", n.routing_key_env);
  env("webhook_url_env", n.webhook_url_env);
  const auto require = [&](std::string_view key) {
    if (!item[std::string(key)].IsDefined()) {
      reader.Error(item, "missing key \"" + std::string(key) + "\" " + where + " (type " + type +
                             " needs it)");
    }
  };
  switch (n.type) {
    case NotifierType::kWebhook: require("url"); break;
    case NotifierType::kAlertmanager: require("url"); break;
    case NotifierType::kPagerDuty: require("routing_key_env"); break;
    case NotifierType::kSlack: require("webhook_url_env"); break;
  }
}

void ParseRoute(const YAML::Node& item, std::size_t index, const std::set<std::string>& notifiers,
                RouteConfig& r, YamlReader& reader) {
  const std::string where = "in routes[" + std::to_string(index) + "]";
  reader.CheckKeys(item, {"match", "notify", "continue"}, where);
  if (reader.ReadStringMap(item, "match", r.match, where)) {
    for (const auto& [label, value] : r.match) {
      if (!IsLabelName(label)) {
        reader.Error(item["match"], "bad label name \"" + label + "\" in match " + where);
      }
    }
  }
  if (!item["notify"].IsDefined()) {
    reader.Error(item, "missing key \"notify\" " + where);
  } else if (reader.ReadStringList(item, "notify", r.notify, where)) {
    if (r.notify.empty()) reader.Error(item["notify"], "notify " + where + " is empty");
    for (const std::string& name : r.notify) {
      if (notifiers.count(name) == 0) {
        reader.Error(item["notify"],
                     "route " + where.substr(3) + " names unknown notifier \"" + name + "\"");
      }
    }
  }
  reader.ReadBool(item, "continue", r.continue_matching, where);
}

void ParseRule(const YAML::Node& item, std::size_t index, RuleOverride& rule, YamlReader& reader) {
  std::string where = "in rules[" + std::to_string(index) + "]";
  reader.CheckKeys(item, {"name", "for", "severity", "enabled"}, where);
  if (!item["name"].IsDefined()) {
    reader.Error(item, "missing key \"name\" " + where);
  } else if (reader.ReadString(item, "name", rule.name, where)) {
    if (!Contains(kRuleNames, rule.name)) {
      std::string message = "unknown rule \"" + rule.name + "\" " + where;
      const std::string guess = DidYouMean(rule.name, kRuleNames);
      if (!guess.empty()) message += " (did you mean \"" + guess + "\"?)";
      reader.Error(item["name"], message);
    } else {
      where = "in rule \"" + rule.name + "\"";
    }
  }
  if (std::chrono::milliseconds value{0}; reader.ReadDuration(item, "for", value, where)) {
    rule.for_duration = value;
  }
  if (std::string value; reader.ReadString(item, "severity", value, where)) {
    if (!Contains(kSeverities, value)) {
      reader.Error(item["severity"],
                   "bad severity \"" + value + "\" " + where + " (use critical, warning or info)");
    }
    rule.severity = value;
  }
  if (bool value = false; reader.ReadBool(item, "enabled", value, where)) rule.enabled = value;
}

void ParseSilence(const YAML::Node& item, std::size_t index,
                  const std::vector<TargetConfig>& targets, SilenceConfig& s, YamlReader& reader) {
  const std::string where = "in silences[" + std::to_string(index) + "]";
  reader.CheckKeys(item, {"target", "until", "rule"}, where);
  if (!item["target"].IsDefined()) {
    reader.Error(item, "missing key \"target\" " + where);
  } else if (reader.ReadString(item, "target", s.target, where)) {
    const bool known = std::any_of(targets.begin(), targets.end(),
                                   [&](const TargetConfig& t) { return t.name == s.target; });
    if (!known) reader.Error(item["target"], "unknown target \"" + s.target + "\" " + where);
  }
  std::string until;
  if (!item["until"].IsDefined()) {
    reader.Error(item, "missing key \"until\" " + where);
  } else if (reader.ReadString(item, "until", until, where)) {
    auto instant = ParseRfc3339(until);
    if (instant) {
      s.until = *instant;
    } else {
      reader.Error(item["until"], "bad until " + where + ": " + instant.error());
    }
  }
  if (reader.ReadString(item, "rule", s.rule, where) && !s.rule.empty() &&
      !Contains(kRuleNames, s.rule)) {
    reader.Error(item["rule"], "unknown rule \"" + s.rule + "\" " + where);
  }
}

// Runs `parse` over each mapping in the list at `map[key]`, collecting the results.
template <typename T, typename Parse>
std::vector<T> ParseList(const YAML::Node& map, const char* key, YamlReader& reader, Parse parse) {
  std::vector<T> out;
  const YAML::Node list = map[key];
  if (!list.IsDefined() || !reader.IsList(list, std::string(key) + " in alerting")) return out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    if (!reader.IsMap(item, "an item of " + std::string(key))) continue;
    T value;
    parse(item, i, value);
    out.push_back(std::move(value));
  }
  return out;
}

}  // namespace

void ParseAlerting(const YAML::Node& node, const std::vector<TargetConfig>& targets,
                   AlertingConfig& out, YamlReader& reader) {
  constexpr std::string_view kWhere = "in alerting";
  if (!reader.IsMap(node, "alerting")) return;
  reader.CheckKeys(node, {"notifiers", "routes", "rules", "repeat_interval", "silences"}, kWhere);
  std::set<std::string> names;
  out.notifiers = ParseList<NotifierConfig>(
      node, "notifiers", reader, [&](const YAML::Node& item, std::size_t i, NotifierConfig& n) {
        ParseNotifier(item, i, n, reader);
        if (!n.name.empty() && !names.insert(n.name).second) {
          reader.Error(item["name"], "duplicate notifier name \"" + n.name + "\"");
        }
      });
  out.routes = ParseList<RouteConfig>(node, "routes", reader,
                                      [&](const YAML::Node& item, std::size_t i, RouteConfig& r) {
                                        ParseRoute(item, i, names, r, reader);
                                      });
  out.rules = ParseList<RuleOverride>(node, "rules", reader,
                                      [&](const YAML::Node& item, std::size_t i, RuleOverride& r) {
                                        ParseRule(item, i, r, reader);
                                      });
  if (reader.ReadDuration(node, "repeat_interval", out.repeat_interval, kWhere) &&
      out.repeat_interval.count() <= 0) {
    reader.Error(node["repeat_interval"], "repeat_interval in alerting must be more than 0");
  }
  out.silences = ParseList<SilenceConfig>(
      node, "silences", reader, [&](const YAML::Node& item, std::size_t i, SilenceConfig& s) {
        ParseSilence(item, i, targets, s, reader);
      });
}

}  // namespace mcpwatch::config_parse
