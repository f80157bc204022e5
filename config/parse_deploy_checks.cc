// The deploy-day keys of one target (issue 11), all opt-in and per target only (never in
// defaults): health_url and rate_limit_check. Kept apart from parse_target.cc so each
// check's validation reads in one place.
#include "base/duration.h"
#include "config/sections.h"
#include "config/yaml_json.h"

namespace mcpwatch::config_parse {

namespace {

void ParseHealthUrl(const YAML::Node& node, TargetConfig& t, YamlReader& reader,
                    const std::string& where) {
  if (!reader.AsString(node, t.spec.health_url, "health_url " + where)) return;
  if (const std::string why = CheckHttpUrl(t.spec.health_url); !why.empty()) {
    reader.Error(node, "bad health_url " + where + ": " + why);  // never echoed: may hold a secret
  }
}

// rate_limit_check: {limit: 30, window: 60s, every: 1h, tool: get_item, arguments: {id: 1}}
void ParseRateLimitCheck(const YAML::Node& node, TargetConfig& t, YamlReader& reader,
                         const std::string& where) {
  if (!reader.IsMap(node, "rate_limit_check " + where)) return;
  const std::string inner = "in rate_limit_check of " + where.substr(3);
  reader.CheckKeys(node, {"limit", "window", "every", "tool", "arguments"}, inner);
  RateLimitSpec spec;
  for (const char* key : {"limit", "window", "tool"}) {
    if (!node[key].IsDefined())
      reader.Error(node, "missing key \"" + std::string(key) + "\" " + inner);
  }
  reader.ReadInt(node, "limit", spec.limit, 1, kMaxRateLimit, inner);
  reader.ReadDuration(node, "window", spec.window, inner);
  reader.ReadDuration(node, "every", spec.every, inner);
  if (reader.ReadString(node, "tool", spec.tool.name, inner) && spec.tool.name.empty()) {
    reader.Error(node["tool"], "empty tool name " + inner);
  }
  if (const YAML::Node args = node["arguments"]; args.IsDefined()) {
    if (reader.IsMap(args, "arguments " + inner)) spec.tool.arguments = YamlToJson(args);
  }
  if (spec.window < std::chrono::seconds(1) || spec.window > std::chrono::hours(1)) {
    reader.Error(node["window"].IsDefined() ? node["window"] : node,
                 "window " + inner + " must be between 1s and 1h");
  }
  // A burst must not still count against the limit when the next one starts.
  if (spec.every <= spec.window) {
    reader.Error(node["every"].IsDefined() ? node["every"] : node,
                 "every (" + FormatDuration(spec.every) + ") must be longer than window (" +
                     FormatDuration(spec.window) + ") " + inner);
  }
  t.rate_limit_check = std::move(spec);
}

}  // namespace

void ParseDeployDayKeys(const YAML::Node& item, TargetConfig& t, YamlReader& reader,
                        const std::string& where) {
  if (const YAML::Node health = item["health_url"]; health.IsDefined()) {
    ParseHealthUrl(health, t, reader, where);
  }
  if (const YAML::Node check = item["rate_limit_check"]; check.IsDefined()) {
    ParseRateLimitCheck(check, t, reader, where);
  }
}

}  // namespace mcpwatch::config_parse
