// OAuthClient: renewing without a person, and the token file's view of the client (see
// oauth_client.h).
#include "auth/oauth_client.h"

namespace mcpwatch {

tl::expected<AuthServerMetadata, AuthError> OAuthClient::DiscoverIssuer(const std::string& issuer) {
  std::optional<AuthError> outage;
  for (const auto& url : AuthServerMetadataUrls(issuer)) {
    bool not_found = false;
    auto doc = FetchJson(url, not_found);
    if (!doc) {
      if (doc.error().failure == AuthFailure::kUnreachable) outage = doc.error();
      continue;
    }
    auto as = ParseAuthServerMetadata(*doc, issuer);
    if (!as) {
      return tl::unexpected(AuthError{
          AuthFailure::kDiscovery, "authorization server metadata at " + url + ": " + as.error()});
    }
    return std::move(*as);
  }
  if (outage) return tl::unexpected(*outage);
  return tl::unexpected(
      AuthError{AuthFailure::kDiscovery, "no authorization server metadata for issuer " + issuer});
}

tl::expected<void, AuthError> OAuthClient::Renew(std::chrono::steady_clock::time_point deadline) {
  deadline_ = deadline;
  if (token_ && !token_->tokens.refresh_token.empty()) {
    if (!discovered_ || discovered_->as.issuer != token_->issuer) {
      // A restored token: its issuer's metadata gives the token endpoint (RFC 8414).
      auto as = DiscoverIssuer(token_->issuer);
      if (!as) return tl::unexpected(Scrubbed(as.error()));
      discovered_ = Discovered{std::nullopt, std::move(*as), token_->resource};
    }
    auto refreshed = Refresh();
    if (refreshed) return {};
    const bool person_needed = settings_.type == AuthType::kOAuth && !settings_.code_grant;
    if (refreshed.error().failure != AuthFailure::kCredentialsRejected || person_needed) {
      AuthError e = refreshed.error();
      if (person_needed && e.failure == AuthFailure::kCredentialsRejected) {
        e.message +=
            "; the refresh token is no longer accepted: sign in again with mcpwatch "
            "auth login";
      }
      return tl::unexpected(Scrubbed(std::move(e)));
    }
    // A refused refresh token of an unattended identity: a new grant.
  }
  auto granted = Grant(std::nullopt);
  if (!granted) return tl::unexpected(Scrubbed(granted.error()));
  return {};
}

tl::expected<void, AuthError> OAuthClient::Restore(const StoredToken& stored) {
  if (!stored.dpop_key_pem.empty()) {
    auto key = SigningKey::FromPem(stored.dpop_key_pem);
    if (!key) {
      return tl::unexpected(AuthError{AuthFailure::kConfig, "the stored DPoP key: " + key.error()});
    }
    dpop_key_ = std::move(*key);
  }
  const auto now = std::chrono::system_clock::now();
  HeldToken held;
  held.tokens.access_token = stored.access_token;
  held.tokens.token_type = stored.token_type.empty() ? "Bearer" : stored.token_type;
  held.tokens.refresh_token = stored.refresh_token;
  held.tokens.scope = stored.scope;
  held.issuer = stored.issuer;
  held.resource = stored.resource;
  held.obtained_at = stored.obtained_at.value_or(now);
  if (stored.expires_at) {
    held.tokens.expires_in = std::max(
        std::chrono::seconds(0),
        std::chrono::duration_cast<std::chrono::seconds>(*stored.expires_at - held.obtained_at));
  }
  held.refresh_expires_at = stored.refresh_expires_at;
  token_ = std::move(held);
  if (settings_.client_id.empty()) {
    registrations_[stored.issuer] = Client{
        stored.client_id, stored.client_secret,
        stored.token_endpoint_auth_method.empty() ? "none" : stored.token_endpoint_auth_method};
  }
  discovered_.reset();
  refresh_tried_ = false;
  return {};
}

std::optional<StoredToken> OAuthClient::Export() const {
  if (!token_) return std::nullopt;
  StoredToken s;
  s.url = server_url_;
  s.issuer = token_->issuer;
  s.resource = token_->resource;
  if (auto it = registrations_.find(token_->issuer);
      settings_.client_id.empty() && it != registrations_.end()) {
    s.client_id = it->second.client_id;
    s.client_secret = it->second.client_secret;
    s.token_endpoint_auth_method = it->second.auth_method;
  } else {
    s.client_id = settings_.client_id.empty() ? settings_.client_metadata_url : settings_.client_id;
  }
  s.access_token = token_->tokens.access_token;
  s.token_type = token_->tokens.token_type;
  s.refresh_token = token_->tokens.refresh_token;
  s.scope = token_->tokens.scope;
  s.obtained_at = token_->obtained_at;
  s.expires_at = token_->expires_at();
  s.refresh_expires_at = token_->refresh_expires_at;
  if (dpop_key_) s.dpop_key_pem = dpop_key_->PrivatePem();
  return s;
}

}  // namespace mcpwatch
