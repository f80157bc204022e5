#include "auth/oauth_messages.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using Scopes = std::vector<std::string>;

TEST_CASE("forms encode every reserved byte and decode back", "[auth]") {
  const FormFields fields = {{"redirect_uri", "http://127.0.0.1:1/cb?x=1"}, {"scope", "a b"}};
  const std::string encoded = FormEncode(fields);
  CHECK(encoded == "redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb%3Fx%3D1&scope=a%20b");
  CHECK(FormDecode(encoded) == fields);
  CHECK(FormDecode("a=1&&b&c=x+y") == FormFields{{"a", "1"}, {"b", ""}, {"c", "x y"}});
}

TEST_CASE("scope selection: operator, challenge, PRM, omitted, step-up unites", "[auth]") {
  const std::optional<Scopes> none;
  struct Row {
    Scopes configured;
    std::optional<std::string> challenge;
    std::optional<Scopes> prm;
    std::optional<Scopes> as;
    bool refresh;
    Scopes previous;
    std::optional<std::string> want;
  };
  const Row rows[] = {
      {{}, "mcp:basic", Scopes{"mcp:read"}, none, true, {}, "mcp:basic"},
      {{}, std::nullopt, Scopes{"mcp:basic", "mcp:read"}, none, true, {}, "mcp:basic mcp:read"},
      {{}, std::nullopt, none, none, true, {}, std::nullopt},
      {{}, "", none, none, true, {}, std::nullopt},
      {{"ops:probe"}, "mcp:basic", none, none, true, {}, "ops:probe"},
      {{}, "mcp:write", none, none, true, {"mcp:basic"}, "mcp:basic mcp:write"},
      {{},
       "mcp:basic",
       none,
       Scopes{"mcp:basic", "offline_access"},
       true,
       {},
       "mcp:basic offline_access"},
      {{}, "mcp:basic", none, Scopes{"mcp:basic", "offline_access"}, false, {}, "mcp:basic"},
      {{}, "mcp:basic", none, Scopes{"mcp:basic", "mcp:read"}, true, {}, "mcp:basic"},
      {{}, "a  a b", none, none, true, {"b"}, "b a"},
  };
  for (const Row& r : rows) {
    INFO(r.challenge.value_or("-"));
    CHECK(SelectScope(r.configured, r.challenge, r.prm, r.as, r.refresh, r.previous) == r.want);
  }
}

TEST_CASE("an unattended authorization needs a redirect to our redirect_uri", "[auth]") {
  const std::string cb = "http://127.0.0.1:33418/callback";
  auto ok = ReadAuthorizationRedirect(302, cb + "?code=c%2B1&state=s&iss=https%3A%2F%2Fas", cb);
  REQUIRE(ok);
  CHECK(ok->code == "c+1");
  CHECK(ok->state == "s");
  CHECK(ok->iss == "https://as");

  struct Row {
    long status;
    std::string location;
    const char* says;
  };
  const Row rows[] = {
      {200, "", "answered HTTP 200 instead of redirecting back"},
      {302, "https://as.example/login?next=x", "it redirected elsewhere than our redirect_uri"},
      {302, cb + "x?code=1", "it redirected elsewhere than our redirect_uri"},
  };
  for (const Row& r : rows) {
    INFO(r.location);
    auto got = ReadAuthorizationRedirect(r.status, r.location, cb);
    REQUIRE_FALSE(got);
    CHECK(got.error().failure == AuthFailure::kNeedsPerson);
    CHECK_THAT(got.error().message,
               Catch::Contains("an unattended probe cannot do") && Catch::Contains(r.says));
  }
}

TEST_CASE("the authorization response: iss (RFC 9207), state, error, code", "[auth]") {
  AuthServerMetadata as;
  as.issuer = "http://localhost:4000";
  AuthServerMetadata advertises = as;
  advertises.authorization_response_iss_parameter_supported = true;
  struct Row {
    AuthorizationResponse r;
    const AuthServerMetadata* as;
    AuthFailure failure;
    const char* says;  // "" = accepted
  };
  const Row rows[] = {
      {{"c", "s", "http://localhost:4000", "", ""}, &advertises, AuthFailure::kConfig, ""},
      {{"c", "s", std::nullopt, "", ""}, &as, AuthFailure::kConfig, ""},
      {{"c", "s", std::nullopt, "", ""},
       &advertises,
       AuthFailure::kAuthorization,
       "lacks the iss parameter"},
      {{"c", "s", "https://evil.example.com", "", ""},
       &advertises,
       AuthFailure::kAuthorization,
       "possible mix-up attack"},
      {{"c", "s", "https://evil.example.com", "", ""},
       &as,
       AuthFailure::kAuthorization,
       "possible mix-up attack"},
      {{"c", "s", "http://localhost:4000/", "", ""},
       &advertises,
       AuthFailure::kAuthorization,
       "possible mix-up attack"},
      {{"c", "other", std::nullopt, "", ""},
       &as,
       AuthFailure::kAuthorization,
       "state does not match"},
      {{"", "s", std::nullopt, "access_denied", "no"},
       &as,
       AuthFailure::kAuthorization,
       "refused: access_denied: no"},
      {{"", "s", std::nullopt, "login_required", ""},
       &as,
       AuthFailure::kNeedsPerson,
       "client_credentials identity"},
      {{"", "s", std::nullopt, "", ""}, &as, AuthFailure::kAuthorization, "carries no code"},
  };
  for (const Row& row : rows) {
    INFO(row.r.iss.value_or("-") << " " << row.r.error);
    auto got = CheckAuthorizationResponse(row.r, "s", *row.as);
    if (std::string_view(row.says).empty()) {
      REQUIRE(got);
      CHECK(*got == "c");
    } else {
      REQUIRE_FALSE(got);
      CHECK(got.error().failure == row.failure);
      CHECK_THAT(got.error().message, Catch::Contains(row.says));
    }
  }
}

TEST_CASE("token responses: tokens read, errors classed", "[auth]") {
  auto ok =
      ReadTokenResponse(200, R"({"access_token":"at","token_type":"bearer","expires_in":3600,)"
                             R"("refresh_token":"rt","scope":"a b"})");
  REQUIRE(ok);
  CHECK(ok->access_token == "at");
  CHECK(ok->refresh_token == "rt");
  CHECK(ok->expires_in == std::chrono::seconds(3600));
  CHECK_FALSE(ok->refresh_expires_in);
  CHECK_FALSE(ok->IsDpop());
  auto with_refresh_expiry =
      ReadTokenResponse(200, R"({"access_token":"at","token_type":"bearer","refresh_token":"rt",)"
                             R"("refresh_token_expires_in":86400})");
  REQUIRE(with_refresh_expiry);
  CHECK(with_refresh_expiry->refresh_expires_in == std::chrono::seconds(86400));
  CHECK(ReadTokenResponse(200, R"({"access_token":"at","token_type":"DPoP"})")->IsDpop());

  struct Row {
    long status;
    const char* body;
    AuthFailure failure;
    const char* message;
  };
  const Row rows[] = {
      {400, R"({"error":"invalid_grant","error_description":"revoked"})",
       AuthFailure::kCredentialsRejected,
       "the token endpoint refused: HTTP 400 invalid_grant: revoked"},
      {401, R"({"error":"invalid_client"})", AuthFailure::kCredentialsRejected,
       "the token endpoint refused: HTTP 401 invalid_client"},
      {400, R"({"error":"invalid_scope"})", AuthFailure::kTokenEndpoint,
       "the token endpoint refused: HTTP 400 invalid_scope"},
      {503, "<html>down</html>", AuthFailure::kUnreachable, "the token endpoint refused: HTTP 503"},
      {200, "[]", AuthFailure::kTokenEndpoint, "the token endpoint's answer is not a JSON object"},
      {200, R"({"token_type":"Bearer"})", AuthFailure::kTokenEndpoint,
       "the token endpoint's answer has no access_token"},
      {200, R"({"access_token":"a","token_type":"mac"})", AuthFailure::kTokenEndpoint,
       "the token endpoint issued token_type \"mac\" (Bearer or DPoP expected)"},
  };
  for (const Row& r : rows) {
    INFO(r.body);
    auto got = ReadTokenResponse(r.status, r.body);
    REQUIRE_FALSE(got);
    CHECK(got.error().failure == r.failure);
    CHECK(got.error().message == r.message);
  }
}

}  // namespace
}  // namespace mcpwatch
