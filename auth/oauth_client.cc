#include "auth/oauth_client.h"

#include "auth/jwt_claims.h"
#include "auth/pkce.h"
#include "auth/url_parts.h"
#include "auth/www_authenticate.h"
#include "base/encoding.h"

namespace mcpwatch {
namespace {

constexpr std::string_view kFormType = "Content-Type: application/x-www-form-urlencoded";

AuthError Error(AuthFailure f, std::string message) {
  return AuthError{f, std::move(message)};
}

}  // namespace

tl::expected<std::unique_ptr<OAuthClient>, AuthError> OAuthClient::Create(
    std::string server_url, OAuthSettings settings, std::unique_ptr<HttpTransport> http) {
  if (auto parts = SplitUrl(server_url); !parts) {
    return tl::unexpected(Error(AuthFailure::kConfig, "the MCP server URL is " + parts.error()));
  }
  std::optional<SigningKey> client_key;
  if (!settings.private_key_pem.empty()) {
    auto key = SigningKey::FromPem(settings.private_key_pem);
    if (!key) return tl::unexpected(Error(AuthFailure::kConfig, "private key: " + key.error()));
    client_key = std::move(*key);
  }
  if (settings.type == AuthType::kClientCredentials &&
      (settings.client_id.empty() || (settings.client_secret.empty() && !client_key))) {
    return tl::unexpected(Error(AuthFailure::kConfig,
                                "client_credentials needs a client_id and a client secret or "
                                "private key"));
  }
  std::optional<SigningKey> dpop_key;
  if (settings.dpop) {
    auto key = SigningKey::GenerateEs256();
    if (!key) return tl::unexpected(Error(AuthFailure::kConfig, "DPoP key: " + key.error()));
    dpop_key = std::move(*key);
  }
  return std::unique_ptr<OAuthClient>(new OAuthClient(std::move(server_url), std::move(settings),
                                                      std::move(http), std::move(client_key),
                                                      std::move(dpop_key)));
}

OAuthClient::OAuthClient(std::string server_url, OAuthSettings settings,
                         std::unique_ptr<HttpTransport> http, std::optional<SigningKey> client_key,
                         std::optional<SigningKey> dpop_key)
    : server_url_(std::move(server_url)),
      settings_(std::move(settings)),
      http_(std::move(http)),
      client_key_(std::move(client_key)),
      dpop_key_(std::move(dpop_key)) {}

tl::expected<void, AuthError> OAuthClient::OnChallenge(
    int status, std::string_view www_authenticate, std::string_view dpop_nonce,
    std::chrono::steady_clock::time_point deadline) {
  deadline_ = deadline;
  const std::optional<ResourceChallenge> challenge = ReadResourceChallenge(www_authenticate);
  if (status == 401 && challenge && challenge->error == "use_dpop_nonce" && uses_dpop() &&
      !dpop_nonce.empty() && dpop_nonce != rs_nonce_) {
    rs_nonce_ = std::string(dpop_nonce);  // RFC 9449 §9: retry with the server's nonce
    return {};
  }
  if (status == 403) {
    if (!challenge || challenge->error != "insufficient_scope") {
      std::string why = challenge && !challenge->error.empty() ? " (" + challenge->error + ")" : "";
      return tl::unexpected(Scrubbed(Error(AuthFailure::kCredentialsRejected,
                                           "the MCP server refused the token: HTTP 403" + why)));
    }
    if (++step_ups_ > settings_.max_step_ups) {
      return tl::unexpected(Scrubbed(
          Error(AuthFailure::kInsufficientScope,
                "the MCP server still demands scope \"" + challenge->scope.value_or("") +
                    "\" after " + std::to_string(settings_.max_step_ups) + " re-authorizations")));
    }
  } else if (token_ && !token_->tokens.refresh_token.empty() && !refresh_tried_) {
    refresh_tried_ = true;
    auto refreshed = Refresh();
    if (refreshed || refreshed.error().failure == AuthFailure::kUnreachable) {
      if (!refreshed) return tl::unexpected(Scrubbed(refreshed.error()));
      return {};
    }
    // A refused refresh token: start over with a new grant.
  }
  auto granted = Grant(challenge);
  if (!granted) return tl::unexpected(Scrubbed(granted.error()));
  return {};
}

tl::expected<void, AuthError> OAuthClient::Authorize(
    std::chrono::steady_clock::time_point deadline) {
  deadline_ = deadline;
  auto granted = Grant(std::nullopt);
  if (!granted) return tl::unexpected(Scrubbed(granted.error()));
  return {};
}

tl::expected<void, AuthError> OAuthClient::Grant(
    const std::optional<ResourceChallenge>& challenge) {
  auto d = Discover(challenge ? std::string_view(challenge->resource_metadata) : "");
  if (!d) return tl::unexpected(d.error());
  if (token_ && token_->issuer != d->as.issuer) {
    // Authorization-server migration: nothing from the old server is presented to the new.
    token_.reset();
    granted_scopes_.clear();
  }
  const bool code_flow = settings_.type == AuthType::kOAuth;
  if (code_flow && !settings_.code_grant) {
    return tl::unexpected(Error(AuthFailure::kNeedsPerson,
                                "no usable token for " + server_url_ +
                                    ": a person must sign in once with mcpwatch auth login"));
  }
  if (code_flow && d->as.authorization_endpoint.empty()) {
    return tl::unexpected(Error(AuthFailure::kDiscovery, "authorization server " + d->as.issuer +
                                                             " has no authorization_endpoint"));
  }
  if (code_flow && !d->as.SupportsS256()) {
    return tl::unexpected(
        Error(AuthFailure::kDiscovery, "authorization server " + d->as.issuer +
                                           " does not advertise PKCE S256; refusing to proceed"));
  }
  auto client = ClientFor(d->as);
  if (!client) return tl::unexpected(client.error());
  const std::optional<std::string> scope =
      SelectScope(settings_.scopes, challenge ? challenge->scope : std::nullopt,
                  d->prm ? d->prm->scopes_supported : std::nullopt, d->as.scopes_supported,
                  code_flow, granted_scopes_);
  FormFields fields;
  if (code_flow) {
    std::string verifier;
    auto code = AuthorizeCode(*d, *client, scope, verifier);
    if (!code) return tl::unexpected(code.error());
    fields = {{"grant_type", "authorization_code"},
              {"code", *code},
              {"redirect_uri", settings_.redirect_uri},
              {"code_verifier", verifier}};
  } else {
    fields = {{"grant_type", "client_credentials"}};
    if (scope) fields.emplace_back("scope", *scope);
  }
  fields.emplace_back("resource", d->resource);
  auto tokens = TokenRequest(d->as, *client, std::move(fields));
  if (!tokens) return tl::unexpected(tokens.error());
  const auto now = std::chrono::system_clock::now();
  std::optional<std::chrono::system_clock::time_point> refresh_expires;
  if (tokens->refresh_expires_in) refresh_expires = now + *tokens->refresh_expires_in;
  token_ = HeldToken{std::move(*tokens), d->as.issuer, d->resource, now, refresh_expires};
  granted_scopes_ = scope ? SplitScope(*scope) : std::vector<std::string>{};
  discovered_ = std::move(*d);
  refresh_tried_ = false;
  return {};
}

tl::expected<std::string, AuthError> OAuthClient::AuthorizeCode(
    const Discovered& d, const Client& client, const std::optional<std::string>& scope,
    std::string& verifier) {
  auto pkce = NewPkce();
  auto state = RandomUrlToken(16);
  if (!pkce || !state) return tl::unexpected(Error(AuthFailure::kConfig, "no randomness"));
  FormFields query = {{"response_type", "code"},
                      {"client_id", client.client_id},
                      {"redirect_uri", settings_.redirect_uri},
                      {"state", *state},
                      {"code_challenge", pkce->challenge},
                      {"code_challenge_method", "S256"},
                      {"resource", d.resource}};
  if (scope) query.emplace_back("scope", *scope);
  const std::string url = AppendQuery(d.as.authorization_endpoint, FormEncode(query));
  auto response =
      settings_.user_agent ? settings_.user_agent(url, deadline_) : FollowUnattended(url);
  if (!response) return tl::unexpected(response.error());
  auto code = CheckAuthorizationResponse(*response, *state, d.as);
  if (!code) return tl::unexpected(code.error());
  verifier = std::move(pkce->verifier);
  return code;
}

tl::expected<AuthorizationResponse, AuthError> OAuthClient::FollowUnattended(
    const std::string& url) {
  HttpCall call;
  call.url = url;
  call.headers = {"Accept: text/html"};
  auto reply = Send(std::move(call), AuthFailure::kUnreachable, "authorization_endpoint");
  if (!reply) return tl::unexpected(reply.error());
  if (reply->status >= 500) {
    return tl::unexpected(
        Error(AuthFailure::kUnreachable,
              "the authorization endpoint answered HTTP " + std::to_string(reply->status)));
  }
  return ReadAuthorizationRedirect(reply->status, reply->location, settings_.redirect_uri);
}

tl::expected<TokenSet, AuthError> OAuthClient::TokenRequest(const AuthServerMetadata& as,
                                                            const Client& client,
                                                            FormFields fields) {
  if (std::string why = CheckEndpointUrl(as.token_endpoint, "token_endpoint"); !why.empty()) {
    return tl::unexpected(Error(AuthFailure::kDiscovery, why));
  }
  std::vector<std::string> headers = {std::string(kFormType), "Accept: application/json"};
  if (client.auth_method == "client_secret_basic") {
    // RFC 6749 §2.3.1: each part form-encoded before base64.
    headers.push_back("Authorization: Basic " + Base64(PercentEncode(client.client_id) + ":" +
                                                           PercentEncode(client.client_secret),
                                                       false, true));
  } else {
    fields.emplace_back("client_id", client.client_id);
    if (client.auth_method == "client_secret_post") {
      fields.emplace_back("client_secret", client.client_secret);
    }
  }
  const bool dpop = dpop_key_.has_value();
  for (int attempt = 0;; ++attempt) {
    HttpCall call;
    call.method = HttpCall::Method::kPost;
    call.url = as.token_endpoint;
    call.headers = headers;
    FormFields body = fields;
    const auto now = std::chrono::system_clock::now();
    if (client.auth_method == "private_key_jwt" && client_key_) {
      auto assertion = MakeClientAssertion(*client_key_, client.client_id, as.issuer, now);
      if (!assertion) return tl::unexpected(Error(AuthFailure::kConfig, assertion.error()));
      body.emplace_back("client_assertion_type", std::string(kJwtBearerAssertionType));
      body.emplace_back("client_assertion", *assertion);
    }
    if (dpop) {
      auto proof = MakeDpopProof(*dpop_key_, "POST", as.token_endpoint, "", as_nonce_, now);
      if (!proof) return tl::unexpected(Error(AuthFailure::kConfig, proof.error()));
      call.headers.push_back("DPoP: " + *proof);
    }
    call.body = FormEncode(body);
    auto reply = Send(std::move(call), AuthFailure::kUnreachable, "token_endpoint");
    if (!reply) return tl::unexpected(reply.error());
    if (!reply->dpop_nonce.empty()) {
      const bool retry = dpop && attempt == 0 && reply->status == 400 &&
                         reply->dpop_nonce != as_nonce_ &&
                         ReadOAuthError(reply->status, reply->body).error == "use_dpop_nonce";
      as_nonce_ = reply->dpop_nonce;
      if (retry) continue;  // RFC 9449 §8: once more with the server's nonce
    }
    return ReadTokenResponse(reply->status, reply->body);
  }
}

tl::expected<void, AuthError> OAuthClient::Refresh() {
  if (!token_ || !discovered_) return tl::unexpected(Error(AuthFailure::kConfig, "no token"));
  auto client = ClientFor(discovered_->as);
  if (!client) return tl::unexpected(client.error());
  FormFields fields = {{"grant_type", "refresh_token"},
                       {"refresh_token", token_->tokens.refresh_token},
                       {"resource", discovered_->resource}};
  auto tokens = TokenRequest(discovered_->as, *client, std::move(fields));
  if (!tokens) return tl::unexpected(tokens.error());
  const auto now = std::chrono::system_clock::now();
  if (tokens->refresh_token.empty()) {
    tokens->refresh_token = token_->tokens.refresh_token;  // kept: its expiry stays too
  } else if (tokens->refresh_expires_in) {
    token_->refresh_expires_at = now + *tokens->refresh_expires_in;
  } else {
    token_->refresh_expires_at.reset();  // a new refresh token of unknown lifetime
  }
  token_->tokens = std::move(*tokens);
  token_->obtained_at = now;
  return {};
}

tl::expected<HttpReply, AuthError> OAuthClient::Send(HttpCall call, AuthFailure on_network_error,
                                                     std::string_view what) {
  if (std::chrono::steady_clock::now() >= deadline_) {
    return tl::unexpected(
        Error(on_network_error, "the deadline passed before " + std::string(what)));
  }
  call.deadline = deadline_;
  auto reply = http_->Send(call);
  if (!reply)
    return tl::unexpected(Error(on_network_error, std::string(what) + ": " + reply.error()));
  return std::move(*reply);
}

AuthError OAuthClient::Scrubbed(AuthError e) const {
  Redactor(Secrets()).ScrubInPlace(e.message);
  return e;
}

bool OAuthClient::uses_dpop() const {
  return token_ && dpop_key_ && token_->tokens.IsDpop();
}

const std::string& OAuthClient::bearer_token() const {
  static const std::string kNone;
  return token_ ? token_->tokens.access_token : kNone;
}

std::vector<std::string> ResourceCredential::Headers(std::string_view method,
                                                     std::string_view url) const {
  if (!dpop_key) return {"Authorization: Bearer " + access_token};
  auto proof = MakeDpopProof(*dpop_key, method, url, access_token, dpop_nonce,
                             std::chrono::system_clock::now());
  if (!proof)
    return {"Authorization: DPoP " + access_token};  // the server will say what is missing
  return {"Authorization: DPoP " + access_token, "DPoP: " + *proof};
}

std::shared_ptr<const ResourceCredential> OAuthClient::Credential() const {
  if (!token_) return nullptr;
  auto c = std::make_shared<ResourceCredential>();
  c->access_token = token_->tokens.access_token;
  if (uses_dpop()) {
    c->dpop_key = *dpop_key_;
    c->dpop_nonce = rs_nonce_;
  }
  return c;
}

std::vector<std::string> OAuthClient::ResourceHeaders(std::string_view method,
                                                      std::string_view url) const {
  auto c = Credential();
  return c ? c->Headers(method, url) : std::vector<std::string>{};
}

std::vector<std::string> OAuthClient::Secrets() const {
  std::vector<std::string> out = {settings_.client_secret, settings_.private_key_pem};
  for (const auto& [issuer, client] : registrations_) out.push_back(client.client_secret);
  if (token_) {
    out.push_back(token_->tokens.access_token);
    out.push_back(token_->tokens.refresh_token);
  }
  return out;
}

}  // namespace mcpwatch
