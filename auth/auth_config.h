// A target's `auth:` settings as the operator wrote them (config key or `probe` flags): names of
// environment variables and files, never the secrets themselves, so a Config snapshot holds no
// secret and a rotated secret is read at the next use.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "auth/auth_error.h"

namespace mcpwatch {

enum class AuthType { kOAuth, kClientCredentials };
inline constexpr std::array kAllAuthTypes = {AuthType::kOAuth, AuthType::kClientCredentials};
std::string_view ToString(AuthType t);  // "oauth" | "client_credentials"
std::optional<AuthType> ParseAuthType(std::string_view s);

struct AuthConfig {
  AuthType type = AuthType::kOAuth;
  std::string client_id;
  std::string client_secret_env;  // at most one of these two
  std::string client_secret_file;
  std::string private_key_file;     // PEM; private_key_jwt
  std::string client_metadata_url;  // a Client ID Metadata Document URL (https)
  std::vector<std::string> scopes;
  bool dpop = false;

  bool operator==(const AuthConfig&) const = default;
};

// "" when the settings fit together, else why, naming keys as the config spells them.
std::string CheckAuthConfig(const AuthConfig& c);

struct OAuthSettings;
// Reads the secret and the key file now (trailing newline trimmed). kConfig errors name the
// variable or file, never a value.
tl::expected<OAuthSettings, AuthError> ResolveAuthConfig(const AuthConfig& c);

}  // namespace mcpwatch
