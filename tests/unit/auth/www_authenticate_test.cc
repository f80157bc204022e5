#include "auth/www_authenticate.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

TEST_CASE("WWW-Authenticate challenges parse as RFC 9110 lists them", "[auth]") {
  auto c = ParseWwwAuthenticate(
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");
  REQUIRE(c);
  REQUIRE(c->size() == 2);
  CHECK((*c)[0].scheme == "newauth");
  CHECK(*(*c)[0].Param("realm") == "apps");
  CHECK(*(*c)[0].Param("type") == "1");
  CHECK(*(*c)[0].Param("title") == "Login to \"apps\"");
  CHECK((*c)[1].scheme == "basic");
  CHECK(*(*c)[1].Param("realm") == "simple");
}

TEST_CASE("WWW-Authenticate: token68, bare schemes, case and spacing", "[auth]") {
  struct Row {
    const char* header;
    std::size_t challenges;
    const char* first_scheme;
    const char* token68;
  };
  const Row rows[] = {
      {"Bearer", 1, "bearer", ""},
      {"Basic dXNlcjpwYXNz", 1, "basic", "dXNlcjpwYXNz"},
      {"Negotiate abc==, Bearer realm=x", 2, "negotiate", "abc=="},
      {"BEARER , DPoP algs=\"ES256\"", 2, "bearer", ""},
      {"  Bearer   realm = \"x\" ,  scope=\"a b\"  ", 1, "bearer", ""},
  };
  for (const Row& r : rows) {
    INFO(r.header);
    auto c = ParseWwwAuthenticate(r.header);
    REQUIRE(c);
    CHECK(c->size() == r.challenges);
    CHECK((*c)[0].scheme == r.first_scheme);
    CHECK((*c)[0].token68 == r.token68);
  }
}

TEST_CASE("WWW-Authenticate errors say what broke and never throw", "[auth]") {
  struct Row {
    std::string header;
    const char* error;
  };
  const Row rows[] = {
      {"", "WWW-Authenticate is empty"},
      {"Bearer realm=\"open", "WWW-Authenticate: unterminated quoted string"},
      {"Bearer a=\"1\", b=", "WWW-Authenticate: parameter b has no value at byte 16"},
      {"Bearer a=\"1\" b=2", "WWW-Authenticate: expected ',' after a parameter at byte 13"},
      {"=x", "WWW-Authenticate: expected a scheme at byte 0"},
      {std::string(kMaxHeaderBytes + 1, 'a'), "WWW-Authenticate is longer than 8192 bytes"},
  };
  for (const Row& r : rows) {
    INFO(r.header.substr(0, 40));
    auto c = ParseWwwAuthenticate(r.header);
    REQUIRE_FALSE(c);
    CHECK(c.error() == r.error);
  }
  std::string many;
  for (int i = 0; i < 40; ++i) many += "p" + std::to_string(i) + "=1, ";
  CHECK(ParseWwwAuthenticate("Bearer " + many).error() ==
        "WWW-Authenticate: a challenge holds more than 32 parameters");
  std::string schemes;
  for (int i = 0; i < 9; ++i) schemes += "S" + std::to_string(i) + ", ";
  CHECK(ParseWwwAuthenticate(schemes).error() == "WWW-Authenticate holds more than 8 challenges");
}

TEST_CASE("the resource challenge is the first Bearer or DPoP challenge", "[auth]") {
  auto c = ReadResourceChallenge(
      R"(Basic realm="x", Bearer error="insufficient_scope", scope="files:read files:write", )"
      R"(resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", )"
      R"(error_description="Additional file write permission required")");
  REQUIRE(c);
  CHECK(c->scheme == "bearer");
  CHECK(c->error == "insufficient_scope");
  CHECK(c->scope == "files:read files:write");
  CHECK(c->resource_metadata == "https://mcp.example.com/.well-known/oauth-protected-resource");
  CHECK(c->error_description == "Additional file write permission required");

  auto dpop = ReadResourceChallenge(R"(DPoP error="use_dpop_nonce", resource_metadata="u")");
  REQUIRE(dpop);
  CHECK(dpop->scheme == "dpop");
  CHECK(dpop->error == "use_dpop_nonce");
  CHECK_FALSE(dpop->scope.has_value());

  CHECK_FALSE(ReadResourceChallenge("Basic realm=\"x\""));
  CHECK_FALSE(ReadResourceChallenge("Bearer realm=\"x"));
}

}  // namespace
}  // namespace mcpwatch
