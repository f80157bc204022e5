// An MCP client's OAuth 2.1 side (MCP authorization, 2025-11-25 and 2026-07-28): given the
// challenge an MCP server answered with, it discovers the authorization server, establishes a
// client identity, runs a grant and holds the token to present on later requests.
//   Discovery: PRM (RFC 9728) then AS metadata (RFC 8414 / OpenID), issuer and resource checked;
//     the 2025-03-26 fallback (no PRM: the server's origin, then default endpoint paths).
//   Identity: a pre-registered client_id (secret or private key), a Client ID Metadata
//     Document URL when the AS supports it, else dynamic registration (RFC 7591), per issuer.
//   Grants: authorization code + PKCE S256 + resource (RFC 8707) + iss (RFC 9207) without a
//     person, refresh_token, client_credentials; token endpoint auth none, client_secret_basic,
//     client_secret_post, private_key_jwt; DPoP (RFC 9449) with server nonces.
//   Step-up on 403 insufficient_scope up to a limit; authorization-server migration.
// Blocking; every call ends by its deadline. Thread: one caller at a time. Secrets it holds
// never appear in its error messages (scrubbed with checks/redaction.h).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "auth/auth_config.h"
#include "auth/auth_error.h"
#include "auth/discovery.h"
#include "auth/http_transport.h"
#include "auth/oauth_messages.h"
#include "auth/signing_key.h"
#include "auth/token_file.h"
#include "auth/www_authenticate.h"
#include "checks/redaction.h"

namespace mcpwatch {

// Where the authorization server sends the browser back. Unattended, nobody listens: the
// client reads the code from the redirect's Location.
inline constexpr std::string_view kDefaultRedirectUri = "http://127.0.0.1:33418/callback";

// Takes a person through the authorization request (`mcpwatch auth login`): shows `url`, waits
// for the browser to come back to the redirect URI and returns what it carried. Unset: the
// client fetches the URL itself and reads the redirect (an AS that approves without a person).
using UserAgent = std::function<tl::expected<AuthorizationResponse, AuthError>(
    const std::string& url, std::chrono::steady_clock::time_point deadline)>;

struct OAuthSettings {
  AuthType type = AuthType::kOAuth;
  std::string client_id;            // pre-registered; "" = CIMD or dynamic registration
  std::string client_secret;        // a secret
  std::string private_key_pem;      // a secret; set = private_key_jwt
  std::string client_metadata_url;  // a Client ID Metadata Document URL to use as client_id
  std::vector<std::string> scopes;  // the operator's choice; empty = as the server asks
  bool dpop = false;
  std::string redirect_uri = std::string(kDefaultRedirectUri);
  std::string client_name = "mcpwatch";
  int max_step_ups = 2;  // re-authorizations for one insufficient_scope chain
  // false (the daemon): type oauth never starts an authorization code grant itself; without a
  // usable refresh token it answers kNeedsPerson ("run mcpwatch auth login").
  bool code_grant = true;
  UserAgent user_agent;
};

// What a run presents to the MCP server: an immutable copy of the held token (with the DPoP key
// and the server's nonce), safe to use on another thread while the client renews. Secret.
struct ResourceCredential {
  std::string access_token;
  std::optional<SigningKey> dpop_key;  // set: a DPoP-bound token
  std::string dpop_nonce;
  // Authorization (and a fresh DPoP proof) for one request.
  std::vector<std::string> Headers(std::string_view method, std::string_view url) const;
};

// The token the client holds and what it came from (for the token file).
struct HeldToken {
  TokenSet tokens;
  std::string issuer;
  std::string resource;
  std::chrono::system_clock::time_point obtained_at;
  std::optional<std::chrono::system_clock::time_point> refresh_expires_at;

  std::optional<std::chrono::system_clock::time_point> expires_at() const {
    if (!tokens.expires_in) return std::nullopt;
    return obtained_at + *tokens.expires_in;
  }
};

class OAuthClient {
 public:
  // `server_url` is the MCP endpoint. Errors: kConfig (an unusable key).
  static tl::expected<std::unique_ptr<OAuthClient>, AuthError> Create(
      std::string server_url, OAuthSettings settings, std::unique_ptr<HttpTransport> http);

  // The MCP server answered `status` (401 or 403) with this WWW-Authenticate (and DPoP-Nonce):
  // get a token that should satisfy it (refresh, a new grant, a step-up, or only the nonce).
  tl::expected<void, AuthError> OnChallenge(int status, std::string_view www_authenticate,
                                            std::string_view dpop_nonce,
                                            std::chrono::steady_clock::time_point deadline);

  // Gets a token before any challenge (client credentials; discovery from the well-knowns).
  tl::expected<void, AuthError> Authorize(std::chrono::steady_clock::time_point deadline);

  // A fresh token without a person, ahead of expiry or after a 401: the refresh token when one
  // is held (discovering the issuer's metadata first for a restored token), else a new
  // client_credentials grant, else (type oauth) a new grant only when settings.code_grant.
  tl::expected<void, AuthError> Renew(std::chrono::steady_clock::time_point deadline);

  // The token stored by `auth login` (or an earlier run of the daemon). Errors: kConfig (its
  // DPoP key does not load).
  tl::expected<void, AuthError> Restore(const StoredToken& stored);
  // The held token and the client it was issued to, for the token file; nullopt without one.
  std::optional<StoredToken> Export() const;
  // The held token for runs on other threads; nullptr without one.
  std::shared_ptr<const ResourceCredential> Credential() const;

  bool has_token() const { return token_.has_value(); }
  // The token's scheme is DPoP: requests need ResourceHeaders per request.
  bool uses_dpop() const;
  // The access token for "Authorization: Bearer"; "" without one.
  const std::string& bearer_token() const;
  // Authorization (and DPoP proof) headers for one request to the MCP server.
  std::vector<std::string> ResourceHeaders(std::string_view method, std::string_view url) const;
  // Every secret held now (settings, registrations, tokens), for redacting a run's output.
  std::vector<std::string> Secrets() const;
  const std::optional<HeldToken>& token() const { return token_; }

 private:
  struct Client {
    std::string client_id;
    std::string client_secret;
    std::string auth_method;  // "none" | "client_secret_basic" | "client_secret_post" |
                              // "private_key_jwt"
  };
  struct Discovered {
    std::optional<ProtectedResourceMetadata> prm;
    AuthServerMetadata as;
    std::string resource;  // the `resource` parameter
  };

  OAuthClient(std::string server_url, OAuthSettings settings, std::unique_ptr<HttpTransport> http,
              std::optional<SigningKey> client_key, std::optional<SigningKey> dpop_key);

  // oauth_discover.cc
  tl::expected<Discovered, AuthError> Discover(std::string_view resource_metadata);
  tl::expected<Client, AuthError> ClientFor(const AuthServerMetadata& as);
  tl::expected<Client, AuthError> Register(const AuthServerMetadata& as);
  tl::expected<nlohmann::json, AuthError> FetchJson(const std::string& url, bool& not_found);

  // oauth_client.cc
  tl::expected<void, AuthError> Grant(const std::optional<ResourceChallenge>& challenge);
  tl::expected<std::string, AuthError> AuthorizeCode(const Discovered& d, const Client& client,
                                                     const std::optional<std::string>& scope,
                                                     std::string& verifier);
  tl::expected<AuthorizationResponse, AuthError> FollowUnattended(const std::string& url);
  tl::expected<AuthServerMetadata, AuthError> DiscoverIssuer(const std::string& issuer);
  tl::expected<TokenSet, AuthError> TokenRequest(const AuthServerMetadata& as, const Client& client,
                                                 FormFields fields);
  tl::expected<void, AuthError> Refresh();
  tl::expected<HttpReply, AuthError> Send(HttpCall call, AuthFailure on_network_error,
                                          std::string_view what);
  AuthError Scrubbed(AuthError e) const;

  std::string server_url_;
  OAuthSettings settings_;
  std::unique_ptr<HttpTransport> http_;
  std::optional<SigningKey> client_key_;
  std::optional<SigningKey> dpop_key_;
  std::chrono::steady_clock::time_point deadline_;

  std::map<std::string, Client> registrations_;  // by issuer: never reused across servers
  std::optional<Discovered> discovered_;
  std::optional<HeldToken> token_;
  std::vector<std::string> granted_scopes_;  // what we asked for last (united on step-up)
  std::string as_nonce_;                     // DPoP nonces (RFC 9449 §8, §9)
  std::string rs_nonce_;
  bool refresh_tried_ = false;
  int step_ups_ = 0;
};

}  // namespace mcpwatch
