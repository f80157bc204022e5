// Two `mcpwatch serve` instances reading the same target list with `shard` 0/2 and 1/2: each
// probes only the targets whose name hashes to its index (Prometheus' hashmod), together they
// probe every target exactly once, each labels its series with its shard, and a reload that
// would move the instance to another shard is refused (a restart re-shards).
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "base/digest.h"
#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;

namespace {

std::string WriteShardConfig(const TempDir& dir, const std::string& name, int port, int index,
                             const std::vector<std::string>& targets, const std::string& url) {
  const std::string path = dir.File(name + ".yaml");
  std::ofstream f(path);
  f << "listen: 127.0.0.1:" << port << "\n"
    << "database: " << dir.File(name + ".db") << "\n"
    << "shard: {index: " << index << ", total: 2}\n"
    << "defaults: {interval: 500ms, timeout: 400ms}\n"
    << "scheduler: {jitter: 0s}\n"
    << "targets:\n";
  for (const auto& t : targets) f << "  - {name: " << t << ", url: '" << url << "'}\n";
  return path;
}

std::set<std::string> Probed(const std::string& db) {
  std::set<std::string> out;
  for (const auto& [target, starts] : RunStartsByTarget(db)) {
    if (!starts.empty()) out.insert(target);
  }
  return out;
}

}  // namespace

TEST_CASE("two sharded daemons probe disjoint halves that cover every target", "[serve][shard]") {
  Fixture fixture;
  TempDir dir;
  std::vector<std::string> targets;
  std::set<std::string> expected[2];
  for (int i = 0; i < 12; ++i) {
    targets.push_back("t" + std::to_string(i));
    expected[*mcpwatch::HashMod(targets.back(), 2)].insert(targets.back());
  }
  REQUIRE(!expected[0].empty());
  REQUIRE(!expected[1].empty());

  const int ports[2] = {FreePort(), FreePort()};
  std::string configs[2];
  std::vector<Subprocess> daemons;
  for (int i = 0; i < 2; ++i) {
    configs[i] =
        WriteShardConfig(dir, "shard" + std::to_string(i), ports[i], i, targets, fixture.Url());
    daemons.push_back(StartDaemon(configs[i]));
    CHECK(daemons.back().Stdout().find("shard=" + std::to_string(i) + "/2 of 12") !=
          std::string::npos);
  }
  for (int i = 0; i < 2; ++i) {
    const std::string db = dir.File("shard" + std::to_string(i) + ".db");
    REQUIRE(Eventually([&] { return Probed(db).size() == expected[i].size(); }, 20s));
  }
  std::this_thread::sleep_for(1s);  // a few more runs: still nobody else's targets

  std::set<std::string> union_of;
  for (int i = 0; i < 2; ++i) {
    INFO("shard " << i);
    const std::set<std::string> probed = Probed(dir.File("shard" + std::to_string(i) + ".db"));
    CHECK(probed == expected[i]);
    for (const auto& t : probed) CHECK(union_of.insert(t).second);  // disjoint

    const std::string base = "http://127.0.0.1:" + std::to_string(ports[i]);
    const std::string metrics = HttpGet(base + "/metrics").body;
    for (const auto& t : targets) {
      const auto success = Metric(metrics, "probe_success", {{"target", t}});
      CHECK(success.has_value() == expected[i].contains(t));
      if (success) {
        CHECK(Metric(metrics, "probe_success", {{"target", t}, {"shard", std::to_string(i)}}));
      }
    }
    const std::string api = HttpGet(base + "/api/v1/targets").body;
    for (const auto& t : targets) {
      CHECK((api.find("\"" + t + "\"") != std::string::npos) == expected[i].contains(t));
    }
  }
  CHECK(union_of.size() == targets.size());  // together: every target

  // A reload that would move shard 1 onto shard 0's targets is refused; it keeps its own.
  {
    const std::string text = [&] {
      std::ifstream in(configs[1]);
      return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    std::ofstream(configs[1]) << std::regex_replace(text, std::regex("index: 1"), "index: 0");
  }
  daemons[1].Signal(SIGHUP);
  REQUIRE(daemons[1].WaitForLine("reload rejected: shard changed from \"1/2\" to \"0/2\"", 10s));
  const std::string metrics =
      HttpGet("http://127.0.0.1:" + std::to_string(ports[1]) + "/metrics").body;
  CHECK(Metric(metrics, "mcpwatch_config_last_reload_successful", {}) == 0);
  for (const auto& t : expected[0]) {
    CHECK_FALSE(Metric(metrics, "probe_success", {{"target", t}}).has_value());
  }
  for (auto& d : daemons) {
    d.Signal(SIGTERM);
    CHECK(d.Wait(20s) == 0);
  }
}
