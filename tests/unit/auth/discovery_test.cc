#include "auth/discovery.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using Urls = std::vector<std::string>;

TEST_CASE("PRM is looked for at the header's URL, then with the path, then at the root", "[auth]") {
  CHECK(ProtectedResourceMetadataUrls("https://a.example/public/mcp", "") ==
        Urls{"https://a.example/.well-known/oauth-protected-resource/public/mcp",
             "https://a.example/.well-known/oauth-protected-resource"});
  CHECK(
      ProtectedResourceMetadataUrls("http://127.0.0.1:8080/mcp/", "http://127.0.0.1:8080/m.json") ==
      Urls{"http://127.0.0.1:8080/m.json",
           "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp",
           "http://127.0.0.1:8080/.well-known/oauth-protected-resource"});
  CHECK(ProtectedResourceMetadataUrls("https://a.example", "") ==
        Urls{"https://a.example/.well-known/oauth-protected-resource"});
}

TEST_CASE("AS metadata URLs follow the MCP 2025-11-25 order", "[auth]") {
  CHECK(AuthServerMetadataUrls("https://auth.example.com/tenant1") ==
        Urls{"https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
             "https://auth.example.com/.well-known/openid-configuration/tenant1",
             "https://auth.example.com/tenant1/.well-known/openid-configuration"});
  CHECK(AuthServerMetadataUrls("https://auth.example.com/") ==
        Urls{"https://auth.example.com/.well-known/oauth-authorization-server",
             "https://auth.example.com/.well-known/openid-configuration"});
  CHECK(AuthServerMetadataUrls("http://localhost:9/t/").front() ==
        "http://localhost:9/.well-known/oauth-authorization-server/t");
}

TEST_CASE("a PRM resource must be this server (RFC 8707)", "[auth]") {
  struct Row {
    const char* resource;
    const char* server;
    bool covers;
  };
  const Row rows[] = {
      {"https://a.example/mcp", "https://a.example/mcp", true},
      {"https://a.example", "https://a.example/mcp", true},
      {"https://a.example/", "https://a.example/mcp", true},
      {"https://A.example/mcp/", "https://a.example/mcp", true},
      {"https://a.example/mcp", "https://a.example/mcp/sub", true},
      {"https://a.example/mcp", "https://a.example/mcpx", false},
      {"https://a.example/other", "https://a.example/mcp", false},
      {"https://evil.example.com/mcp", "https://a.example/mcp", false},
      {"http://a.example/mcp", "https://a.example/mcp", false},
      {"https://a.example:8443/mcp", "https://a.example/mcp", false},
      {"https://a.example/mcp#frag", "https://a.example/mcp", false},
      {"not a url", "https://a.example/mcp", false},
  };
  for (const Row& r : rows) {
    INFO(r.resource << " vs " << r.server);
    CHECK(ResourceCovers(r.resource, r.server) == r.covers);
  }
}

TEST_CASE("PRM documents are validated member by member", "[auth]") {
  const std::string server = "http://localhost:3000/mcp";
  auto ok = ParseProtectedResourceMetadata({{"resource", "http://localhost:3000/mcp"},
                                            {"authorization_servers", {"http://localhost:4000"}},
                                            {"scopes_supported", {"mcp:basic"}}},
                                           server);
  REQUIRE(ok);
  CHECK(ok->resource == "http://localhost:3000/mcp");
  CHECK(ok->authorization_servers == Urls{"http://localhost:4000"});
  CHECK(ok->scopes_supported == Urls{"mcp:basic"});

  struct Row {
    nlohmann::json doc;
    const char* error;
  };
  const Row rows[] = {
      {nlohmann::json::array(), "the document is not a JSON object"},
      {{{"authorization_servers", {"x"}}}, "resource is missing"},
      {{{"resource", "https://evil.example.com/mcp"}, {"authorization_servers", {"x"}}},
       "resource https://evil.example.com/mcp is not this MCP server (RFC 8707)"},
      {{{"resource", server}}, "authorization_servers is missing or empty"},
      {{{"resource", server}, {"authorization_servers", nlohmann::json::array()}},
       "authorization_servers is missing or empty"},
      {{{"resource", server}, {"authorization_servers", "x"}},
       "authorization_servers is not an array"},
      {{{"resource", server}, {"authorization_servers", {"x"}}, {"scopes_supported", {1}}},
       "scopes_supported holds a non-string"},
  };
  for (const Row& r : rows) {
    INFO(r.doc.dump());
    auto got = ParseProtectedResourceMetadata(r.doc, server);
    REQUIRE_FALSE(got);
    CHECK(got.error() == r.error);
  }
}

TEST_CASE("AS metadata: the issuer must be identical, endpoints https or loopback", "[auth]") {
  nlohmann::json doc = {{"issuer", "https://auth.example.com/tenant1"},
                        {"authorization_endpoint", "https://auth.example.com/authorize"},
                        {"token_endpoint", "https://auth.example.com/token"},
                        {"code_challenge_methods_supported", {"plain", "S256"}},
                        {"client_id_metadata_document_supported", true},
                        {"authorization_response_iss_parameter_supported", true}};
  auto ok = ParseAuthServerMetadata(doc, "https://auth.example.com/tenant1");
  REQUIRE(ok);
  CHECK(ok->SupportsS256());
  CHECK(ok->client_id_metadata_document_supported);
  CHECK(ok->authorization_response_iss_parameter_supported);
  CHECK(ok->registration_endpoint.empty());

  CHECK(ParseAuthServerMetadata(doc, "https://auth.example.com/tenant1/").error() ==
        "issuer \"https://auth.example.com/tenant1\" is not the authorization server "
        "\"https://auth.example.com/tenant1/\" it was fetched for");
  auto no_token = doc;
  no_token.erase("token_endpoint");
  CHECK(ParseAuthServerMetadata(no_token, "https://auth.example.com/tenant1").error() ==
        "token_endpoint is missing");
  auto plain = doc;
  plain["token_endpoint"] = "http://auth.example.com/token";
  CHECK(ParseAuthServerMetadata(plain, "https://auth.example.com/tenant1").error() ==
        "token_endpoint is plain http to a host that is not loopback (https required)");
  auto no_pkce = doc;
  no_pkce.erase("code_challenge_methods_supported");
  CHECK_FALSE(ParseAuthServerMetadata(no_pkce, "https://auth.example.com/tenant1")->SupportsS256());
}

TEST_CASE("the 2025-03-26 fallback uses the default paths at the server's origin", "[auth]") {
  auto d = DefaultEndpoints("http://localhost:5000");
  CHECK(d.authorization_endpoint == "http://localhost:5000/authorize");
  CHECK(d.token_endpoint == "http://localhost:5000/token");
  CHECK(d.registration_endpoint == "http://localhost:5000/register");
  CHECK(d.SupportsS256());
  CHECK(d.from_defaults);
}

}  // namespace
}  // namespace mcpwatch
