// `mcpwatch backup` while `mcpwatch serve` writes a run every 100 ms: each copy is a whole
// database that passes integrity_check, holds every run committed before the backup began,
// is one self-contained file, is not overwritten by accident, and serves as the history of a
// new daemon.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;

namespace {

std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  std::string verdict = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      verdict = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return verdict;
}

}  // namespace

TEST_CASE("backup copies the history while the daemon writes it", "[serve][backup]") {
  Fixture fixture;
  TempDir dir;
  std::vector<DaemonTarget> targets;
  for (const char* name : {"alpha", "beta", "gamma", "delta"}) {
    targets.push_back({name, fixture.Url(), ""});
  }
  const std::string config = WriteConfig(dir, FreePort(), targets, "400ms", "300ms");
  Subprocess daemon = StartDaemon(config);
  const std::string db = dir.File("history.db");
  REQUIRE(Eventually([&] { return TotalRuns(db) >= 8; }, 20s));

  const std::string dest = dir.File("backup.db");
  for (int i = 0; i < 3; ++i) {
    INFO("backup " << i);
    const int before = TotalRuns(db);
    auto out = RunProcess(
        {McpwatchBinary(), "backup", dest, "--config", config, "--force", "--json"}, 30s);
    INFO(out.out << out.err);
    REQUIRE(out.exit_code == 0);
    const auto report = nlohmann::json::parse(out.out);
    CHECK(report["integrity_check"] == "ok");
    CHECK(report["runs"].get<int>() >= before);
    CHECK(IntegrityCheck(dest) == "ok");
    CHECK(TotalRuns(dest) == report["runs"].get<int>());
    CHECK(TotalRuns(dest) >= before);
    for (const char* companion : {"-wal", "-shm", "-journal"}) {
      CHECK_FALSE(std::filesystem::exists(dest + companion));  // readers leave none either
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      CHECK(entry.path().filename().string().find(".partial-") == std::string::npos);
    }
    std::this_thread::sleep_for(500ms);  // the daemon commits more before the next copy
  }

  // DEST is never replaced by accident.
  const auto size = std::filesystem::file_size(dest);
  auto refused = RunProcess({McpwatchBinary(), "backup", dest, "--config", config}, 30s);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find(dest + " exists (pass --force to replace it)") != std::string::npos);
  CHECK(std::filesystem::file_size(dest) == size);
  auto no_dir = RunProcess(
      {McpwatchBinary(), "backup", dir.File("missing/backup.db"), "--config", config}, 30s);
  CHECK(no_dir.exit_code == 1);
  CHECK(no_dir.err.find("does not exist") != std::string::npos);

  daemon.Signal(SIGTERM);
  REQUIRE(daemon.Wait(20s) == 0);

  // Restoring is using the copy as the database: a new daemon and the CLI read it.
  TempDir restored_dir;
  std::filesystem::copy_file(dest, restored_dir.File("history.db"));
  const int restored_runs = TotalRuns(restored_dir.File("history.db"));
  const std::string restored_config =
      WriteConfig(restored_dir, FreePort(), targets, "400ms", "300ms");
  auto history = RunProcess(
      {McpwatchBinary(), "history", "alpha", "--config", restored_config, "--json"}, 30s);
  REQUIRE(history.exit_code == 0);
  CHECK(nlohmann::json::parse(history.out).size() > 0);
  Subprocess again = StartDaemon(restored_config);
  REQUIRE(
      Eventually([&] { return TotalRuns(restored_dir.File("history.db")) > restored_runs; }, 20s));
  again.Signal(SIGTERM);
  CHECK(again.Wait(20s) == 0);
}
