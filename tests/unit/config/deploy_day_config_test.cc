// Issue 11's opt-in, per-target keys: health_url (and, as they come, the other deploy-day
// checks). Each is absent by default, parsed strictly, and refused with its line when wrong.
#include <catch2/catch.hpp>
#include <sstream>
#include <string_view>

#include "tests/unit/config/config_test_util.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using testing::ErrorsOf;
using testing::MustParse;

constexpr const char* kOneTarget = "targets:\n  - name: shop\n    url: https://a.example/mcp\n";

// kOneTarget plus more lines of the target (through a stream: GCC 12's -Warray-bounds misreads
// the inlined std::string + chains of the literal-heavy tests below).
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

std::string Target(std::string_view more) {
  return Cat(kOneTarget, more);
}

bool AnyContains(const std::vector<std::string>& errors, const std::string& text) {
  for (const std::string& e : errors) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("health_url is off by default and an http(s) URL per target", "[config][deploy]") {
  CHECK(MustParse(kOneTarget).targets[0].spec.health_url.empty());
  const Config c = MustParse(Target("    health_url: https://a.example/healthz\n"));
  CHECK(c.targets[0].spec.health_url == "https://a.example/healthz");

  auto bad = ErrorsOf(Target("    health_url: ftp://a.example/h\n"));
  INFO(bad.size());
  CHECK(AnyContains(bad, "bad health_url in target \"shop\""));
  CHECK(AnyContains(bad, ":4:"));  // the line of the key's value
  // A target key only: defaults do not take it.
  auto in_defaults = ErrorsOf(Cat("defaults: {health_url: http://a.example/h}\n", kOneTarget));
  CHECK(AnyContains(in_defaults, "health_url"));
}

TEST_CASE("rate_limit_check declares the limit, its window and the check's schedule",
          "[config][deploy]") {
  CHECK_FALSE(MustParse(kOneTarget).targets[0].rate_limit_check.has_value());
  const Config c =
      MustParse(Target("    rate_limit_check: {limit: 30, window: 60s, every: 1h, tool: "
                       "get_item, arguments: {id: 1}}\n"));
  REQUIRE(c.targets[0].rate_limit_check);
  const RateLimitSpec& s = *c.targets[0].rate_limit_check;
  CHECK(s.limit == 30);
  CHECK(s.window == 60s);
  CHECK(s.every == 1h);
  CHECK(s.tool.name == "get_item");
  CHECK(s.tool.arguments == nlohmann::json{{"id", 1}});
  // every defaults to an hour.
  CHECK(MustParse(Target("    rate_limit_check: {limit: 5, window: 10s, tool: echo}\n"))
            .targets[0]
            .rate_limit_check->every == 1h);

  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"{window: 60s, tool: t}", "missing key \"limit\""},
      {"{limit: 30, tool: t}", "missing key \"window\""},
      {"{limit: 30, window: 60s}", "missing key \"tool\""},
      {"{limit: 0, window: 60s, tool: t}", "limit"},
      {"{limit: 501, window: 60s, tool: t}", "limit"},
      {"{limit: 30, window: 2h, tool: t}", "must be between 1s and 1h"},
      {"{limit: 30, window: 60s, every: 60s, tool: t}", "must be longer than window"},
      {"{limit: 30, window: 60s, tool: t, burst: 3}", "burst"},
  };
  for (const Case& bad : cases) {
    INFO(bad.yaml);
    auto errors = ErrorsOf(Target(Cat("    rate_limit_check: ", bad.yaml, "\n")));
    CHECK(AnyContains(errors, bad.error));
  }
}

TEST_CASE("detection.rolling_deploy sets the grace (off by default) and the migration window",
          "[config][deploy]") {
  const Config plain = MustParse(kOneTarget);
  CHECK(plain.detection.rolling_deploy_grace == 0s);
  CHECK(plain.detection.migration_window == 5min);
  const Config c = MustParse(
      Cat("detection: {rolling_deploy: {grace: 2m, migration_window: 3m}}\n", kOneTarget));
  CHECK(c.detection.rolling_deploy_grace == 2min);
  CHECK(c.detection.migration_window == 3min);
  CHECK(AnyContains(ErrorsOf(Cat("detection: {rolling_deploy: {grace: 2h}}\n", kOneTarget)),
                    "must be at most 1h"));
  CHECK(AnyContains(ErrorsOf(Cat("detection: {rolling_deploy: {grase: 2m}}\n", kOneTarget)),
                    "grase"));
}

}  // namespace
}  // namespace mcpwatch
