#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "config/config.h"
#include "tests/unit/config/config_test_util.h"

namespace mcpwatch {
namespace {

using testing::ErrorsOf;
using testing::MustParse;

std::string TwelveTargets(const std::string& top) {
  std::string yaml = top + "targets:\n";
  for (int i = 0; i < 12; ++i) {
    yaml += "  - {name: t" + std::to_string(i) + ", url: 'https://mcp.example.com/mcp'}\n";
  }
  return yaml;
}

std::set<std::string> Names(const Config& c) {
  std::set<std::string> out;
  for (const auto& t : c.targets) out.insert(t.name);
  return out;
}

TEST_CASE("shard: each instance takes the targets whose name hashes to its index",
          "[config][shard]") {
  const Config all = MustParse(TwelveTargets(""));
  CHECK_FALSE(all.shard.enabled());
  CHECK(all.targets.size() == 12);
  CHECK(all.targets_in_file == 12);

  const Config zero = MustParse(TwelveTargets("shard: {index: 0, total: 2}\n"));
  const Config one = MustParse(TwelveTargets("shard: {index: 1, total: 2}\n"));
  CHECK(zero.shard.ToString() == "0/2");
  CHECK(zero.targets_in_file == 12);
  // md5 hashmod 2 (see hash_mod_test.cc): t1, t3, t7 and t10 go to shard 1.
  CHECK(Names(one) == std::set<std::string>{"t1", "t10", "t3", "t7"});
  std::set<std::string> both = Names(zero);
  for (const auto& n : Names(one)) CHECK(both.insert(n).second);  // disjoint
  CHECK(both == Names(all));                                      // and complete

  // Three shards also cover everything exactly once.
  std::set<std::string> thirds;
  std::size_t count = 0;
  for (int i = 0; i < 3; ++i) {
    const Config c =
        MustParse(TwelveTargets("shard: {index: " + std::to_string(i) + ", total: 3}\n"));
    count += c.targets.size();
    for (const auto& n : Names(c)) thirds.insert(n);
  }
  CHECK(count == 12);
  CHECK(thirds == Names(all));
}

TEST_CASE("shard: a silence may name a target of another shard", "[config][shard]") {
  // t0 hashes to shard 0; this instance is shard 1 and still reads the same file cleanly.
  const std::string yaml = TwelveTargets("shard: {index: 1, total: 2}\n") +
                           "alerting:\n  silences: [{target: t0, until: "
                           "\"2026-12-01T00:00:00Z\", rule: SchemaDrift}]\n";
  CHECK(ErrorsOf(yaml).empty());
}

TEST_CASE("shard: mistakes name the key", "[config][shard]") {
  struct Case {
    const char* top;
    const char* error;
  };
  for (const Case& c : {
           Case{"shard: {index: 2, total: 2}\n",
                "t.yaml:1:16: shard index 2 is not below total 2 (indexes run from 0 to "
                "total - 1)"},
           Case{"shard: {total: 2}\n",
                "t.yaml:1:8: missing key \"index\" in shard (e.g. shard: {index: 0, total: 2})"},
           Case{"shard: {index: 0, total: 0}\n", ""},
           Case{"shard: {index: 0, total: 2, hash: md5}\n", ""},
           Case{"shard: 2\n", ""},
       }) {
    INFO(c.top);
    const auto errors = ErrorsOf(TwelveTargets(c.top));
    REQUIRE(errors.size() == 1);
    if (*c.error != '\0') CHECK(errors[0] == c.error);
  }
}

TEST_CASE("a reload may not change listen, database, location or shard", "[config][shard]") {
  const Config running = MustParse(TwelveTargets("shard: {index: 0, total: 2}\n"));
  CHECK(RestartOnlyChange(running, running).empty());
  CHECK(RestartOnlyChange(running, MustParse(TwelveTargets("shard: {index: 1, total: 2}\n"))) ==
        "shard changed from \"0/2\" to \"1/2\": restart mcpwatch to apply it (the running config "
        "is kept)");
  CHECK(RestartOnlyChange(running, MustParse(TwelveTargets(""))).starts_with("shard changed"));
  CHECK(RestartOnlyChange(running, MustParse(TwelveTargets("shard: {index: 0, total: 2}\nlisten: "
                                                           "127.0.0.1:9000\n")))
            .starts_with("listen changed from \"127.0.0.1:9464\" to \"127.0.0.1:9000\""));
  CHECK(RestartOnlyChange(
            running, MustParse(TwelveTargets("shard: {index: 0, total: 2}\nlocation: eu-west\n")))
            .starts_with("location changed"));
  // Targets may change freely.
  CHECK(RestartOnlyChange(running, MustParse("shard: {index: 0, total: 2}\ntargets:\n  - {name: x, "
                                             "url: 'https://a.example/mcp'}\n"))
            .empty());
}

}  // namespace
}  // namespace mcpwatch
