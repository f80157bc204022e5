// What an authorization server and a protected resource send an MCP client, as a hostile one may
// send it (auth/discovery.h, auth/oauth_messages.h): the protected resource metadata, the
// authorization server metadata, a token endpoint answer in each status family, an OAuth error
// body, and the authorization redirect's Location. The input is the body text (the first line is
// also tried as a Location and as an issuer), so real documents make good seeds.
// Properties: an accepted PRM names a resource that covers the server; accepted AS metadata has
// exactly the expected issuer and a token endpoint; an accepted token answer has an access
// token of a known type; every refusal says why.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/discovery.h"
#include "auth/oauth_messages.h"
#include "fuzz/check.h"

namespace {

using namespace mcpwatch;

constexpr std::string_view kServer = "https://mcp.example.com/mcp";
constexpr std::string_view kIssuer = "https://auth.example.com";
constexpr std::string_view kRedirect = "http://127.0.0.1:33418/callback";

void Documents(std::string_view body) {
  // As auth/oauth_discover.cc reads a fetched document (its size bounded by the transport).
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return;
  if (const auto prm = ParseProtectedResourceMetadata(doc, kServer)) {
    FUZZ_CHECK(ResourceCovers(prm->resource, kServer));
  } else {
    FUZZ_CHECK(!prm.error().empty());
  }
  if (const auto as = ParseAuthServerMetadata(doc, kIssuer)) {
    FUZZ_CHECK(as->issuer == kIssuer);
    FUZZ_CHECK(!as->token_endpoint.empty());
    (void)as->SupportsS256();
  } else {
    FUZZ_CHECK(!as.error().empty());
  }
}

void TokenAnswers(std::string_view body) {
  for (long status : {200L, 400L, 401L, 503L}) {
    const auto tokens = ReadTokenResponse(status, body);
    if (tokens) {
      FUZZ_CHECK(status == 200);
      FUZZ_CHECK(!tokens->access_token.empty());
      (void)tokens->IsDpop();
    } else {
      FUZZ_CHECK(!tokens.error().message.empty());
    }
  }
  FUZZ_CHECK(!ReadOAuthError(400, body).message.empty());
}

void Locations(std::string_view line) {
  const auto redirect = ReadAuthorizationRedirect(302, line, kRedirect);
  if (!redirect) {
    FUZZ_CHECK(!redirect.error().message.empty());
    return;
  }
  AuthServerMetadata as;
  as.issuer = std::string(kIssuer);
  as.authorization_response_iss_parameter_supported = true;
  if (const auto code = CheckAuthorizationResponse(*redirect, "state-1", as)) {
    FUZZ_CHECK(!code->empty() && redirect->state == "state-1");
    FUZZ_CHECK(redirect->iss == std::optional<std::string>(std::string(kIssuer)));
  }
  (void)ProtectedResourceMetadataUrls(kServer, line);
  (void)ProtectedResourceMetadataUrls(line, "");
  (void)AuthServerMetadataUrls(line);
  (void)ResourceCovers(line, kServer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  Documents(body);
  TokenAnswers(body);
  Locations(body.substr(0, body.find('\n')));
  return 0;
}
