#include <algorithm>
#include <cctype>

#include "config/sections.h"

namespace mcpwatch::config_parse {
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

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string ResolvePath(const std::filesystem::path& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (base_dir / p).lexically_normal().string();
}

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

std::string CheckHttpUrl(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "it needs a scheme (http:// or https://)";
  const std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return "scheme \"" + scheme + "\" is not supported (use http or https)";
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return "credentials in URLs are refused (use headers, bearer_token_env or bearer_token_file)";
  }
  if (authority.empty() || authority.front() == ':') return "it has no host";
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; })) {
    return "it contains whitespace";
  }
  return "";
}

}  // namespace mcpwatch::config_parse
