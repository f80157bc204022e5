// Internal to config/: one parser per section of the config file. Each records its problems in
// the reader and fills what it could, so the caller can carry on and report everything.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace mcpwatch::config_parse {

// `path` made absolute against `base_dir` (the config file's directory), normalised.
std::string ResolvePath(const std::filesystem::path& base_dir, const std::string& path);

bool IsEnvVarName(std::string_view name);  // [A-Za-z_][A-Za-z0-9_]*
bool IsLabelName(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*
bool IsHeaderName(std::string_view name);  // an RFC 9110 token
bool IsTargetName(std::string_view name);  // [A-Za-z0-9_.-]{1,64}
// "" when `url` is an acceptable http(s) URL without userinfo, else the reason.
std::string CheckHttpUrl(std::string_view url);

void ParseStorage(const YAML::Node& node, StorageConfig& out, YamlReader& reader);
void ParseScheduler(const YAML::Node& node, SchedulerConfig& out, YamlReader& reader);
void ParseDetection(const YAML::Node& node, DetectionConfig& out, YamlReader& reader);
// Overrides the keys present in `node` (total, initialize, tools_list, tool_call).
void ParseLatencyLimits(const YAML::Node& node, LatencyLimits& out, YamlReader& reader,
                        std::string_view where);
void ParseMaintenanceList(const YAML::Node& node, std::vector<MaintenanceWindow>& out,
                          YamlReader& reader, std::string_view where);

// `defaults:` — a template target (no name/url) every target starts from.
void ParseDefaults(const YAML::Node& node, TargetConfig& out, YamlReader& reader,
                   const std::filesystem::path& base_dir);
std::vector<TargetConfig> ParseTargets(const YAML::Node& node, const TargetConfig& defaults,
                                       YamlReader& reader, const std::filesystem::path& base_dir);

void ParseAlerting(const YAML::Node& node, const std::vector<TargetConfig>& targets,
                   AlertingConfig& out, YamlReader& reader);

}  // namespace mcpwatch::config_parse
