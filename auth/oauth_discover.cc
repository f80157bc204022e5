// OAuthClient: discovery and client identity (see oauth_client.h).
#include <algorithm>

#include "auth/oauth_client.h"
#include "auth/url_parts.h"
#include "base/url.h"

namespace mcpwatch {
namespace {

bool Lists(const std::optional<std::vector<std::string>>& list, std::string_view value) {
  return list && std::find(list->begin(), list->end(), value) != list->end();
}

// A confidential client's method when nobody said which: what the AS lists, basic first
// (RFC 8414 §2: client_secret_basic is the default when the AS lists nothing).
std::string SecretMethod(const AuthServerMetadata& as) {
  if (!as.token_endpoint_auth_methods_supported ||
      Lists(as.token_endpoint_auth_methods_supported, "client_secret_basic")) {
    return "client_secret_basic";
  }
  if (Lists(as.token_endpoint_auth_methods_supported, "client_secret_post")) {
    return "client_secret_post";
  }
  return "client_secret_basic";
}

}  // namespace

tl::expected<nlohmann::json, AuthError> OAuthClient::FetchJson(const std::string& url,
                                                               bool& not_found) {
  not_found = false;
  HttpCall call;
  call.url = url;
  call.headers = {"Accept: application/json"};
  auto reply = Send(std::move(call), AuthFailure::kUnreachable, url);
  if (!reply) return tl::unexpected(reply.error());
  if (reply->status >= 500) {
    return tl::unexpected(AuthError{AuthFailure::kUnreachable,
                                    url + " answered HTTP " + std::to_string(reply->status)});
  }
  if (reply->status != 200) {
    not_found = true;
    return tl::unexpected(AuthError{AuthFailure::kDiscovery,
                                    url + " answered HTTP " + std::to_string(reply->status)});
  }
  auto doc = nlohmann::json::parse(reply->body, nullptr, false);
  if (doc.is_discarded()) {
    return tl::unexpected(AuthError{AuthFailure::kDiscovery, url + " did not answer JSON"});
  }
  return doc;
}

tl::expected<OAuthClient::Discovered, AuthError> OAuthClient::Discover(
    std::string_view resource_metadata) {
  Discovered d;
  std::optional<AuthError> outage;
  for (const auto& url : ProtectedResourceMetadataUrls(server_url_, resource_metadata)) {
    if (!CheckHttpUrl(url).empty()) continue;
    bool not_found = false;
    auto doc = FetchJson(url, not_found);
    if (!doc) {
      if (doc.error().failure == AuthFailure::kUnreachable) outage = doc.error();
      continue;
    }
    auto prm = ParseProtectedResourceMetadata(*doc, server_url_);
    if (!prm) {
      return tl::unexpected(AuthError{
          AuthFailure::kDiscovery, "protected resource metadata at " + url + ": " + prm.error()});
    }
    d.prm = std::move(*prm);
    break;
  }
  auto server = SplitUrl(server_url_);
  if (!server)
    return tl::unexpected(AuthError{AuthFailure::kConfig, "server URL " + server.error()});
  if (!d.prm && outage) return tl::unexpected(*outage);
  // Without PRM, the 2025-03-26 rule: the server's origin is the authorization server.
  const std::vector<std::string> issuers =
      d.prm ? d.prm->authorization_servers : std::vector<std::string>{server->origin};

  bool found = false;
  bool all_not_found = true;
  std::vector<std::string> tried;
  for (const auto& issuer : issuers) {
    if (std::string why = CheckEndpointUrl(issuer, "authorization server " + issuer);
        !why.empty()) {
      return tl::unexpected(AuthError{AuthFailure::kDiscovery, why});
    }
    for (const auto& url : AuthServerMetadataUrls(issuer)) {
      tried.push_back(url);
      bool not_found = false;
      auto doc = FetchJson(url, not_found);
      if (!doc) {
        if (!not_found) all_not_found = false;
        if (doc.error().failure == AuthFailure::kUnreachable) outage = doc.error();
        continue;
      }
      auto as = ParseAuthServerMetadata(*doc, issuer);
      if (!as) {
        return tl::unexpected(
            AuthError{AuthFailure::kDiscovery,
                      "authorization server metadata at " + url + ": " + as.error()});
      }
      d.as = std::move(*as);
      found = true;
      break;
    }
    if (found) break;
  }
  if (!found) {
    if (!d.prm && all_not_found) {
      d.as = DefaultEndpoints(server->origin);
      if (std::string why = CheckEndpointUrl(d.as.token_endpoint, "token_endpoint"); !why.empty()) {
        return tl::unexpected(AuthError{AuthFailure::kDiscovery, why});
      }
    } else if (outage) {
      return tl::unexpected(*outage);
    } else {
      std::string list;
      for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
      return tl::unexpected(
          AuthError{AuthFailure::kDiscovery, "no authorization server metadata at " + list});
    }
  }
  d.resource = d.prm ? d.prm->resource : WithoutQueryAndFragment(server_url_);
  return d;
}

tl::expected<OAuthClient::Client, AuthError> OAuthClient::ClientFor(const AuthServerMetadata& as) {
  if (!settings_.client_id.empty()) {
    Client c{settings_.client_id, settings_.client_secret, "none"};
    if (client_key_) {
      c.auth_method = "private_key_jwt";
    } else if (!c.client_secret.empty()) {
      c.auth_method = SecretMethod(as);
    }
    return c;
  }
  if (settings_.type == AuthType::kClientCredentials) {
    return tl::unexpected(
        AuthError{AuthFailure::kConfig, "client_credentials needs a pre-registered client_id"});
  }
  if (!settings_.client_metadata_url.empty() && as.client_id_metadata_document_supported) {
    return Client{settings_.client_metadata_url, "", "none"};
  }
  if (auto it = registrations_.find(as.issuer); it != registrations_.end()) return it->second;
  if (as.registration_endpoint.empty()) {
    return tl::unexpected(AuthError{
        AuthFailure::kRegistration,
        "authorization server " + as.issuer + " offers no dynamic registration" +
            (as.client_id_metadata_document_supported ? " (it accepts a client_metadata_url)"
                                                      : "") +
            ": configure a pre-registered client_id"});
  }
  auto client = Register(as);
  if (!client) return client;
  registrations_[as.issuer] = *client;
  return client;
}

tl::expected<OAuthClient::Client, AuthError> OAuthClient::Register(const AuthServerMetadata& as) {
  nlohmann::json metadata = {
      {"client_name", settings_.client_name},
      {"redirect_uris", {settings_.redirect_uri}},
      {"grant_types", {"authorization_code", "refresh_token"}},
      {"response_types", {"code"}},
      {"application_type", "native"},
  };
  HttpCall call;
  call.method = HttpCall::Method::kPost;
  call.url = as.registration_endpoint;
  call.headers = {"Content-Type: application/json", "Accept: application/json"};
  call.body = metadata.dump();
  auto reply = Send(std::move(call), AuthFailure::kUnreachable, "registration_endpoint");
  if (!reply) return tl::unexpected(reply.error());
  if (reply->status != 200 && reply->status != 201) {
    OAuthErrorBody err = ReadOAuthError(reply->status, reply->body);
    return tl::unexpected(
        AuthError{reply->status >= 500 ? AuthFailure::kUnreachable : AuthFailure::kRegistration,
                  "dynamic client registration at " + as.issuer + " refused: " + err.message});
  }
  auto doc = nlohmann::json::parse(reply->body, nullptr, false);
  auto member = [&](const char* name) {
    if (!doc.is_object()) return std::string();
    auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Client c{member("client_id"), member("client_secret"), member("token_endpoint_auth_method")};
  if (c.client_id.empty()) {
    return tl::unexpected(
        AuthError{AuthFailure::kRegistration, "dynamic client registration returned no client_id"});
  }
  if (c.client_secret.empty()) {
    c.auth_method = "none";
  } else if (c.auth_method != "client_secret_basic" && c.auth_method != "client_secret_post") {
    c.auth_method = SecretMethod(as);
  }
  return c;
}

}  // namespace mcpwatch
