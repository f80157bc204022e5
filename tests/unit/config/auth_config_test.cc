#include <catch2/catch.hpp>

#include "config/config.h"
#include "config_test_util.h"

namespace mcpwatch {
namespace {

using testing::ErrorsOf;
using testing::MustParse;

TEST_CASE("auth: per target, strict, secrets only by name", "[config][auth]") {
  Config c = MustParse(R"(
database: /var/lib/mcpwatch/h.db
defaults:
  auth: {type: oauth}
targets:
  - name: shop
    url: https://mcp.shop.example/mcp
    auth:
      type: client_credentials
      client_id: probe-1
      client_secret_file: secrets/shop
      scopes: [mcp:read, mcp:tools]
      dpop: true
  - name: docs
    url: https://docs.example/mcp
)");
  REQUIRE(c.targets.size() == 2);
  REQUIRE(c.targets[0].auth);
  const AuthConfig& a = *c.targets[0].auth;
  CHECK(a.type == AuthType::kClientCredentials);
  CHECK(a.client_id == "probe-1");
  CHECK(a.client_secret_file == "/etc/mcpwatch/secrets/shop");
  CHECK(a.scopes == std::vector<std::string>{"mcp:read", "mcp:tools"});
  CHECK(a.dpop);
  REQUIRE(c.targets[1].auth);  // from defaults
  CHECK(c.targets[1].auth->type == AuthType::kOAuth);
}

TEST_CASE("auth: mistakes name the key and never a secret", "[config][auth]") {
  const std::string head =
      "database: /tmp/h.db\ntargets:\n  - name: t\n    url: https://a.example/\n";
  struct Row {
    const char* auth;
    const char* error;
  };
  const Row rows[] = {
      {"    auth: {client_id: x}\n",
       "t.yaml:5:11: missing key \"type\" in auth of target \"t\" (oauth or client_credentials)"},
      {"    auth: {type: password}\n",
       "t.yaml:5:18: bad type \"password\" in auth of target \"t\" (use oauth or "
       "client_credentials)"},
      {"    auth: {type: oauth, secret: x}\n",
       "t.yaml:5:25: unknown key \"secret\" in auth of target \"t\""},
      {"    auth: {type: client_credentials, client_id: x}\n",
       "t.yaml:5:11: client_credentials needs client_id and client_secret_env, client_secret_file "
       "or private_key_file in auth of target \"t\""},
      {"    auth: {type: oauth, client_id: a, client_secret_env: 1X}\n",
       "t.yaml:5:58: client_secret_env in auth of target \"t\": \"1X\" is not an environment "
       "variable name"},
      {"    auth: {type: oauth, client_id: a, client_secret_env: A, client_secret_file: f}\n",
       "t.yaml:5:11: client_secret_env and client_secret_file are exclusive in auth of target "
       "\"t\""},
      {"    auth: {type: oauth, client_metadata_url: http://a.example/c.json}\n",
       "t.yaml:5:11: client_metadata_url must be an https URL in auth of target \"t\""},
      {"    auth: {type: oauth}\n    bearer_token_env: TOKEN\n",
       "t.yaml:3:5: auth and bearer_token_env/bearer_token_file are both set in target \"t\" "
       "(choose one)"},
  };
  for (const Row& r : rows) {
    INFO(r.auth);
    CHECK(ErrorsOf(head + r.auth) == std::vector<std::string>{r.error});
  }
}

}  // namespace
}  // namespace mcpwatch
