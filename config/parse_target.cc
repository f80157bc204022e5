// defaults: and targets: — every target starts as a copy of the defaults template.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "base/duration.h"
#include "config/sections.h"
#include "config/yaml_json.h"

namespace mcpwatch::config_parse {
namespace {

// Every key a target may carry; defaults take all of them but name and url.
constexpr std::array<std::string_view, 17> kTargetKeys = {"name",
                                                          "url",
                                                          "transport",
                                                          "interval",
                                                          "timeout",
                                                          "headers",
                                                          "secret_headers",
                                                          "bearer_token_env",
                                                          "bearer_token_file",
                                                          "auth",
                                                          "tool_call",
                                                          "ca_file",
                                                          "labels",
                                                          "max_latency",
                                                          "maintenance",
                                                          "health_url",
                                                          "rate_limit_check"};
constexpr std::array<std::string_view, 13> kDefaultsKeys = {
    "transport",        "interval",          "timeout",    "headers",   "secret_headers",
    "bearer_token_env", "bearer_token_file", "auth",       "tool_call", "ca_file",
    "labels",           "max_latency",       "maintenance"};

bool SameHeaderName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Sets "Name: value" in `lines`, replacing an inherited header of the same name.
void SetHeader(std::vector<std::string>& lines, const std::string& name, const std::string& value) {
  const std::string line = name + ": " + value;
  for (std::string& existing : lines) {
    if (SameHeaderName(std::string_view(existing).substr(0, existing.find(':')), name)) {
      existing = line;
      return;
    }
  }
  lines.push_back(line);
}

void ParseToolCall(const YAML::Node& node, TargetConfig& t, YamlReader& reader,
                   const std::string& where) {
  if (!reader.IsMap(node, "tool_call " + where)) return;
  const std::string inner = "in tool_call of " + where.substr(3);
  reader.CheckKeys(node, {"name", "arguments", "expect_text", "input_responses"}, inner);
  ToolCallSpec call;
  if (!node["name"].IsDefined()) {
    reader.Error(node, "missing key \"name\" " + inner);
  } else if (reader.ReadString(node, "name", call.name, inner) && call.name.empty()) {
    reader.Error(node["name"], "empty tool name " + inner);
  }
  if (const YAML::Node args = node["arguments"]; args.IsDefined()) {
    if (reader.IsMap(args, "arguments " + inner)) call.arguments = YamlToJson(args);
  }
  if (const YAML::Node answers = node["input_responses"]; answers.IsDefined()) {
    if (reader.IsMap(answers, "input_responses " + inner)) {
      call.input_responses = YamlToJson(answers);
      if (const std::string why = CheckInputResponses(call.input_responses); !why.empty()) {
        reader.Error(answers, "input_responses " + inner + " " + why);
      }
    }
  }
  if (reader.ReadString(node, "expect_text", call.expect_text, inner)) {
    if (const std::string why = CheckExpectText(call.expect_text); !why.empty()) {
      reader.Error(node["expect_text"], "bad regex in expect_text " + inner + ": " + why);
    }
  }
  t.spec.tool_call = std::move(call);
}

void ParseAuth(const YAML::Node& node, TargetConfig& t, YamlReader& reader,
               const std::string& where, const std::filesystem::path& base_dir) {
  if (!reader.IsMap(node, "auth " + where)) return;
  const std::string inner = "in auth of " + where.substr(3);
  reader.CheckKeys(node,
                   {"type", "client_id", "client_secret_env", "client_secret_file",
                    "private_key_file", "client_metadata_url", "scopes", "dpop"},
                   inner);
  AuthConfig c;
  std::string type;
  if (!node["type"].IsDefined()) {
    reader.Error(node, "missing key \"type\" " + inner + " (oauth or client_credentials)");
  } else if (reader.ReadString(node, "type", type, inner)) {
    if (auto parsed = ParseAuthType(type)) {
      c.type = *parsed;
    } else {
      reader.Error(node["type"],
                   "bad type \"" + type + "\" " + inner + " (use oauth or client_credentials)");
    }
  }
  reader.ReadString(node, "client_id", c.client_id, inner);
  if (reader.ReadString(node, "client_secret_env", c.client_secret_env, inner) &&
      !IsEnvVarName(c.client_secret_env)) {
    reader.Error(node["client_secret_env"], "client_secret_env " + inner + ": \"" +
                                                c.client_secret_env +
                                                "\" is not an environment variable name");
  }
  for (auto [key, out] : {std::pair{"client_secret_file", &c.client_secret_file},
                          {"private_key_file", &c.private_key_file}}) {
    if (std::string path; reader.ReadString(node, key, path, inner)) {
      if (path.empty()) reader.Error(node[key], std::string(key) + " " + inner + " is empty");
      *out = path.empty() ? "" : ResolvePath(base_dir, path);
    }
  }
  reader.ReadString(node, "client_metadata_url", c.client_metadata_url, inner);
  reader.ReadStringList(node, "scopes", c.scopes, inner);
  reader.ReadBool(node, "dpop", c.dpop, inner);
  if (std::string why = CheckAuthConfig(c); !why.empty()) reader.Error(node, why + " " + inner);
  t.auth = std::move(c);
}

void ApplyTargetKeys(const YAML::Node& map, TargetConfig& t, YamlReader& reader,
                     const std::string& where, const std::filesystem::path& base_dir) {
  std::string transport;
  if (reader.ReadString(map, "transport", transport, where)) {
    if (const auto choice = ParseTransportChoice(transport)) {
      t.spec.transport = *choice;
    } else {
      reader.Error(map["transport"], "bad transport \"" + transport + "\" " + where +
                                         " (use auto, streamable-http or sse)");
    }
  }
  for (auto [key, out] : {std::pair{"interval", &t.interval}, {"timeout", &t.spec.timeout}}) {
    if (reader.ReadDuration(map, key, *out, where) && out->count() <= 0) {
      reader.Error(map[key], KeyWhere(key, where) + " must be more than 0");
    }
  }
  std::map<std::string, std::string> headers;
  if (reader.ReadStringMap(map, "headers", headers, where)) {
    for (const auto& [name, value] : headers) {
      if (!IsHeaderName(name)) {
        reader.Error(map["headers"], "bad header name \"" + name + "\" " + where);
      } else if (const std::string why = CheckHeaderValue(value); !why.empty()) {
        reader.Error(map["headers"], "header \"" + name + "\" " + where + " " + why);
      } else {
        SetHeader(t.spec.headers, name, value);
      }
    }
  }
  if (reader.ReadStringList(map, "secret_headers", t.secret_headers, where)) {
    for (const std::string& name : t.secret_headers) {
      if (!IsHeaderName(name)) {
        reader.Error(map["secret_headers"],
                     "bad header name \"" + name + "\" in secret_headers " + where);
      }
    }
  }
  const YAML::Node env = map["bearer_token_env"];
  const YAML::Node file = map["bearer_token_file"];
  if (env.IsDefined() && file.IsDefined()) {
    reader.Error(file,
                 "bearer_token_env and bearer_token_file are both set " + where + " (choose one)");
  } else if (std::string value; reader.ReadString(map, "bearer_token_env", value, where)) {
    if (!IsEnvVarName(value)) {
      reader.Error(env, "bearer_token_env " + where + ": \"" + value +
                            "\" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }
    t.bearer_token_env = value;
    t.bearer_token_file.clear();
  } else if (reader.ReadString(map, "bearer_token_file", value, where)) {
    if (value.empty()) reader.Error(file, "bearer_token_file " + where + " is empty");
    t.bearer_token_file = value.empty() ? "" : ResolvePath(base_dir, value);
    t.bearer_token_env.clear();
  }
  if (const YAML::Node auth = map["auth"]; auth.IsDefined()) {
    ParseAuth(auth, t, reader, where, base_dir);
  }
  if (const YAML::Node call = map["tool_call"]; call.IsDefined()) {
    ParseToolCall(call, t, reader, where);
  }
  if (std::string ca; reader.ReadString(map, "ca_file", ca, where)) {
    t.spec.ca_file = ca.empty() ? "" : ResolvePath(base_dir, ca);
  }
  std::map<std::string, std::string> labels;
  if (reader.ReadStringMap(map, "labels", labels, where)) {
    for (const auto& [name, value] : labels) {
      if (!IsLabelName(name) || name.starts_with("__")) {
        reader.Error(map["labels"], "bad label name \"" + name + "\" " + where +
                                        " (use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)");
      } else {
        t.labels[name] = value;
      }
    }
  }
  if (const YAML::Node limits = map["max_latency"]; limits.IsDefined()) {
    ParseLatencyLimits(limits, t.max_latency, reader, where);
  }
  if (const YAML::Node windows = map["maintenance"]; windows.IsDefined()) {
    ParseMaintenanceList(windows, t.maintenance, reader, where);
  }
}

// A run must be able to finish before the next one starts.
void CheckTimeoutBelowInterval(const YAML::Node& map, const TargetConfig& t, YamlReader& reader,
                               const std::string& where) {
  if (t.spec.timeout < t.interval || t.interval.count() <= 0) return;
  const YAML::Node at = map["timeout"].IsDefined() ? map["timeout"] : map["interval"];
  reader.Error(at.IsDefined() ? at : map, "timeout (" + FormatDuration(t.spec.timeout) +
                                              ") must be less than interval (" +
                                              FormatDuration(t.interval) + ") " + where);
}

}  // namespace

void ParseDefaults(const YAML::Node& node, TargetConfig& out, YamlReader& reader,
                   const std::filesystem::path& base_dir) {
  const std::string where = "in defaults";
  if (!reader.IsMap(node, "defaults")) return;
  reader.CheckKeys(node, kDefaultsKeys, where);
  ApplyTargetKeys(node, out, reader, where, base_dir);
  CheckTimeoutBelowInterval(node, out, reader, where);
}

std::vector<TargetConfig> ParseTargets(const YAML::Node& node, const TargetConfig& defaults,
                                       YamlReader& reader, const std::filesystem::path& base_dir) {
  std::vector<TargetConfig> targets;
  if (!reader.IsList(node, "targets")) return targets;
  std::map<std::string, int> first_line;  // name -> 1-based line of its first definition
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    std::string where = "in targets[" + std::to_string(i) + "]";
    if (!reader.IsMap(item, "a target")) continue;
    TargetConfig t = defaults;
    const YAML::Node name = item["name"];
    if (!name.IsDefined()) {
      reader.Error(item, "missing key \"name\" " + where);
    } else if (reader.AsString(name, t.name, "name " + where)) {
      if (IsTargetName(t.name)) {
        where = "in target \"" + t.name + "\"";
        const auto [it, inserted] = first_line.emplace(t.name, name.Mark().line + 1);
        if (!inserted) {
          reader.Error(name, "duplicate target name \"" + t.name + "\" (first defined at line " +
                                 std::to_string(it->second) + ")");
        }
      } else {
        reader.Error(name, "bad target name \"" + t.name + "\" " + where +
                               " (use 1 to 64 of A-Z a-z 0-9 _ . -)");
      }
    }
    reader.CheckKeys(item, kTargetKeys, where);
    const YAML::Node url = item["url"];
    if (!url.IsDefined()) {
      reader.Error(item, "missing key \"url\" " + where);
    } else if (reader.AsString(url, t.spec.url, "url " + where)) {
      if (const std::string why = CheckHttpUrl(t.spec.url); !why.empty()) {
        reader.Error(url, "bad url " + where + ": " + why);  // never echoed: may hold a secret
      }
    }
    ApplyTargetKeys(item, t, reader, where, base_dir);
    ParseDeployDayKeys(item, t, reader, where);
    if (t.auth && (!t.bearer_token_env.empty() || !t.bearer_token_file.empty())) {
      reader.Error(item, "auth and bearer_token_env/bearer_token_file are both set " + where +
                             " (choose one)");
    }
    if (item["timeout"].IsDefined() || item["interval"].IsDefined()) {
      CheckTimeoutBelowInterval(item, t, reader, where);
    }
    targets.push_back(std::move(t));
  }
  return targets;
}

}  // namespace mcpwatch::config_parse
