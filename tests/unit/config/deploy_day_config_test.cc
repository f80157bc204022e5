// Issue 11's opt-in, per-target keys: health_url (and, as they come, the other deploy-day
// checks). Each is absent by default, parsed strictly, and refused with its line when wrong.
#include <catch2/catch.hpp>

#include "tests/unit/config/config_test_util.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using testing::ErrorsOf;
using testing::MustParse;

constexpr const char* kOneTarget = "targets:\n  - name: shop\n    url: https://a.example/mcp\n";

bool AnyContains(const std::vector<std::string>& errors, const std::string& text) {
  for (const std::string& e : errors) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("health_url is off by default and an http(s) URL per target", "[config][deploy]") {
  CHECK(MustParse(kOneTarget).targets[0].spec.health_url.empty());
  const Config c =
      MustParse(std::string(kOneTarget) + "    health_url: https://a.example/healthz\n");
  CHECK(c.targets[0].spec.health_url == "https://a.example/healthz");

  auto bad = ErrorsOf(std::string(kOneTarget) + "    health_url: ftp://a.example/h\n");
  INFO(bad.size());
  CHECK(AnyContains(bad, "bad health_url in target \"shop\""));
  CHECK(AnyContains(bad, ":4:"));  // the line of the key's value
  // A target key only: defaults do not take it.
  auto in_defaults =
      ErrorsOf(std::string("defaults: {health_url: http://a.example/h}\n") + kOneTarget);
  CHECK(AnyContains(in_defaults, "health_url"));
}

}  // namespace
}  // namespace mcpwatch
