// The WWW-Authenticate header of a 401/403 (RFC 9110 §11.6.1): a list of challenges, each a
// scheme with a token68 or auth-params. Pure; bounded (kMaxHeaderBytes, kMaxChallenges,
// kMaxParams); never throws; errors say where the header broke.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace mcpwatch {

inline constexpr std::size_t kMaxHeaderBytes = 8192;
inline constexpr std::size_t kMaxChallenges = 8;
inline constexpr std::size_t kMaxParams = 32;

struct AuthChallenge {
  std::string scheme;   // lower case: "bearer", "dpop", "basic", ...
  std::string token68;  // when the challenge carries one instead of params
  std::vector<std::pair<std::string, std::string>> params;  // names lower case, values unquoted

  // The first value of parameter `name` (lower case), or nullptr.
  const std::string* Param(std::string_view name) const;
};

tl::expected<std::vector<AuthChallenge>, std::string> ParseWwwAuthenticate(std::string_view header);

// What an MCP client reads from the challenge of a protected resource: the first Bearer or
// DPoP challenge's parameters (RFC 6750 §3, RFC 9728 §5.1, RFC 9449 §7.1).
struct ResourceChallenge {
  std::string scheme;  // "bearer" | "dpop"
  std::string resource_metadata;
  std::optional<std::string> scope;  // space-separated, as sent
  std::string error;                 // "invalid_token", "insufficient_scope", "use_dpop_nonce"
  std::string error_description;
};

// The Bearer/DPoP challenge in `header`; nullopt when the header does not parse or holds
// neither scheme.
std::optional<ResourceChallenge> ReadResourceChallenge(std::string_view header);

}  // namespace mcpwatch
