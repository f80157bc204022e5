#include "auth/auth_config.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "auth/oauth_client.h"
#include "base/url.h"

namespace mcpwatch {
namespace {

tl::expected<std::string, std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return tl::unexpected("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream contents;
  contents << file.rdbuf();
  std::string text = contents.str();
  if (text.size() > max_bytes) return tl::unexpected(path + " is larger than expected");
  return text;
}

void TrimTrailingNewline(std::string& text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
}

AuthError ConfigError(std::string message) {
  return AuthError{AuthFailure::kConfig, std::move(message)};
}

}  // namespace

std::string_view ToString(AuthType t) {
  switch (t) {
    case AuthType::kOAuth: return "oauth";
    case AuthType::kClientCredentials: return "client_credentials";
  }
  return "oauth";
}

std::optional<AuthType> ParseAuthType(std::string_view s) {
  for (AuthType t : kAllAuthTypes) {
    if (ToString(t) == s) return t;
  }
  return std::nullopt;
}

std::string CheckAuthConfig(const AuthConfig& c) {
  if (!c.client_secret_env.empty() && !c.client_secret_file.empty()) {
    return "client_secret_env and client_secret_file are exclusive";
  }
  const bool secret = !c.client_secret_env.empty() || !c.client_secret_file.empty();
  if ((secret || !c.private_key_file.empty()) && c.client_id.empty()) {
    return "a client secret or private key needs client_id";
  }
  if (secret && !c.private_key_file.empty()) {
    return "a client secret and private_key_file are exclusive (one token endpoint method)";
  }
  if (c.type == AuthType::kClientCredentials) {
    if (c.client_id.empty() || (!secret && c.private_key_file.empty())) {
      return "client_credentials needs client_id and client_secret_env, client_secret_file or "
             "private_key_file";
    }
    if (!c.client_metadata_url.empty()) {
      return "client_metadata_url is for type oauth (client_credentials uses client_id)";
    }
  }
  if (!c.client_metadata_url.empty()) {
    if (std::string why = CheckHttpUrl(c.client_metadata_url); !why.empty()) {
      return "client_metadata_url: " + why;
    }
    if (c.client_metadata_url.rfind("https://", 0) != 0) {
      return "client_metadata_url must be an https URL";
    }
  }
  for (const auto& scope : c.scopes) {
    if (scope.empty() || scope.find_first_of(" \t\r\n\"\\") != std::string::npos) {
      return "scopes: each scope is one non-empty word without quotes or backslashes";
    }
  }
  return "";
}

tl::expected<OAuthSettings, AuthError> ResolveAuthConfig(const AuthConfig& c) {
  if (std::string why = CheckAuthConfig(c); !why.empty()) return tl::unexpected(ConfigError(why));
  OAuthSettings s;
  s.type = c.type;
  s.client_id = c.client_id;
  s.client_metadata_url = c.client_metadata_url;
  s.scopes = c.scopes;
  s.dpop = c.dpop;
  if (!c.client_secret_env.empty()) {
    const char* value = std::getenv(c.client_secret_env.c_str());
    if (value == nullptr || *value == '\0') {
      return tl::unexpected(
          ConfigError("environment variable " + c.client_secret_env + " is not set or empty"));
    }
    s.client_secret = value;
    TrimTrailingNewline(s.client_secret);
  }
  if (!c.client_secret_file.empty()) {
    auto text = ReadFile(c.client_secret_file, 64 * 1024);
    if (!text) return tl::unexpected(ConfigError("client_secret_file: " + text.error()));
    s.client_secret = std::move(*text);
    TrimTrailingNewline(s.client_secret);
    if (s.client_secret.empty()) {
      return tl::unexpected(
          ConfigError("client_secret_file " + c.client_secret_file + " is empty"));
    }
  }
  if (!c.private_key_file.empty()) {
    auto text = ReadFile(c.private_key_file, 64 * 1024);
    if (!text) return tl::unexpected(ConfigError("private_key_file: " + text.error()));
    s.private_key_pem = std::move(*text);
  }
  return s;
}

}  // namespace mcpwatch
