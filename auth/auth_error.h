// What went wrong while getting an access token, as one closed set. The daemon turns these into
// auth health classes and alerts (issue 13 item 5), so this enum is the one source of their
// names. Errors are values: every auth function returns tl::expected<T, AuthError>.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace mcpwatch {

enum class AuthFailure {
  kConfig,               // our side: a missing secret, an unreadable or unusable key file
  kUnreachable,          // an authorization server or metadata endpoint did not answer (network,
                         // timeout, 5xx): an outage, not a misconfiguration
  kDiscovery,            // metadata missing or invalid: PRM, AS metadata, issuer or resource
                         // mismatch, no PKCE S256
  kRegistration,         // no client identity: registration refused or impossible
  kAuthorization,        // the authorization response was refused or failed validation
                         // (error=, state or iss mismatch)
  kNeedsPerson,          // the authorization server wants a person to sign in
  kTokenEndpoint,        // the token endpoint answered, but not with a usable token
  kCredentialsRejected,  // invalid_client / invalid_grant / unauthorized_client: revoked or wrong
  kInsufficientScope,    // step-up did not obtain the scope the server demands (retry limit)
};
inline constexpr std::array kAllAuthFailures = {
    AuthFailure::kConfig,           AuthFailure::kUnreachable,
    AuthFailure::kDiscovery,        AuthFailure::kRegistration,
    AuthFailure::kAuthorization,    AuthFailure::kNeedsPerson,
    AuthFailure::kTokenEndpoint,    AuthFailure::kCredentialsRejected,
    AuthFailure::kInsufficientScope};

// "config" | "unreachable" | "discovery" | "registration" | "authorization" | "needs_person" |
// "token_endpoint" | "credentials_rejected" | "insufficient_scope"
std::string_view ToString(AuthFailure f);

struct AuthError {
  AuthFailure failure = AuthFailure::kConfig;
  // For people: what failed and why. Never holds a secret: text quoting a server goes through
  // the client's Redactor first.
  std::string message;
};

}  // namespace mcpwatch
