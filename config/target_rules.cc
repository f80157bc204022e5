#include "config/target_rules.h"

#include <algorithm>

// GCC 12 reports a false -Wmaybe-uninitialized inside libstdc++'s <regex> (std::function in
// the NFA) when built with sanitizers; it would break -Werror builds.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

namespace mcpwatch {
namespace {

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || !(IsAlpha(name[0]) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; });
}

}  // namespace

bool IsEnvVarName(std::string_view name) {
  return IsIdentifier(name);
}
bool IsLabelName(std::string_view name) {
  return IsIdentifier(name);
}

bool IsHeaderName(std::string_view name) {
  constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return IsAlpha(c) || IsDigit(c) || kTokenPunctuation.find(c) != std::string_view::npos;
  });
}

bool IsTargetName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '-';
  });
}

std::string CheckHeaderValue(std::string_view value) {
  return value.find_first_of("\r\n") == std::string_view::npos ? "" : "contains a newline";
}

tl::expected<std::pair<std::string, std::string>, std::string> ParseHeaderLine(
    std::string_view line) {
  const std::size_t colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  if (colon == std::string_view::npos || !IsHeaderName(name)) {
    return tl::unexpected("\"" + std::string(name.substr(0, 64)) +
                          "\" is not of the form 'Name: value' with an RFC 9110 token as the name");
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (std::string why = CheckHeaderValue(value); !why.empty()) {
    return tl::unexpected("header \"" + std::string(name) + "\" " + why);
  }
  return std::make_pair(std::string(name), std::string(value));
}

std::string CheckExpectText(const std::string& pattern) {
  try {
    std::regex compiled(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return e.what();
  }
  return "";
}

std::string CheckToolArguments(const nlohmann::json& arguments) {
  return arguments.is_object() ? "" : "must be a JSON object";
}

std::string CheckInputResponses(const nlohmann::json& answers) {
  if (!answers.is_object()) return "must be a JSON object";
  for (auto it = answers.begin(); it != answers.end(); ++it) {
    if (!it.value().is_object()) return "answer \"" + it.key() + "\" must be a JSON object";
  }
  return "";
}

}  // namespace mcpwatch
