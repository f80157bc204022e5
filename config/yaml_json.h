// Internal to config/: a YAML value (tool_call arguments) as JSON, with YAML 1.2 core-schema
// typing of plain scalars: 1 -> number, true -> boolean, null/~ -> null, "1" (quoted) -> string.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

namespace mcpwatch::config_parse {

nlohmann::json YamlToJson(const YAML::Node& node);

}  // namespace mcpwatch::config_parse
