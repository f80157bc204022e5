#include "config/target_rules.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

TEST_CASE("ParseHeaderLine splits 'Name: value' by the config file's header rules",
          "[config][rules]") {
  auto ok = ParseHeaderLine("X-Probe:   mcpwatch 1");
  REQUIRE(ok);
  CHECK(ok->first == "X-Probe");
  CHECK(ok->second == "mcpwatch 1");
  auto empty_value = ParseHeaderLine("X-Empty:");
  REQUIRE(empty_value);
  CHECK(empty_value->second.empty());
  for (const char* bad : {"NoColon", ": value", "Bad Name: v", "X(y): v"}) {
    INFO(bad);
    auto r = ParseHeaderLine(bad);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error(), Catch::Contains("'Name: value'"));
  }
  auto newline = ParseHeaderLine("X-Split: a\r\nInjected: b");
  REQUIRE_FALSE(newline);
  CHECK(newline.error() == "header \"X-Split\" contains a newline");
  CHECK(newline.error().find("Injected") == std::string::npos);
}

TEST_CASE("CheckExpectText and CheckToolArguments", "[config][rules]") {
  CHECK(CheckExpectText("^echo: hi$").empty());
  CHECK_FALSE(CheckExpectText("(unclosed").empty());
  CHECK(CheckToolArguments(nlohmann::json::object()).empty());
  CHECK(CheckToolArguments(nlohmann::json::array()) == "must be a JSON object");
  CHECK(CheckHeaderValue("plain").empty());
  CHECK(CheckHeaderValue("a\nb") == "contains a newline");
}

TEST_CASE("names", "[config][rules]") {
  CHECK(IsEnvVarName("SHOP_TOKEN"));
  CHECK_FALSE(IsEnvVarName("1TOKEN"));
  CHECK(IsHeaderName("X-Api-Key"));
  CHECK_FALSE(IsHeaderName("X Api"));
  CHECK(IsTargetName("shop-api.v2"));
  CHECK_FALSE(IsTargetName(std::string(65, 'a')));
  CHECK(IsLabelName("team"));
  CHECK_FALSE(IsLabelName("team-name"));
}

}  // namespace
}  // namespace mcpwatch
