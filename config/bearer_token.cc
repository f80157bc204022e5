// Secrets are read at probe time, never at load time, so a rotated token file is picked up
// without a reload and no token ever sits in the Config snapshot.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/config.h"

namespace mcpwatch {
namespace {

void TrimTrailingNewline(std::string& text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
}

}  // namespace

tl::expected<std::string, std::string> ResolveBearerToken(const TargetConfig& target) {
  if (!target.bearer_token_env.empty()) {
    const char* value = std::getenv(target.bearer_token_env.c_str());
    if (value == nullptr) {
      return tl::unexpected("environment variable " + target.bearer_token_env + " is not set");
    }
    std::string token(value);
    TrimTrailingNewline(token);
    if (token.empty()) {
      return tl::unexpected("environment variable " + target.bearer_token_env + " is empty");
    }
    return token;
  }
  if (!target.bearer_token_file.empty()) {
    std::ifstream file(target.bearer_token_file, std::ios::binary);
    if (!file) {
      return tl::unexpected("cannot read bearer_token_file " + target.bearer_token_file + ": " +
                            std::strerror(errno));
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    std::string token = contents.str();
    TrimTrailingNewline(token);
    if (token.empty()) {
      return tl::unexpected("bearer_token_file " + target.bearer_token_file + " is empty");
    }
    return token;
  }
  return std::string();
}

ProbeSpec ResolvedSpec(const TargetConfig& target) {
  ProbeSpec spec = target.spec;
  if (auto token = ResolveBearerToken(target)) spec.bearer_token = std::move(*token);
  return spec;
}

}  // namespace mcpwatch
