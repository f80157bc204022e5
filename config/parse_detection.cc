// The storage:, scheduler: and detection: sections.
#include <limits>

#include "config/sections.h"

namespace mcpwatch::config_parse {
namespace {

constexpr int kIntMax = std::numeric_limits<int>::max();

void RequirePositive(YamlReader& reader, const YAML::Node& map, std::string_view key,
                     std::chrono::milliseconds value, std::string_view where) {
  if (value.count() <= 0)
    reader.Error(map[std::string(key)], KeyWhere(key, where) + " must be more than 0");
}

}  // namespace

void ParseStorage(const YAML::Node& node, StorageConfig& out, YamlReader& reader) {
  constexpr std::string_view kWhere = "in storage";
  if (!reader.IsMap(node, "storage")) return;
  reader.CheckKeys(node, {"raw_retention", "rollup_retention", "queue_capacity"}, kWhere);
  reader.ReadInt(node, "queue_capacity", out.queue_capacity, 1, 10'000'000, kWhere);
  if (reader.ReadDuration(node, "raw_retention", out.raw_retention, kWhere)) {
    RequirePositive(reader, node, "raw_retention", out.raw_retention, kWhere);
  }
  if (reader.ReadDuration(node, "rollup_retention", out.rollup_retention, kWhere)) {
    RequirePositive(reader, node, "rollup_retention", out.rollup_retention, kWhere);
  }
}

void ParseScheduler(const YAML::Node& node, SchedulerConfig& out, YamlReader& reader) {
  constexpr std::string_view kWhere = "in scheduler";
  if (!reader.IsMap(node, "scheduler")) return;
  reader.CheckKeys(node, {"max_inflight", "jitter"}, kWhere);
  reader.ReadInt(node, "max_inflight", out.max_inflight, 1, 100000, kWhere);
  reader.ReadDuration(node, "jitter", out.jitter, kWhere);
}

void ParseLatencyLimits(const YAML::Node& node, LatencyLimits& out, YamlReader& reader,
                        std::string_view where) {
  if (!reader.IsMap(node, "max_latency " + std::string(where))) return;
  const std::string inner = "in max_latency " + std::string(where);
  reader.CheckKeys(node, {"total", "initialize", "tools_list", "tool_call"}, inner);
  reader.ReadDuration(node, "total", out.total, inner);
  reader.ReadDuration(node, "initialize", out.initialize, inner);
  reader.ReadDuration(node, "tools_list", out.tools_list, inner);
  reader.ReadDuration(node, "tool_call", out.tool_call, inner);
}

void ParseDetection(const YAML::Node& node, DetectionConfig& out, YamlReader& reader) {
  constexpr std::string_view kWhere = "in detection";
  if (!reader.IsMap(node, "detection")) return;
  reader.CheckKeys(
      node,
      {"baseline_window", "baseline_min_samples", "spike_factor", "spike_margin", "max_latency",
       "down_after", "window", "hard_down_after", "up_after", "degraded_after", "confirm_after",
       "crash_loop", "cert_expiry_warn", "deploy_regression", "rolling_deploy"},
      kWhere);
  if (reader.ReadDuration(node, "baseline_window", out.baseline_window, kWhere)) {
    RequirePositive(reader, node, "baseline_window", out.baseline_window, kWhere);
  }
  reader.ReadInt(node, "baseline_min_samples", out.baseline_min_samples, 1, kIntMax, kWhere);
  reader.ReadDouble(node, "spike_factor", out.spike_factor, 1.0, kWhere);
  reader.ReadDuration(node, "spike_margin", out.spike_margin, kWhere);
  if (const YAML::Node limits = node["max_latency"]; limits.IsDefined()) {
    ParseLatencyLimits(limits, out.max_latency, reader, kWhere);
  }
  reader.ReadInt(node, "window", out.window, 1, 1000, kWhere);
  const bool down_read = reader.ReadInt(node, "down_after", out.down_after, 1, 1000, kWhere);
  const bool hard_read =
      reader.ReadInt(node, "hard_down_after", out.hard_down_after, 1, 1000, kWhere);
  reader.ReadInt(node, "up_after", out.up_after, 1, 1000, kWhere);
  const bool degraded_read =
      reader.ReadInt(node, "degraded_after", out.degraded_after, 1, 1000, kWhere);
  const auto check_within_window = [&](bool read, std::string_view key, int value) {
    if (value <= out.window) return;
    const YAML::Node at = read ? node[std::string(key)] : node["window"];
    reader.Error(at.IsDefined() ? at : node, KeyWhere(key, kWhere) + " (" + std::to_string(value) +
                                                 ") cannot exceed window (" +
                                                 std::to_string(out.window) + ")");
  };
  check_within_window(down_read, "down_after", out.down_after);
  check_within_window(hard_read, "hard_down_after", out.hard_down_after);
  check_within_window(degraded_read, "degraded_after", out.degraded_after);
  reader.ReadDuration(node, "confirm_after", out.confirm_after, kWhere);

  if (const YAML::Node crash = node["crash_loop"];
      crash.IsDefined() && reader.IsMap(crash, "crash_loop in detection")) {
    constexpr std::string_view kCrashWhere = "in detection.crash_loop";
    reader.CheckKeys(crash, {"flips", "window"}, kCrashWhere);
    reader.ReadInt(crash, "flips", out.crash_loop_flips, 2, 1000, kCrashWhere);
    if (reader.ReadDuration(crash, "window", out.crash_loop_window, kCrashWhere)) {
      RequirePositive(reader, crash, "window", out.crash_loop_window, kCrashWhere);
    }
  }
  if (const YAML::Node warn = node["cert_expiry_warn"];
      warn.IsDefined() && reader.IsList(warn, "cert_expiry_warn in detection")) {
    std::vector<std::chrono::milliseconds> thresholds;
    bool ok = true;
    for (const YAML::Node& item : warn) {
      std::chrono::milliseconds value{0};
      if (!reader.AsDuration(item, value, "an item of cert_expiry_warn in detection")) {
        ok = false;
      } else if (value.count() <= 0) {
        reader.Error(item, "cert_expiry_warn thresholds in detection must be more than 0");
        ok = false;
      } else {
        thresholds.push_back(value);
      }
    }
    if (ok) out.cert_expiry_warn = std::move(thresholds);
  }
  if (const YAML::Node deploy = node["deploy_regression"];
      deploy.IsDefined() && reader.IsMap(deploy, "deploy_regression in detection")) {
    constexpr std::string_view kDeployWhere = "in detection.deploy_regression";
    reader.CheckKeys(deploy, {"before", "after"}, kDeployWhere);
    if (reader.ReadDuration(deploy, "before", out.deploy_regression_before, kDeployWhere)) {
      RequirePositive(reader, deploy, "before", out.deploy_regression_before, kDeployWhere);
    }
    if (reader.ReadDuration(deploy, "after", out.deploy_regression_after, kDeployWhere)) {
      RequirePositive(reader, deploy, "after", out.deploy_regression_after, kDeployWhere);
    }
  }
  if (const YAML::Node rolling = node["rolling_deploy"];
      rolling.IsDefined() && reader.IsMap(rolling, "rolling_deploy in detection")) {
    constexpr std::string_view kRollingWhere = "in detection.rolling_deploy";
    reader.CheckKeys(rolling, {"grace", "migration_window"}, kRollingWhere);
    reader.ReadDuration(rolling, "grace", out.rolling_deploy_grace, kRollingWhere);
    if (out.rolling_deploy_grace > std::chrono::hours(1)) {
      reader.Error(rolling["grace"], "grace " + std::string(kRollingWhere) + " must be at most 1h");
    }
    if (reader.ReadDuration(rolling, "migration_window", out.migration_window, kRollingWhere)) {
      RequirePositive(reader, rolling, "migration_window", out.migration_window, kRollingWhere);
    }
  }
}

}  // namespace mcpwatch::config_parse
