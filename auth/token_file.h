// The token file (issue 13): the OAuth tokens of targets of type oauth, obtained once by
// `mcpwatch auth login` and refreshed by the daemon. Its own file beside the database (never
// inside it: history is copied, backed up and queried by people who must not see tokens).
// Mode 0600, replaced atomically (a temp file, fsync, rename, fsync of the directory) under an
// advisory lock, so a login and a running daemon never lose each other's writes. A file readable
// by others, or one that does not parse, is refused with an error that names the file and never
// quotes it. Blocking file I/O; thread-safe (no shared state).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace mcpwatch {

// Everything needed to present and refresh a target's token without a person. Secrets:
// client_secret, access_token, refresh_token, dpop_key_pem.
struct StoredToken {
  std::string url;  // the MCP server the tokens were issued for; another URL means log in again
  std::string issuer;
  std::string resource;
  std::string client_id;  // as registered (dynamic registration) or configured
  std::string client_secret;
  std::string token_endpoint_auth_method;
  std::string access_token;
  std::string token_type;
  std::string refresh_token;
  std::string scope;
  std::optional<std::chrono::system_clock::time_point> obtained_at;
  std::optional<std::chrono::system_clock::time_point> expires_at;
  std::optional<std::chrono::system_clock::time_point> refresh_expires_at;
  std::string dpop_key_pem;  // the DPoP key the tokens are bound to, if any
};

using TokenFile = std::map<std::string, StoredToken>;  // by target name

// "<directory of the database>/mcpwatch-tokens.json".
std::string TokenFilePath(std::string_view database_path);

// The file's tokens; a missing file is empty. Errors name the file: mode not 0600 (or wider
// than owner read-write), not ours to parse.
tl::expected<TokenFile, std::string> LoadTokenFile(const std::string& path);

// Reads the file, lets `edit` change it, writes it back atomically with mode 0600; all under an
// exclusive lock on "<path>.lock".
tl::expected<void, std::string> UpdateTokenFile(const std::string& path,
                                                const std::function<void(TokenFile&)>& edit);

}  // namespace mcpwatch
