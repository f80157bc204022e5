// Internal to config/: strict, error-collecting access to a yaml-cpp tree. Every problem is
// recorded with its 1-based position and parsing carries on, so one pass finds all mistakes.
// All nodes are taken by const reference: yaml-cpp's non-const operator[] would insert keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.h"

namespace mcpwatch::config_parse {

using KeyList = std::span<const std::string_view>;

std::size_t EditDistance(std::string_view a, std::string_view b);

// The closest of `known` (strings) within edit distance 2 of `word`, or "" when none is.
template <typename Range>
std::string DidYouMean(std::string_view word, const Range& known) {
  std::string best;
  std::size_t best_distance = 3;
  for (std::string_view candidate : known) {
    const std::size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

class YamlReader {
 public:
  explicit YamlReader(std::string file_name) : file_(std::move(file_name)) {}

  void Error(const YAML::Mark& at, std::string message);
  void Error(const YAML::Node& at, std::string message) { Error(at.Mark(), std::move(message)); }
  bool HasErrors() const { return !errors_.empty(); }
  std::vector<ConfigError> TakeErrors() { return std::move(errors_); }

  // Type checks that record "<what> must be a mapping" (resp. a list) when they fail.
  bool IsMap(const YAML::Node& node, std::string_view what);
  bool IsList(const YAML::Node& node, std::string_view what);

  // Records unknown keys (with a did-you-mean), duplicate keys and non-scalar keys of `map`.
  // `where` completes the message: "in target \"shop\"", "at top level".
  void CheckKeys(const YAML::Node& map, KeyList known, std::string_view where);
  void CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> known,
                 std::string_view where) {
    CheckKeys(map, KeyList(known.begin(), known.size()), where);
  }

  // Readers of the optional key `key` of `map`. Absent: `out` is left alone, false. Present and
  // valid: `out` is replaced, true. Present and invalid: an error is recorded, false.
  bool ReadString(const YAML::Node& map, std::string_view key, std::string& out,
                  std::string_view where);
  bool ReadInt(const YAML::Node& map, std::string_view key, int& out, int min, int max,
               std::string_view where);
  bool ReadDouble(const YAML::Node& map, std::string_view key, double& out, double min,
                  std::string_view where);
  bool ReadBool(const YAML::Node& map, std::string_view key, bool& out, std::string_view where);
  bool ReadDuration(const YAML::Node& map, std::string_view key, std::chrono::milliseconds& out,
                    std::string_view where);
  bool ReadStringMap(const YAML::Node& map, std::string_view key,
                     std::map<std::string, std::string>& out, std::string_view where);
  bool ReadStringList(const YAML::Node& map, std::string_view key, std::vector<std::string>& out,
                      std::string_view where);

  // Scalar conversions of one node (e.g. a list item); `what` names it in the error.
  bool AsString(const YAML::Node& node, std::string& out, std::string_view what);
  bool AsDuration(const YAML::Node& node, std::chrono::milliseconds& out, std::string_view what);

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

// `"key" in target "shop"`-style phrase used by value errors.
std::string KeyWhere(std::string_view key, std::string_view where);

}  // namespace mcpwatch::config_parse
