// Where an MCP client looks for authorization metadata and what it accepts there. Pure:
// candidate URLs in the spec's order and validation of fetched documents.
//   Protected resource metadata (RFC 9728): the URL from WWW-Authenticate's resource_metadata
//   first, else /.well-known/oauth-protected-resource with the server's path, then at the root.
//   Authorization server metadata (RFC 8414, OpenID Connect Discovery), the MCP 2025-11-25 order:
//   path insertion for OAuth, then for OpenID, then OpenID appended to the issuer's path.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace mcpwatch {

std::vector<std::string> ProtectedResourceMetadataUrls(std::string_view server_url,
                                                       std::string_view resource_metadata);

std::vector<std::string> AuthServerMetadataUrls(std::string_view issuer);

// RFC 8707 / RFC 9728 §3.3: the resource a PRM names must be the MCP server: same origin, and
// the server's path equal to the resource's or below it ("https://a.example" covers
// "https://a.example/mcp"; "https://a.example/mcp" does not cover "https://a.example/mcpx").
bool ResourceCovers(std::string_view resource, std::string_view server_url);

struct ProtectedResourceMetadata {
  std::string resource;  // exactly as published: the `resource` parameter we send
  std::vector<std::string> authorization_servers;
  std::optional<std::vector<std::string>> scopes_supported;
};

// The document fetched for `server_url`; errors say which member is wrong.
tl::expected<ProtectedResourceMetadata, std::string> ParseProtectedResourceMetadata(
    const nlohmann::json& doc, std::string_view server_url);

struct AuthServerMetadata {
  std::string issuer;
  std::string authorization_endpoint;  // "" when absent (fine for client_credentials)
  std::string token_endpoint;
  std::string registration_endpoint;  // "" when the AS offers no dynamic registration
  std::optional<std::vector<std::string>> scopes_supported;
  std::optional<std::vector<std::string>> code_challenge_methods_supported;
  std::optional<std::vector<std::string>> token_endpoint_auth_methods_supported;
  std::optional<std::vector<std::string>> grant_types_supported;
  std::optional<std::vector<std::string>> dpop_signing_alg_values_supported;
  bool client_id_metadata_document_supported = false;
  bool authorization_response_iss_parameter_supported = false;
  bool from_defaults = false;  // 2025-03-26 fallback: no document, the default endpoint paths

  bool SupportsS256() const;
};

// The document fetched for `issuer`. Its issuer must be identical to `issuer` (RFC 8414 §3.3,
// MCP 2026-07-28: no normalisation), token_endpoint present, every endpoint https or loopback.
tl::expected<AuthServerMetadata, std::string> ParseAuthServerMetadata(const nlohmann::json& doc,
                                                                      std::string_view issuer);

// The 2025-03-26 fallback when a server has neither PRM nor AS metadata: /authorize, /token
// and /register at the server's origin.
AuthServerMetadata DefaultEndpoints(std::string_view origin);

}  // namespace mcpwatch
