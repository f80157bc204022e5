// ParseConfig / LoadConfig: the top level of the file, delegating each section.
#include "config/config.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "base/digest.h"
#include "checks/tool_list.h"
#include "config/sections.h"
#include "config/yaml_documents.h"
#include "config/yaml_reader.h"

namespace mcpwatch {
namespace {

using config_parse::YamlReader;

constexpr std::array<std::string_view, 11> kTopLevelKeys = {
    "listen",    "database",  "location",    "shard",   "defaults", "storage",
    "scheduler", "detection", "maintenance", "targets", "alerting"};

constexpr int kMaxShards = 1024;

void ParseShard(const YAML::Node& node, ShardConfig& out, YamlReader& reader) {
  constexpr std::string_view kWhere = "in shard";
  if (!reader.IsMap(node, "shard")) return;
  reader.CheckKeys(node, {"index", "total"}, kWhere);
  for (const char* key : {"index", "total"}) {
    if (!node[key].IsDefined()) {
      reader.Error(node, std::string("missing key \"") + key +
                             "\" in shard (e.g. shard: {index: 0, total: 2})");
    }
  }
  ShardConfig shard;
  const bool total_ok = reader.ReadInt(node, "total", shard.total, 1, kMaxShards, kWhere);
  const bool index_ok = reader.ReadInt(node, "index", shard.index, 0, kMaxShards - 1, kWhere);
  if (!total_ok || !index_ok) return;
  if (shard.index >= shard.total) {
    reader.Error(node["index"], "shard index " + std::to_string(shard.index) +
                                    " is not below total " + std::to_string(shard.total) +
                                    " (indexes run from 0 to total - 1)");
    return;
  }
  if (shard.enabled() && !HashMod("", 1)) {
    reader.Error(node, "shard needs MD5 (Prometheus' hashmod), which this OpenSSL does not offer");
    return;
  }
  out = shard;
}

// Keeps the targets this shard owns. After alerting is read, so a route may name any target.
void TakeShard(Config& config) {
  config.targets_in_file = config.targets.size();
  if (!config.shard.enabled()) return;
  const auto total = static_cast<uint64_t>(config.shard.total);
  const auto index = static_cast<uint64_t>(config.shard.index);
  std::erase_if(config.targets,
                [&](const TargetConfig& t) { return HashMod(t.name, total) != index; });
}

// "127.0.0.1:9464", "[::1]:9464", "localhost:0" -> host, port; "" on success else the reason.
std::string ParseListen(std::string_view text, std::string& host, int& port) {
  std::string_view host_part;
  std::string_view port_part;
  if (text.starts_with("[")) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return "expected [IPv6]:port, e.g. [::1]:9464";
    }
    host_part = text.substr(1, close - 1);
    port_part = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return "expected host:port, e.g. 127.0.0.1:9464";
    host_part = text.substr(0, colon);
    port_part = text.substr(colon + 1);
    if (host_part.find(':') != std::string_view::npos) {
      return "put an IPv6 address in brackets, e.g. [::1]:9464";
    }
  }
  if (host_part.empty()) return "the host is missing (e.g. 127.0.0.1:9464 or 0.0.0.0:9464)";
  if (port_part.empty() || port_part.size() > 5 ||
      port_part.find_first_not_of("0123456789") != std::string_view::npos ||
      std::stoi(std::string(port_part)) > 65535) {
    return "the port must be a number from 0 to 65535";
  }
  host = std::string(host_part);
  port = std::stoi(std::string(port_part));
  return "";
}

std::filesystem::path BaseDir(std::string_view file_name) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(file_name).parent_path();
  std::filesystem::path base = std::filesystem::absolute(parent.empty() ? "." : parent, ec);
  return ec ? parent : base.lexically_normal();
}

void ParseTopLevel(const YAML::Node& root, Config& config, YamlReader& reader,
                   const std::filesystem::path& base_dir) {
  constexpr std::string_view kWhere = "at top level";
  reader.CheckKeys(root, kTopLevelKeys, kWhere);
  if (std::string listen; reader.ReadString(root, "listen", listen, kWhere)) {
    if (const std::string why = ParseListen(listen, config.listen_host, config.listen_port);
        !why.empty()) {
      reader.Error(root["listen"], "bad listen address \"" + listen + "\": " + why);
    }
  }
  std::string database = "mcpwatch.db";
  if (reader.ReadString(root, "database", database, kWhere) && database.empty()) {
    reader.Error(root["database"], "database is empty (e.g. data/mcpwatch.db)");
  }
  config.database = config_parse::ResolvePath(base_dir, database);
  reader.ReadString(root, "location", config.location, kWhere);
  if (const YAML::Node n = root["shard"]; n.IsDefined()) ParseShard(n, config.shard, reader);

  if (const YAML::Node n = root["storage"]; n.IsDefined()) {
    config_parse::ParseStorage(n, config.storage, reader);
  }
  if (const YAML::Node n = root["scheduler"]; n.IsDefined()) {
    config_parse::ParseScheduler(n, config.scheduler, reader);
  }
  if (const YAML::Node n = root["detection"]; n.IsDefined()) {
    config_parse::ParseDetection(n, config.detection, reader);
  }
  if (const YAML::Node n = root["maintenance"]; n.IsDefined()) {
    config_parse::ParseMaintenanceList(n, config.maintenance, reader, "at top level");
  }
  TargetConfig defaults;
  defaults.max_latency = config.detection.max_latency;
  if (const YAML::Node n = root["defaults"]; n.IsDefined()) {
    config_parse::ParseDefaults(n, defaults, reader, base_dir);
  }
  if (const YAML::Node n = root["targets"]; n.IsDefined()) {
    config.targets = config_parse::ParseTargets(n, defaults, reader, base_dir);
  } else {
    reader.Error(root, "missing key \"targets\" at top level (a list of targets to probe)");
  }
  if (const YAML::Node n = root["alerting"]; n.IsDefined()) {
    config_parse::ParseAlerting(n, config.targets, config.alerting, reader);
  }
  TakeShard(config);
}

}  // namespace

tl::expected<Config, std::vector<ConfigError>> ParseConfig(std::string_view yaml_text,
                                                           std::string_view file_name) {
  YamlReader reader{std::string(file_name)};
  config_parse::YamlDocuments documents;
  try {
    documents = config_parse::LoadDocuments(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    reader.Error(e.mark, "YAML syntax error: " + e.msg);
    return tl::unexpected(reader.TakeErrors());
  }
  if (documents.first.IsNull()) {
    reader.Error(YAML::Mark::null_mark(), "the config file is empty (it needs at least targets)");
    return tl::unexpected(reader.TakeErrors());
  }
  if (documents.second_at) {
    reader.Error(*documents.second_at, "the config file must hold a single YAML document");
  }
  Config config;
  config.content_hash = Sha256Hex(yaml_text);
  if (reader.IsMap(documents.first, "the config file's top level")) {
    ParseTopLevel(documents.first, config, reader, BaseDir(file_name));
  }
  if (reader.HasErrors()) {
    // Sections are checked in a fixed order; report in file order, which is how people fix.
    std::vector<ConfigError> errors = reader.TakeErrors();
    std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return tl::unexpected(std::move(errors));
  }
  return config;
}

std::string ShardConfig::ToString() const {
  return std::to_string(index) + "/" + std::to_string(total);
}

std::string RestartOnlyChange(const Config& running, const Config& next) {
  auto changed = [](std::string_view key, const std::string& from, const std::string& to) {
    return std::string(key) + " changed from \"" + from + "\" to \"" + to +
           "\": restart mcpwatch to apply it (the running config is kept)";
  };
  auto listen = [](const Config& c) {
    const bool v6 = c.listen_host.find(':') != std::string::npos;
    return (v6 ? "[" + c.listen_host + "]" : c.listen_host) + ":" + std::to_string(c.listen_port);
  };
  if (listen(running) != listen(next)) return changed("listen", listen(running), listen(next));
  if (running.database != next.database) {
    return changed("database", running.database, next.database);
  }
  if (running.location != next.location) {
    return changed("location", running.location, next.location);
  }
  if (running.shard != next.shard) {
    return changed("shard", running.shard.ToString(), next.shard.ToString());
  }
  return "";
}

tl::expected<Config, std::vector<ConfigError>> LoadConfig(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return tl::unexpected(std::vector<ConfigError>{ConfigError{
        path, 0, 0, std::string("cannot read the config file: ") + std::strerror(errno)}});
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) {
    return tl::unexpected(std::vector<ConfigError>{
        ConfigError{path, 0, 0, "cannot read the config file: read error"}});
  }
  auto config = ParseConfig(contents.str(), path);
  if (config) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    config->source_path = ec ? path : absolute.lexically_normal().string();
  }
  return config;
}

}  // namespace mcpwatch

namespace mcpwatch::config_parse {

std::string ResolvePath(const std::filesystem::path& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (base_dir / p).lexically_normal().string();
}

}  // namespace mcpwatch::config_parse
