#include "auth/discovery.h"

#include <algorithm>

#include "auth/url_parts.h"

namespace mcpwatch {
namespace {

constexpr std::string_view kPrmWellKnown = "/.well-known/oauth-protected-resource";
constexpr std::string_view kOauthWellKnown = "/.well-known/oauth-authorization-server";
constexpr std::string_view kOpenIdWellKnown = "/.well-known/openid-configuration";

std::string TrimTrailingSlash(std::string path) {
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

void AddUnique(std::vector<std::string>& urls, std::string url) {
  if (std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(std::move(url));
}

// An optional array of strings; an error names the member.
tl::expected<std::optional<std::vector<std::string>>, std::string> StringList(
    const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return std::optional<std::vector<std::string>>{};
  if (!it->is_array()) return tl::unexpected(std::string(name) + " is not an array");
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) return tl::unexpected(std::string(name) + " holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

std::string StringMember(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool TrueMember(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

std::vector<std::string> ProtectedResourceMetadataUrls(std::string_view server_url,
                                                       std::string_view resource_metadata) {
  std::vector<std::string> urls;
  if (!resource_metadata.empty()) AddUnique(urls, std::string(resource_metadata));
  auto parts = SplitUrl(server_url);
  if (!parts) return urls;
  const std::string path = TrimTrailingSlash(parts->path);
  if (!path.empty()) AddUnique(urls, parts->origin + std::string(kPrmWellKnown) + path);
  AddUnique(urls, parts->origin + std::string(kPrmWellKnown));
  return urls;
}

std::vector<std::string> AuthServerMetadataUrls(std::string_view issuer) {
  std::vector<std::string> urls;
  auto parts = SplitUrl(issuer);
  if (!parts) return urls;
  const std::string path = TrimTrailingSlash(parts->path);
  const std::string& o = parts->origin;
  if (path.empty()) {
    urls.push_back(o + std::string(kOauthWellKnown));
    urls.push_back(o + std::string(kOpenIdWellKnown));
  } else {
    urls.push_back(o + std::string(kOauthWellKnown) + path);
    urls.push_back(o + std::string(kOpenIdWellKnown) + path);
    urls.push_back(o + path + std::string(kOpenIdWellKnown));
  }
  return urls;
}

bool ResourceCovers(std::string_view resource, std::string_view server_url) {
  auto r = SplitUrl(resource);
  auto s = SplitUrl(server_url);
  if (!r || !s || r->origin != s->origin) return false;
  if (resource.find('#') != std::string_view::npos) return false;
  const std::string rpath = TrimTrailingSlash(r->path);
  const std::string spath = TrimTrailingSlash(s->path);
  if (rpath.empty() || spath == rpath) return true;
  return spath.size() > rpath.size() && spath.compare(0, rpath.size(), rpath) == 0 &&
         spath[rpath.size()] == '/';
}

tl::expected<ProtectedResourceMetadata, std::string> ParseProtectedResourceMetadata(
    const nlohmann::json& doc, std::string_view server_url) {
  if (!doc.is_object()) return tl::unexpected(std::string("the document is not a JSON object"));
  ProtectedResourceMetadata out;
  out.resource = StringMember(doc, "resource");
  if (out.resource.empty()) return tl::unexpected(std::string("resource is missing"));
  if (!ResourceCovers(out.resource, server_url)) {
    return tl::unexpected("resource " + out.resource + " is not this MCP server (RFC 8707)");
  }
  auto servers = StringList(doc, "authorization_servers");
  if (!servers) return tl::unexpected(servers.error());
  if (!*servers || (*servers)->empty()) {
    return tl::unexpected(std::string("authorization_servers is missing or empty"));
  }
  out.authorization_servers = std::move(**servers);
  auto scopes = StringList(doc, "scopes_supported");
  if (!scopes) return tl::unexpected(scopes.error());
  out.scopes_supported = std::move(*scopes);
  return out;
}

bool AuthServerMetadata::SupportsS256() const {
  return code_challenge_methods_supported &&
         std::find(code_challenge_methods_supported->begin(),
                   code_challenge_methods_supported->end(),
                   "S256") != code_challenge_methods_supported->end();
}

tl::expected<AuthServerMetadata, std::string> ParseAuthServerMetadata(const nlohmann::json& doc,
                                                                      std::string_view issuer) {
  if (!doc.is_object()) return tl::unexpected(std::string("the document is not a JSON object"));
  AuthServerMetadata out;
  out.issuer = StringMember(doc, "issuer");
  if (out.issuer != issuer) {
    return tl::unexpected("issuer \"" + out.issuer + "\" is not the authorization server \"" +
                          std::string(issuer) + "\" it was fetched for");
  }
  out.authorization_endpoint = StringMember(doc, "authorization_endpoint");
  out.token_endpoint = StringMember(doc, "token_endpoint");
  out.registration_endpoint = StringMember(doc, "registration_endpoint");
  if (out.token_endpoint.empty()) return tl::unexpected(std::string("token_endpoint is missing"));
  const std::pair<const char*, const std::string*> endpoints[] = {
      {"authorization_endpoint", &out.authorization_endpoint},
      {"token_endpoint", &out.token_endpoint},
      {"registration_endpoint", &out.registration_endpoint}};
  for (const auto& [name, url] : endpoints) {
    if (url->empty()) continue;
    if (std::string why = CheckEndpointUrl(*url, name); !why.empty()) return tl::unexpected(why);
  }
  const std::pair<const char*, std::optional<std::vector<std::string>>*> lists[] = {
      {"scopes_supported", &out.scopes_supported},
      {"code_challenge_methods_supported", &out.code_challenge_methods_supported},
      {"token_endpoint_auth_methods_supported", &out.token_endpoint_auth_methods_supported},
      {"grant_types_supported", &out.grant_types_supported},
      {"dpop_signing_alg_values_supported", &out.dpop_signing_alg_values_supported}};
  for (const auto& [name, list] : lists) {
    auto value = StringList(doc, name);
    if (!value) return tl::unexpected(value.error());
    *list = std::move(*value);
  }
  out.client_id_metadata_document_supported =
      TrueMember(doc, "client_id_metadata_document_supported");
  out.authorization_response_iss_parameter_supported =
      TrueMember(doc, "authorization_response_iss_parameter_supported");
  return out;
}

AuthServerMetadata DefaultEndpoints(std::string_view origin) {
  AuthServerMetadata out;
  out.issuer = std::string(origin);
  out.authorization_endpoint = out.issuer + "/authorize";
  out.token_endpoint = out.issuer + "/token";
  out.registration_endpoint = out.issuer + "/register";
  // The 2025-03-26 revision made PKCE mandatory for every client and server.
  out.code_challenge_methods_supported = std::vector<std::string>{"S256"};
  out.from_defaults = true;
  return out;
}

}  // namespace mcpwatch
