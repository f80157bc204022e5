// Internal to config/: one parser per section of the config file. Each records its problems in
// the reader and fills what it could, so the caller can carry on and report everything.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/url.h"
#include "config/config.h"
#include "config/target_rules.h"
#include "config/yaml_reader.h"

namespace mcpwatch::config_parse {

// `path` made absolute against `base_dir` (the config file's directory), normalised.
std::string ResolvePath(const std::filesystem::path& base_dir, const std::string& path);

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

// The deploy-day keys of one target (issue 11): health_url and rate_limit_check, per target
// only.
void ParseDeployDayKeys(const YAML::Node& item, TargetConfig& t, YamlReader& reader,
                        const std::string& where);

void ParseAlerting(const YAML::Node& node, const std::vector<TargetConfig>& targets,
                   AlertingConfig& out, YamlReader& reader);

}  // namespace mcpwatch::config_parse
