// The OAuth messages an MCP client builds and reads, as pure functions: form bodies, scope
// selection, the authorization response (RFC 6749 §4.1.2, RFC 9207 iss) and the token response
// (RFC 6749 §5). Server text in an error message is not yet scrubbed: the OAuthClient scrubs
// every message before it leaves.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "auth/auth_error.h"
#include "auth/discovery.h"

namespace mcpwatch {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// application/x-www-form-urlencoded (also a URL query): name=value&..., percent-encoded.
std::string FormEncode(const FormFields& fields);
// Splits a query or form body (malformed escapes kept literally).
FormFields FormDecode(std::string_view text);

// The scope to request, space-separated, or nullopt to omit the parameter (MCP 2025-11-25
// "scope selection strategy"): the operator's scopes, else the challenge's scope, else the
// PRM's scopes_supported; united with `previous` (a step-up keeps what was granted, SEP-2350);
// offline_access added when `want_refresh` and the AS lists it (SEP-2207).
std::optional<std::string> SelectScope(const std::vector<std::string>& configured,
                                       const std::optional<std::string>& challenge_scope,
                                       const std::optional<std::vector<std::string>>& prm_scopes,
                                       const std::optional<std::vector<std::string>>& as_scopes,
                                       bool want_refresh, const std::vector<std::string>& previous);
std::vector<std::string> SplitScope(std::string_view scope);

struct AuthorizationResponse {
  std::string code;
  std::string state;
  std::optional<std::string> iss;
  std::string error;
  std::string error_description;
};

// What the authorization endpoint answered a request made without a person: a redirect to
// `redirect_uri` carries the response; anything else (a login page, a redirect elsewhere)
// means a person is needed.
tl::expected<AuthorizationResponse, AuthError> ReadAuthorizationRedirect(
    long status, std::string_view location, std::string_view redirect_uri);

// The code, once state matches and iss is right (RFC 9207 §2.4: compared as strings when
// present; required when the AS advertises authorization_response_iss_parameter_supported).
tl::expected<std::string, AuthError> CheckAuthorizationResponse(const AuthorizationResponse& r,
                                                                std::string_view expected_state,
                                                                const AuthServerMetadata& as);

struct TokenSet {
  std::string access_token;
  std::string token_type;  // "Bearer" | "DPoP" (as the AS spelled it, compared without case)
  std::string refresh_token;
  std::string scope;  // granted scope when the AS said, else ""
  std::optional<std::chrono::seconds> expires_in;
  std::optional<std::chrono::seconds> refresh_expires_in;  // refresh_token_expires_in, if sent

  bool IsDpop() const;
};

// An OAuth error body's "error" member and a readable message from it.
struct OAuthErrorBody {
  std::string error;
  std::string message;  // "error: description" bounded
};
OAuthErrorBody ReadOAuthError(long status, std::string_view body);

// A token endpoint answer: 200 with access_token and a known token_type, else an error
// classed by its OAuth error code (invalid_client / invalid_grant / unauthorized_client →
// credentials rejected; 5xx → unreachable).
tl::expected<TokenSet, AuthError> ReadTokenResponse(long status, std::string_view body);

}  // namespace mcpwatch
