#include <catch2/catch.hpp>

#include "config/config.h"

namespace mcpwatch {
namespace {

TEST_CASE("examples/mcpwatch.yaml loads", "[config][example]") {
  const std::string path = MCPWATCH_SOURCE_DIR "/examples/mcpwatch.yaml";
  const auto config = LoadConfig(path);
  if (!config) {
    for (const ConfigError& e : config.error()) UNSCOPED_INFO(ToString(e));
  }
  REQUIRE(config.has_value());
  CHECK(config->source_path == path);
  CHECK(config->database == MCPWATCH_SOURCE_DIR "/examples/data/mcpwatch.db");
  CHECK(config->content_hash.size() == 64);
  REQUIRE(config->targets.size() == 3);
  const TargetConfig& shop = config->targets[1];
  CHECK(shop.name == "shop");
  CHECK(shop.interval == std::chrono::seconds(30));
  CHECK(shop.spec.transport == TransportChoice::kStreamableHttp);
  REQUIRE(shop.spec.tool_call.has_value());
  CHECK(shop.spec.tool_call->arguments == nlohmann::json{{"id", 1}});
  CHECK(shop.spec.health_url == "https://mcp.example.com/healthz");
  REQUIRE(shop.rate_limit_check.has_value());
  CHECK(shop.rate_limit_check->limit == 30);
  CHECK(shop.labels ==
        std::map<std::string, std::string>{{"env", "production"}, {"team", "payments"}});
  CHECK(config->alerting.notifiers.size() == 4);
  CHECK(config->alerting.routes.size() == 2);
}

}  // namespace
}  // namespace mcpwatch
