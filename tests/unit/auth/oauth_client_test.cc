// OAuthClient against a scripted authorization server and resource metadata (no sockets): the
// flows, what each request carries, and how failures are classed.
#include "auth/oauth_client.h"

#include <catch2/catch.hpp>
#include <functional>
#include <map>

#include "auth/pkce.h"
#include "base/encoding.h"

namespace mcpwatch {
namespace {

constexpr const char* kServer = "http://127.0.0.1:3000/mcp";
constexpr const char* kAs = "http://127.0.0.1:4000";
constexpr const char* kPrm = "http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp";
constexpr const char* kChallenge =
    R"(Bearer resource_metadata="http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp")";

struct Call {
  HttpCall call;
  FormFields form;  // the body (or query for GET) decoded
  std::string Field(const std::string& name) const {
    for (const auto& [k, v] : form) {
      if (k == name) return v;
    }
    return "";
  }
  std::string Header(std::string_view prefix) const {
    for (const auto& h : call.headers) {
      if (h.rfind(prefix, 0) == 0) return h.substr(prefix.size());
    }
    return "";
  }
};

// A scripted world: handlers by URL without query; every call recorded.
class FakeHttp final : public HttpTransport {
 public:
  using Handler = std::function<tl::expected<HttpReply, std::string>(const Call&)>;
  std::map<std::string, Handler> routes;
  std::vector<Call>* log = nullptr;

  tl::expected<HttpReply, std::string> Send(const HttpCall& call) override {
    Call c{call, {}};
    const auto q = call.url.find('?');
    c.form =
        FormDecode(call.method == HttpCall::Method::kPost
                       ? std::string_view(call.body)
                       : (q == std::string::npos ? "" : std::string_view(call.url).substr(q + 1)));
    log->push_back(c);
    auto it = routes.find(call.url.substr(0, q));
    if (it == routes.end()) return HttpReply{404, "not found", "text/plain", "", ""};
    return it->second(c);
  }
};

HttpReply Json(const nlohmann::json& doc, long status = 200) {
  return HttpReply{status, doc.dump(), "application/json", "", ""};
}

// An authorization server at `issuer` with dynamic registration, an unattended authorize
// endpoint (iss in the redirect) and a token endpoint that checks PKCE.
struct FakeAs {
  explicit FakeAs(std::string i) : issuer(std::move(i)) {}
  std::string issuer;
  std::string client_id = "dcr-client";
  std::string challenge;  // what the authorization request carried
  int registrations = 0;
  int authorizations = 0;

  void Install(FakeHttp& http, nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json meta = {{"issuer", issuer},
                           {"authorization_endpoint", issuer + "/authorize"},
                           {"token_endpoint", issuer + "/token"},
                           {"registration_endpoint", issuer + "/register"},
                           {"code_challenge_methods_supported", {"S256"}},
                           {"authorization_response_iss_parameter_supported", true}};
    meta.update(extra);
    http.routes[issuer + "/.well-known/oauth-authorization-server"] = [meta](const Call&) {
      return Json(meta);
    };
    http.routes[issuer + "/register"] = [this](const Call&) {
      ++registrations;
      return Json({{"client_id", client_id}, {"client_secret", "dcr-secret-value"}}, 201);
    };
    http.routes[issuer + "/authorize"] = [this](const Call& c) {
      ++authorizations;
      challenge = c.Field("code_challenge");
      return HttpReply{302, "", "",
                       c.Field("redirect_uri") + "?code=the-code&state=" +
                           PercentEncode(c.Field("state")) + "&iss=" + PercentEncode(issuer),
                       ""};
    };
    http.routes[issuer + "/token"] = [this](const Call& c) {
      if (c.Field("grant_type") == "authorization_code" &&
          S256(c.Field("code_verifier")) != challenge) {
        return Json({{"error", "invalid_grant"}}, 400);
      }
      return Json({{"access_token", "at-" + std::to_string(authorizations)},
                   {"token_type", "Bearer"},
                   {"expires_in", 60}});
    };
  }
};

struct World {
  std::vector<Call> log;
  FakeHttp* http = nullptr;
  std::unique_ptr<OAuthClient> client;

  explicit World(OAuthSettings settings = {}, std::function<void(FakeHttp&)> setup = {}) {
    auto fake = std::make_unique<FakeHttp>();
    fake->log = &log;
    http = fake.get();
    if (setup) setup(*fake);
    auto made = OAuthClient::Create(kServer, std::move(settings), std::move(fake));
    REQUIRE(made);
    client = std::move(*made);
  }
  std::vector<std::string> Urls() const {
    std::vector<std::string> out;
    for (const auto& c : log) out.push_back(c.call.url.substr(0, c.call.url.find('?')));
    return out;
  }
};

void ServePrm(FakeHttp& http, const std::string& as, nlohmann::json extra = {}) {
  nlohmann::json prm = {{"resource", kServer}, {"authorization_servers", {as}}};
  if (!extra.is_null()) prm.update(extra);
  http.routes[kPrm] = [prm](const Call&) { return Json(prm); };
}

auto Soon() {
  return std::chrono::steady_clock::now() + std::chrono::seconds(5);
}

TEST_CASE("authorization code: discovery, registration, PKCE, resource, iss", "[auth]") {
  FakeAs as(kAs);
  World w({}, [&](FakeHttp& h) {
    ServePrm(h, kAs, {{"scopes_supported", {"mcp:basic"}}});
    as.Install(h);
  });
  REQUIRE(w.client->OnChallenge(401, kChallenge, "", Soon()));
  CHECK(w.Urls() ==
        std::vector<std::string>{kPrm, std::string(kAs) + "/.well-known/oauth-authorization-server",
                                 std::string(kAs) + "/register", std::string(kAs) + "/authorize",
                                 std::string(kAs) + "/token"});
  const Call& authorize = w.log[3];
  CHECK(authorize.Field("response_type") == "code");
  CHECK(authorize.Field("client_id") == "dcr-client");
  CHECK(authorize.Field("code_challenge_method") == "S256");
  CHECK(authorize.Field("resource") == kServer);
  CHECK(authorize.Field("scope") == "mcp:basic");
  const Call& token = w.log[4];
  CHECK(token.Field("grant_type") == "authorization_code");
  CHECK(token.Field("resource") == kServer);
  CHECK(token.Field("client_id").empty());  // client_secret_basic: the id is in the header
  CHECK(DecodeBase64(token.Header("Authorization: Basic ")) == "dcr-client:dcr-secret-value");
  CHECK(w.client->bearer_token() == "at-1");
  CHECK(w.client->ResourceHeaders("POST", kServer) ==
        std::vector<std::string>{"Authorization: Bearer at-1"});
}

TEST_CASE("discovery refusals: resource mismatch, issuer mismatch, no S256, bad iss", "[auth]") {
  SECTION("the PRM names another resource") {
    World w({}, [](FakeHttp& h) {
      ServePrm(h, kAs, {{"resource", "https://evil.example.com/mcp"}});
    });
    auto got = w.client->OnChallenge(401, kChallenge, "", Soon());
    REQUIRE_FALSE(got);
    CHECK(got.error().failure == AuthFailure::kDiscovery);
    CHECK(w.log.size() == 1);  // nothing sent to any authorization server
  }
  SECTION("the AS metadata names another issuer") {
    FakeAs as(kAs);
    World w({}, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h, {{"issuer", "https://attacker.example.com"}});
    });
    auto got = w.client->OnChallenge(401, kChallenge, "", Soon());
    REQUIRE_FALSE(got);
    CHECK(got.error().failure == AuthFailure::kDiscovery);
    CHECK(as.registrations == 0);
    CHECK(as.authorizations == 0);
  }
  SECTION("no PKCE S256") {
    FakeAs as(kAs);
    World w({}, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h, {{"code_challenge_methods_supported", {"plain"}}});
    });
    auto got = w.client->OnChallenge(401, kChallenge, "", Soon());
    REQUIRE_FALSE(got);
    CHECK_THAT(got.error().message, Catch::Contains("does not advertise PKCE S256"));
    CHECK(as.authorizations == 0);
  }
  SECTION("the redirect's iss is wrong: the code never reaches the token endpoint") {
    FakeAs as(kAs);
    World w({}, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h);
      h.routes[std::string(kAs) + "/authorize"] = [](const Call& c) {
        return HttpReply{302, "", "",
                         c.Field("redirect_uri") +
                             "?code=x&state=" + PercentEncode(c.Field("state")) +
                             "&iss=https%3A%2F%2Fevil.example.com",
                         ""};
      };
    });
    auto got = w.client->OnChallenge(401, kChallenge, "", Soon());
    REQUIRE_FALSE(got);
    CHECK(got.error().failure == AuthFailure::kAuthorization);
    CHECK(w.Urls().back() == std::string(kAs) + "/authorize");
  }
}

TEST_CASE("metadata fallbacks: the root PRM, OpenID, and the 2025-03-26 defaults", "[auth]") {
  SECTION("PRM at the root and OpenID configuration under a tenant path") {
    const std::string tenant = std::string(kAs) + "/tenant1";
    World w({}, [&](FakeHttp& h) {
      h.routes["http://127.0.0.1:3000/.well-known/oauth-protected-resource"] = [&](const Call&) {
        return Json({{"resource", "http://127.0.0.1:3000"}, {"authorization_servers", {tenant}}});
      };
      h.routes[std::string(kAs) + "/tenant1/.well-known/openid-configuration"] = [&](const Call&) {
        return Json({{"issuer", tenant},
                     {"authorization_endpoint", tenant + "/authorize"},
                     {"token_endpoint", tenant + "/token"}});
      };
    });
    auto got = w.client->OnChallenge(401, "", "", Soon());
    REQUIRE_FALSE(got);  // no S256: it refuses, after finding the metadata in the right order
    CHECK_THAT(got.error().message, Catch::Contains("does not advertise PKCE S256"));
    CHECK(w.Urls() == std::vector<std::string>{
                          kPrm, "http://127.0.0.1:3000/.well-known/oauth-protected-resource",
                          std::string(kAs) + "/.well-known/oauth-authorization-server/tenant1",
                          std::string(kAs) + "/.well-known/openid-configuration/tenant1",
                          std::string(kAs) + "/tenant1/.well-known/openid-configuration"});
  }
  SECTION("no metadata anywhere: /authorize, /token, /register at the server's origin") {
    FakeAs as("http://127.0.0.1:3000");
    World w({}, [&](FakeHttp& h) {
      as.Install(h);
      h.routes.erase("http://127.0.0.1:3000/.well-known/oauth-authorization-server");
    });
    REQUIRE(w.client->OnChallenge(401, "Bearer", "", Soon()));
    CHECK(as.registrations == 1);
    CHECK(w.log.back().Field("resource") == kServer);
  }
}

TEST_CASE("client credentials: basic, post and private_key_jwt", "[auth]") {
  OAuthSettings s;
  s.type = AuthType::kClientCredentials;
  s.client_id = "svc";
  s.client_secret = "svc-secret";
  s.scopes = {"mcp:read"};
  FakeAs as(kAs);
  SECTION("client_secret_basic by default") {
    World w(s, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h);
    });
    REQUIRE(w.client->Authorize(Soon()));
    const Call& token = w.log.back();
    CHECK(token.Field("grant_type") == "client_credentials");
    CHECK(token.Field("scope") == "mcp:read");
    CHECK(token.Field("resource") == kServer);
    CHECK(DecodeBase64(token.Header("Authorization: Basic ")) == "svc:svc-secret");
    CHECK(as.registrations == 0);
    CHECK(as.authorizations == 0);
  }
  SECTION("client_secret_post when that is all the AS lists") {
    World w(s, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h, {{"token_endpoint_auth_methods_supported", {"client_secret_post"}}});
    });
    REQUIRE(w.client->Authorize(Soon()));
    CHECK(w.log.back().Field("client_id") == "svc");
    CHECK(w.log.back().Field("client_secret") == "svc-secret");
    CHECK(w.log.back().Header("Authorization: ").empty());
  }
  SECTION("without a client id it is a configuration error") {
    s.client_id.clear();
    auto made = OAuthClient::Create(kServer, s, std::make_unique<FakeHttp>());
    REQUIRE_FALSE(made);
    CHECK(made.error().failure == AuthFailure::kConfig);
  }
}

TEST_CASE("step-up unites scopes and stops at the retry limit", "[auth]") {
  FakeAs as(kAs);
  World w({}, [&](FakeHttp& h) {
    ServePrm(h, kAs);
    as.Install(h);
  });
  REQUIRE(
      w.client->OnChallenge(401, std::string(kChallenge) + R"(, scope="mcp:basic")", "", Soon()));
  const std::string more = R"(Bearer error="insufficient_scope", scope="mcp:write")";
  REQUIRE(w.client->OnChallenge(403, more, "", Soon()));
  CHECK(w.log.back().Field("grant_type") == "authorization_code");
  std::string scope;
  for (const auto& c : w.log) {
    if (c.call.url.find("/authorize") != std::string::npos) scope = c.Field("scope");
  }
  CHECK(scope == "mcp:basic mcp:write");
  REQUIRE(w.client->OnChallenge(403, more, "", Soon()));
  auto third = w.client->OnChallenge(403, more, "", Soon());
  REQUIRE_FALSE(third);
  CHECK(third.error().failure == AuthFailure::kInsufficientScope);
  CHECK(as.authorizations == 3);
  auto forbidden = w.client->OnChallenge(403, "", "", Soon());
  CHECK(forbidden.error().failure == AuthFailure::kCredentialsRejected);
}

TEST_CASE("a new authorization server gets a new registration, never the old client", "[auth]") {
  FakeAs as1(kAs);
  FakeAs as2("http://127.0.0.1:5000");
  as1.client_id = "as1-client";
  as2.client_id = "as2-client";
  std::string current = kAs;
  World w({}, [&](FakeHttp& h) {
    h.routes[kPrm] = [&](const Call&) {
      return Json({{"resource", kServer}, {"authorization_servers", {current}}});
    };
    as1.Install(h);
    as2.Install(h);
  });
  REQUIRE(w.client->OnChallenge(401, kChallenge, "", Soon()));
  current = as2.issuer;
  REQUIRE(w.client->OnChallenge(401, kChallenge, "", Soon()));
  CHECK(as1.registrations == 1);
  CHECK(as2.registrations == 1);
  for (const auto& c : w.log) {
    if (c.call.url.rfind(as2.issuer, 0) == 0) {
      CHECK(c.Field("client_id") != "as1-client");
      CHECK(DecodeBase64(c.Header("Authorization: Basic ")).value_or("").find("as1-client") ==
            std::string::npos);
    }
  }
  CHECK(w.client->token()->issuer == as2.issuer);
}

TEST_CASE("a refresh token is tried before a new grant", "[auth]") {
  FakeAs as(kAs);
  int refreshes = 0;
  World w({}, [&](FakeHttp& h) {
    ServePrm(h, kAs);
    as.Install(h);
    h.routes[std::string(kAs) + "/token"] = [&](const Call& c) {
      if (c.Field("grant_type") == "refresh_token") {
        ++refreshes;
        CHECK(c.Field("refresh_token") == "rt-1");
        CHECK(c.Field("resource") == kServer);
        return Json({{"access_token", "at-refreshed"}, {"token_type", "Bearer"}});
      }
      return Json({{"access_token", "at-1"}, {"token_type", "Bearer"}, {"refresh_token", "rt-1"}});
    };
  });
  REQUIRE(w.client->OnChallenge(401, kChallenge, "", Soon()));
  REQUIRE(w.client->OnChallenge(401, kChallenge, "", Soon()));
  CHECK(refreshes == 1);
  CHECK(as.authorizations == 1);
  CHECK(w.client->bearer_token() == "at-refreshed");
  CHECK(w.client->token()->tokens.refresh_token == "rt-1");
}

TEST_CASE("DPoP: proofs at the token endpoint with the AS nonce, DPoP scheme after", "[auth]") {
  OAuthSettings s;
  s.dpop = true;
  FakeAs as(kAs);
  int token_calls = 0;
  World w(s, [&](FakeHttp& h) {
    ServePrm(h, kAs);
    as.Install(h);
    h.routes[std::string(kAs) + "/token"] = [&](const Call& c) {
      ++token_calls;
      const std::string proof = c.Header("DPoP: ");
      REQUIRE_FALSE(proof.empty());
      const auto claims = nlohmann::json::parse(
          *DecodeBase64(proof.substr(proof.find('.') + 1, proof.rfind('.') - proof.find('.') - 1)));
      CHECK(claims["htm"] == "POST");
      CHECK(claims["htu"] == std::string(kAs) + "/token");
      if (!claims.contains("nonce")) {
        HttpReply r = Json({{"error", "use_dpop_nonce"}}, 400);
        r.dpop_nonce = "as-nonce";
        return r;
      }
      CHECK(claims["nonce"] == "as-nonce");
      return Json({{"access_token", "dpop-at"}, {"token_type", "DPoP"}});
    };
  });
  REQUIRE(w.client->OnChallenge(401, kChallenge, "", Soon()));
  CHECK(token_calls == 2);
  CHECK(w.client->uses_dpop());
  auto headers = w.client->ResourceHeaders("POST", kServer);
  REQUIRE(headers.size() == 2);
  CHECK(headers[0] == "Authorization: DPoP dpop-at");
  CHECK(headers[1].rfind("DPoP: ", 0) == 0);
  // The MCP server's nonce: no new grant, only the nonce in later proofs.
  const std::size_t calls = w.log.size();
  REQUIRE(w.client->OnChallenge(401, R"(DPoP error="use_dpop_nonce")", "rs-nonce", Soon()));
  CHECK(w.log.size() == calls);
  const std::string proof = w.client->ResourceHeaders("POST", kServer)[1].substr(6);
  const auto claims = nlohmann::json::parse(
      *DecodeBase64(proof.substr(proof.find('.') + 1, proof.rfind('.') - proof.find('.') - 1)));
  CHECK(claims["nonce"] == "rs-nonce");
  CHECK(claims["ath"] == S256("dpop-at"));
}

TEST_CASE("failures are classed, and no secret reaches a message", "[auth]") {
  SECTION("an authorization server that echoes the secret") {
    OAuthSettings s;
    s.type = AuthType::kClientCredentials;
    s.client_id = "svc";
    s.client_secret = "canary-secret-4711";
    FakeAs as(kAs);
    World w(s, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h);
      h.routes[std::string(kAs) + "/token"] = [](const Call&) {
        return Json(
            {{"error", "invalid_client"}, {"error_description", "bad secret canary-secret-4711"}},
            401);
      };
    });
    auto got = w.client->Authorize(Soon());
    REQUIRE_FALSE(got);
    CHECK(got.error().failure == AuthFailure::kCredentialsRejected);
    CHECK(got.error().message.find("canary-secret-4711") == std::string::npos);
    CHECK_THAT(got.error().message, Catch::Contains("[redacted]"));
  }
  SECTION("an unreachable authorization server is an outage") {
    World w({}, [](FakeHttp& h) {
      ServePrm(h, kAs);
      h.routes[std::string(kAs) + "/.well-known/oauth-authorization-server"] = [](const Call&) {
        return tl::expected<HttpReply, std::string>(
            tl::unexpected(std::string("Failed to connect")));
      };
    });
    auto got = w.client->OnChallenge(401, kChallenge, "", Soon());
    REQUIRE_FALSE(got);
    CHECK(got.error().failure == AuthFailure::kUnreachable);
  }
  SECTION("an authorization endpoint that shows a login page needs a person") {
    FakeAs as(kAs);
    World w({}, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h);
      h.routes[std::string(kAs) + "/authorize"] = [](const Call&) {
        return HttpReply{200, "<form>", "text/html", "", ""};
      };
    });
    auto got = w.client->OnChallenge(401, kChallenge, "", Soon());
    REQUIRE_FALSE(got);
    CHECK(got.error().failure == AuthFailure::kNeedsPerson);
  }
  SECTION("a Client ID Metadata Document URL replaces registration when supported") {
    OAuthSettings s;
    s.client_metadata_url = "https://mcpwatch.example/client.json";
    FakeAs as(kAs);
    World w(s, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h, {{"client_id_metadata_document_supported", true}});
    });
    REQUIRE(w.client->OnChallenge(401, kChallenge, "", Soon()));
    CHECK(as.registrations == 0);
    CHECK(w.log.back().Field("client_id") == "https://mcpwatch.example/client.json");
  }
}

// The daemon's renewals (issue 13): a token stored by `auth login` is refreshed at its issuer
// with the client it was issued to; a refused refresh token or no token at all asks for a
// person and never starts an authorization code grant on its own.
StoredToken Stored() {
  StoredToken t;
  t.url = kServer;
  t.issuer = kAs;
  t.resource = kServer;
  t.client_id = "dcr-client";
  t.client_secret = "dcr-secret-value";
  t.token_endpoint_auth_method = "client_secret_post";
  t.access_token = "at-stored";
  t.token_type = "Bearer";
  t.refresh_token = "rt-stored";
  t.obtained_at = std::chrono::system_clock::now() - std::chrono::seconds(50);
  t.expires_at = *t.obtained_at + std::chrono::seconds(60);
  return t;
}

OAuthSettings Daemon() {
  OAuthSettings s;
  s.code_grant = false;
  return s;
}

TEST_CASE("renewal: a restored token is refreshed at its issuer and exported back", "[auth]") {
  FakeAs as(kAs);
  World w(Daemon(), [&](FakeHttp& h) {
    as.Install(h);
    h.routes[std::string(kAs) + "/token"] = [](const Call& c) {
      CHECK(c.Field("grant_type") == "refresh_token");
      CHECK(c.Field("refresh_token") == "rt-stored");
      CHECK(c.Field("client_id") == "dcr-client");
      CHECK(c.Field("client_secret") == "dcr-secret-value");
      CHECK(c.Field("resource") == kServer);
      return Json({{"access_token", "at-new"},
                   {"token_type", "Bearer"},
                   {"expires_in", 60},
                   {"refresh_token", "rt-rotated"},
                   {"refresh_token_expires_in", 86400}});
    };
  });
  REQUIRE(w.client->Restore(Stored()));
  CHECK(w.client->bearer_token() == "at-stored");
  REQUIRE(w.client->token()->expires_at());
  auto renewed = w.client->Renew(Soon());
  INFO((renewed ? "" : renewed.error().message));
  REQUIRE(renewed);
  CHECK(w.client->bearer_token() == "at-new");
  CHECK(w.Urls() ==
        std::vector<std::string>{std::string(kAs) + "/.well-known/oauth-authorization-server",
                                 std::string(kAs) + "/token"});
  CHECK(as.registrations == 0);
  CHECK(as.authorizations == 0);
  auto out = w.client->Export();
  REQUIRE(out);
  CHECK(out->refresh_token == "rt-rotated");
  CHECK(out->client_id == "dcr-client");
  CHECK(out->client_secret == "dcr-secret-value");
  REQUIRE(out->refresh_expires_at);
  CHECK(*out->refresh_expires_at > std::chrono::system_clock::now() + std::chrono::hours(23));
  auto credential = w.client->Credential();
  REQUIRE(credential);
  CHECK(credential->Headers("POST", kServer) ==
        std::vector<std::string>{"Authorization: Bearer at-new"});
}

TEST_CASE("renewal: a refused refresh token asks for a person, never a grant of its own",
          "[auth]") {
  FakeAs as(kAs);
  World w(Daemon(), [&](FakeHttp& h) {
    ServePrm(h, kAs);
    as.Install(h);
    h.routes[std::string(kAs) + "/token"] = [](const Call&) {
      return Json({{"error", "invalid_grant"}, {"error_description", "revoked rt-stored"}}, 400);
    };
  });
  REQUIRE(w.client->Restore(Stored()));
  auto renewed = w.client->Renew(Soon());
  REQUIRE_FALSE(renewed);
  CHECK(renewed.error().failure == AuthFailure::kCredentialsRejected);
  CHECK_THAT(renewed.error().message, Catch::Contains("invalid_grant") &&
                                          Catch::Contains("mcpwatch auth login") &&
                                          !Catch::Contains("rt-stored"));
  CHECK(as.authorizations == 0);
  CHECK(as.registrations == 0);
}

TEST_CASE("renewal: type oauth without a token needs a person, client_credentials does not",
          "[auth]") {
  SECTION("oauth") {
    FakeAs as(kAs);
    World w(Daemon(), [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h);
    });
    auto renewed = w.client->Renew(Soon());
    REQUIRE_FALSE(renewed);
    CHECK(renewed.error().failure == AuthFailure::kNeedsPerson);
    CHECK_THAT(renewed.error().message, Catch::Contains("mcpwatch auth login"));
    CHECK(as.authorizations == 0);
  }
  SECTION("client_credentials") {
    OAuthSettings s = Daemon();
    s.type = AuthType::kClientCredentials;
    s.client_id = "svc";
    s.client_secret = "svc-secret";
    FakeAs as(kAs);
    World w(s, [&](FakeHttp& h) {
      ServePrm(h, kAs);
      as.Install(h);
    });
    REQUIRE(w.client->Renew(Soon()));
    REQUIRE(w.client->Renew(Soon()));  // no refresh token: a new grant each time
    int grants = 0;
    for (const auto& c : w.log) grants += c.Field("grant_type") == "client_credentials";
    CHECK(grants == 2);
  }
}

TEST_CASE("auth login: a user agent brings the browser's redirect back, state checked", "[auth]") {
  FakeAs as(kAs);
  OAuthSettings s;
  std::string seen_url;
  bool tamper = false;
  s.user_agent =
      [&](const std::string& url,
          std::chrono::steady_clock::time_point) -> tl::expected<AuthorizationResponse, AuthError> {
    seen_url = url;
    FormFields query = FormDecode(std::string_view(url).substr(url.find('?') + 1));
    AuthorizationResponse r;
    r.code = "the-code";
    r.iss = std::string(kAs);
    for (const auto& [k, v] : query) {
      if (k == "state") r.state = tamper ? "forged" : v;
      if (k == "code_challenge") as.challenge = v;
    }
    return r;
  };
  World w(s, [&](FakeHttp& h) {
    ServePrm(h, kAs);
    as.Install(h);
  });
  REQUIRE(w.client->Authorize(Soon()));
  CHECK_THAT(seen_url, Catch::StartsWith(std::string(kAs) + "/authorize?") &&
                           Catch::Contains("code_challenge_method=S256"));
  CHECK(as.authorizations == 0);  // the person's browser went there, not the client
  CHECK(w.client->has_token());
  tamper = true;
  World w2(s, [&](FakeHttp& h) {
    ServePrm(h, kAs);
    as.Install(h);
  });
  auto forged = w2.client->Authorize(Soon());
  REQUIRE_FALSE(forged);
  CHECK(forged.error().failure == AuthFailure::kAuthorization);
}

}  // namespace
}  // namespace mcpwatch
