#include "config/yaml_reader.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "base/duration.h"

namespace mcpwatch::config_parse {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

namespace {

std::string NodeText(const YAML::Node& node) {
  if (node.IsScalar()) return "\"" + node.Scalar() + "\"";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return "nothing";
}

// The scalar `node` as a T, or nullopt when it is no scalar or yaml-cpp cannot convert it.
template <typename T>
std::optional<T> ScalarAs(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

// The shared body of ReadInt, ReadDouble and ReadBool: the optional key `key` as a T that
// `accept` allows, else the error "<key where> must be <want>, not <what it is>".
template <typename T, typename Accept>
bool ReadScalar(YamlReader& reader, const YAML::Node& map, std::string_view key, T& out,
                std::string_view where, std::string_view want, Accept accept) {
  const YAML::Node value = map[std::string(key)];
  if (!value.IsDefined()) return false;
  const std::optional<T> parsed = ScalarAs<T>(value);
  if (!parsed || !accept(*parsed)) {
    reader.Error(
        value, KeyWhere(key, where) + " must be " + std::string(want) + ", not " + NodeText(value));
    return false;
  }
  out = *parsed;
  return true;
}

}  // namespace

std::string KeyWhere(std::string_view key, std::string_view where) {
  return "\"" + std::string(key) + "\" " + std::string(where);
}

void YamlReader::Error(const YAML::Mark& at, std::string message) {
  const bool known = !at.is_null() && at.line >= 0;
  errors_.push_back(
      ConfigError{file_, known ? at.line + 1 : 0, known ? at.column + 1 : 0, std::move(message)});
}

bool YamlReader::IsMap(const YAML::Node& node, std::string_view what) {
  if (node.IsMap()) return true;
  Error(node, std::string(what) + " must be a mapping, not " + NodeText(node));
  return false;
}

bool YamlReader::IsList(const YAML::Node& node, std::string_view what) {
  if (node.IsSequence()) return true;
  Error(node, std::string(what) + " must be a list, not " + NodeText(node));
  return false;
}

void YamlReader::CheckKeys(const YAML::Node& map, KeyList known, std::string_view where) {
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key_node = it->first;  // a copy: `*it` is a temporary
    if (!key_node.IsScalar()) {
      Error(key_node, "keys must be plain names " + std::string(where));
      continue;
    }
    const std::string& key = key_node.Scalar();
    if (!seen.insert(key).second) {
      Error(key_node, "duplicate key \"" + key + "\" " + std::string(where));
      continue;
    }
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = "unknown key \"" + key + "\" " + std::string(where);
    if (const std::string guess = DidYouMean(key, known); !guess.empty()) {
      message += " (did you mean \"" + guess + "\"?)";
    }
    Error(key_node, std::move(message));
  }
}

bool YamlReader::AsString(const YAML::Node& node, std::string& out, std::string_view what) {
  if (!node.IsScalar()) {
    Error(node, std::string(what) + " must be a string, not " + NodeText(node));
    return false;
  }
  out = node.Scalar();
  return true;
}

bool YamlReader::AsDuration(const YAML::Node& node, std::chrono::milliseconds& out,
                            std::string_view what) {
  if (!node.IsScalar()) {
    Error(node, std::string(what) + " must be a duration such as 10s, not " + NodeText(node));
    return false;
  }
  auto parsed = ParseDuration(node.Scalar());
  if (!parsed) {
    Error(node, "bad duration for " + std::string(what) + ": " + parsed.error());
    return false;
  }
  out = *parsed;
  return true;
}

bool YamlReader::ReadString(const YAML::Node& map, std::string_view key, std::string& out,
                            std::string_view where) {
  const YAML::Node value = map[std::string(key)];
  return value.IsDefined() && AsString(value, out, KeyWhere(key, where));
}

bool YamlReader::ReadInt(const YAML::Node& map, std::string_view key, int& out, int min, int max,
                         std::string_view where) {
  const std::string want =
      "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  return ReadScalar(*this, map, key, out, where, want, [&](int v) { return v >= min && v <= max; });
}

bool YamlReader::ReadDouble(const YAML::Node& map, std::string_view key, double& out, double min,
                            std::string_view where) {
  const std::string want = "a number of at least " + std::to_string(min);
  return ReadScalar(*this, map, key, out, where, want,
                    [&](double v) { return std::isfinite(v) && v >= min; });
}

bool YamlReader::ReadBool(const YAML::Node& map, std::string_view key, bool& out,
                          std::string_view where) {
  return ReadScalar(*this, map, key, out, where, "true or false", [](bool) { return true; });
}

bool YamlReader::ReadDuration(const YAML::Node& map, std::string_view key,
                              std::chrono::milliseconds& out, std::string_view where) {
  const YAML::Node value = map[std::string(key)];
  return value.IsDefined() && AsDuration(value, out, KeyWhere(key, where));
}

bool YamlReader::ReadStringMap(const YAML::Node& map, std::string_view key,
                               std::map<std::string, std::string>& out, std::string_view where) {
  const YAML::Node value = map[std::string(key)];
  if (!value.IsDefined() || !IsMap(value, KeyWhere(key, where))) return false;
  std::map<std::string, std::string> parsed;
  bool ok = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string name;
    std::string text;
    if (!AsString(it->first, name, "a key of " + KeyWhere(key, where))) {
      ok = false;
      continue;
    }
    if (!AsString(it->second, text, KeyWhere(std::string(key) + "." + name, where))) {
      ok = false;
      continue;
    }
    if (!parsed.emplace(name, text).second) {
      Error(it->first, "duplicate key \"" + name + "\" in " + KeyWhere(key, where));
      ok = false;
    }
  }
  if (ok) out = std::move(parsed);
  return ok;
}

bool YamlReader::ReadStringList(const YAML::Node& map, std::string_view key,
                                std::vector<std::string>& out, std::string_view where) {
  const YAML::Node value = map[std::string(key)];
  if (!value.IsDefined() || !IsList(value, KeyWhere(key, where))) return false;
  std::vector<std::string> parsed;
  bool ok = true;
  for (const YAML::Node& item : value) {
    std::string text;
    if (AsString(item, text, "an item of " + KeyWhere(key, where))) {
      parsed.push_back(std::move(text));
    } else {
      ok = false;
    }
  }
  if (ok) out = std::move(parsed);
  return ok;
}

}  // namespace mcpwatch::config_parse
