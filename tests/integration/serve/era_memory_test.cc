// The daemon remembers each target's era (issue 13): a legacy server costs one server/discover
// round trip once, not per run, and not again after a restart; a dual-era server is probed as
// modern on every run with no initialize at all.
#include <csignal>
#include <fstream>

#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;

namespace {

int Count(const std::string& log_path, const std::string& method) {
  std::ifstream log(log_path);
  int n = 0;
  std::string line;
  while (std::getline(log, line)) {
    auto entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_object() && entry["jsonrpc_method"] == method) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("serve: a legacy server pays era detection once, across runs and a restart",
          "[serve][era]") {
  TempDir dir;
  const std::string log = dir.File("requests.jsonl");
  Fixture legacy({"--requests-log", log});
  const std::string db = dir.File("history.db");
  const std::string config = WriteConfig(dir, FreePort(), {{"legacy", legacy.Url(), ""}});
  {
    Subprocess daemon = StartDaemon(config);
    REQUIRE(Eventually([&] { return TotalRuns(db) >= 4; }, 30s));
    daemon.Signal(SIGTERM);
    REQUIRE(daemon.Wait(20s).has_value());
  }
  const int runs_before = TotalRuns(db);
  CHECK(Count(log, "server/discover") == 1);
  CHECK(Count(log, "initialize") == runs_before);
  CHECK(ClassCounts(db)["legacy"]["ok"] == runs_before);

  Subprocess daemon = StartDaemon(config);
  REQUIRE(Eventually([&] { return TotalRuns(db) >= runs_before + 2; }, 30s));
  daemon.Signal(SIGTERM);
  REQUIRE(daemon.Wait(20s).has_value());
  CHECK(Count(log, "server/discover") == 1);  // the restored history still knows the era
  CHECK(Count(log, "initialize") == TotalRuns(db));
}

TEST_CASE("serve: a dual-era server is probed as modern on every run", "[serve][era]") {
  TempDir dir;
  const std::string log = dir.File("requests.jsonl");
  Fixture dual({"--protocol-era", "both", "--requests-log", log});
  const std::string db = dir.File("history.db");
  Subprocess daemon = StartDaemon(WriteConfig(dir, FreePort(), {{"dual", dual.Url(), ""}}));
  REQUIRE(Eventually([&] { return TotalRuns(db) >= 3; }, 30s));
  daemon.Signal(SIGTERM);
  REQUIRE(daemon.Wait(20s).has_value());
  CHECK(Count(log, "initialize") == 0);
  CHECK(Count(log, "server/discover") == TotalRuns(db));
  CHECK(ClassCounts(db)["dual"]["ok"] == TotalRuns(db));
}
