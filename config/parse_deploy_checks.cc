// The deploy-day keys of one target (issue 11), all opt-in and per target only (never in
// defaults): health_url. Kept apart from parse_target.cc so each
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

}  // namespace

void ParseDeployDayKeys(const YAML::Node& item, TargetConfig& t, YamlReader& reader,
                        const std::string& where) {
  if (const YAML::Node health = item["health_url"]; health.IsDefined()) {
    ParseHealthUrl(health, t, reader, where);
  }
}

}  // namespace mcpwatch::config_parse
