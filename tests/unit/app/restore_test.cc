// RestoreFromHistory against a real SQLite file written by the real writer: what a restarted
// daemon gets back, and that it reads no more baseline samples than a tracker keeps.
#include "app/restore.h"

#include <catch2/catch.hpp>

#include "alerts/build_snapshot.h"
#include "storage/migrations.h"
#include "storage/records.h"
#include "storage/writer.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using storage::testing::At;
using storage::testing::MakeResult;
using storage::testing::ScratchDir;

constexpr int64_t kNowMs = 1'750'000'000'000;  // a fixed "now" (June 2025)
constexpr milliseconds kWeek = hours(24 * 7);

void Write(const std::filesystem::path& path, const std::vector<ProbeResult>& results,
           std::vector<storage::WriteFn> writes = {}) {
  auto db = storage::OpenForWriting(path);
  REQUIRE(db);
  storage::WriterOptions options;
  options.retention_interval = minutes(0);
  auto writer = storage::HistoryWriter::Start(std::move(*db), options);
  for (const auto& r : results) {
    while (!writer->Enqueue(r)) REQUIRE(writer->Flush());
  }
  for (auto& w : writes) REQUIRE(writer->Submit(std::move(w)));
  REQUIRE(writer->Flush());
  writer->Stop();
}

TEST_CASE("a stored run comes back with its protocol era") {
  storage::RunRow row;
  row.target = "shop";
  row.protocol_version = "2026-07-28";
  CHECK(FromRunRow(row).transcript.era == ProtocolEra::kModern);
  row.protocol_version = "2025-06-18";
  CHECK(FromRunRow(row).transcript.era == ProtocolEra::kLegacy);
  row.protocol_version = "";  // initialize never passed
  CHECK(FromRunRow(row).transcript.era == ProtocolEra::kLegacy);
}

storage::HistoryReader OpenReader(const std::filesystem::path& path) {
  auto reader = storage::HistoryReader::Open(path);
  REQUIRE(reader);
  return std::move(*reader);
}

// `n` runs of `target`, one a minute up to a minute before now; `slow_first` of them (the
// oldest) take 900 ms, the rest 20 ms.
std::vector<ProbeResult> OkRuns(const std::string& target, int n, int slow_first) {
  std::vector<ProbeResult> runs;
  for (int i = 0; i < n; ++i) {
    Micros total = i < slow_first ? Micros(900'000) : Micros(20'000);
    runs.push_back(MakeResult(target, At(kNowMs - (n - i) * 60'000), FailureClass::kOk, total));
  }
  return runs;
}

TEST_CASE("restore feeds each baseline at most the tracker's capacity", "[app][restore]") {
  ScratchDir dir;
  auto runs = OkRuns("big", 300, 172);
  auto small = OkRuns("small", 300, 0);
  runs.insert(runs.end(), small.begin(), small.end());
  // The 172 oldest runs of "big" get steps no parser accepts: restore must never read them.
  std::vector<storage::WriteFn> writes;
  writes.push_back([](storage::Database& db) {
    return db.Exec("UPDATE runs SET steps = 'damaged' WHERE started_at < " +
                   std::to_string(kNowMs - 128 * 60'000) +
                   " AND target_id = (SELECT id FROM targets WHERE name = 'big')");
  });
  Write(dir / "h.db", runs, std::move(writes));

  std::map<std::string, std::unique_ptr<TargetTracker>> trackers;
  trackers.emplace("big", std::make_unique<TargetTracker>("big", TrackerPolicy{}));
  TrackerPolicy tiny;
  tiny.baseline.capacity = 16;
  trackers.emplace("small", std::make_unique<TargetTracker>("small", tiny));
  trackers.emplace("new", std::make_unique<TargetTracker>("new", TrackerPolicy{}));
  REQUIRE(trackers.at("big")->baseline_capacity() == 128);

  auto reader = OpenReader(dir / "h.db");
  auto restored = RestoreFromHistory(reader, trackers, At(kNowMs), kWeek);
  REQUIRE(restored);

  PhaseBaseline big = trackers.at("big")->baseline(BaselinePhase::kTotal);
  CHECK(big.samples == 128);
  CHECK(big.median == Micros(20'000));  // the newest 128 runs, none of the 172 slow ones
  auto damaged = reader.SuccessfulLatencies("big", At(kNowMs) - kWeek, 129);
  REQUIRE_FALSE(damaged);  // one row more than the ring keeps would have been a damaged one
  CHECK(trackers.at("big")->baseline(BaselinePhase::kInitialize).samples == 128);
  CHECK(trackers.at("small")->baseline(BaselinePhase::kTotal).samples == 16);
  CHECK(trackers.at("new")->baseline(BaselinePhase::kTotal).samples == 0);
  CHECK(restored->runs.at({"big", FailureClass::kOk}) == 300);
  CHECK(restored->last_runs.at("big").started_at == At(kNowMs - 60'000));
  CHECK(restored->last_runs.count("new") == 0);
}

TEST_CASE("restore brings back each target's own state and recent classes", "[app][restore]") {
  ScratchDir dir;
  std::vector<ProbeResult> runs;
  const FailureClass a_classes[] = {FailureClass::kOk, FailureClass::kToolError,
                                    FailureClass::kConnectionRefused};
  for (int i = 0; i < 3; ++i) {
    runs.push_back(MakeResult("a", At(kNowMs - (3 - i) * 60'000), a_classes[i]));
    runs.push_back(MakeResult("b", At(kNowMs - (3 - i) * 60'000), FailureClass::kOk));
  }
  std::vector<storage::WriteFn> writes;
  writes.push_back([](storage::Database& db) {
    return storage::SetTargetState(db, "a", "down", At(kNowMs - 90'000), "{}");
  });
  writes.push_back([](storage::Database& db) {
    return storage::SetTargetState(db, "b", "up", At(kNowMs - 170'000), "{}");
  });
  Write(dir / "h.db", runs, std::move(writes));

  std::map<std::string, std::unique_ptr<TargetTracker>> trackers;
  for (const char* name : {"a", "b", "c"}) {
    trackers.emplace(name, std::make_unique<TargetTracker>(name, TrackerPolicy{}));
  }
  auto reader = OpenReader(dir / "h.db");
  REQUIRE(RestoreFromHistory(reader, trackers, At(kNowMs), kWeek));

  const TargetTracker& a = *trackers.at("a");
  CHECK(a.state() == TargetState::kDown);
  CHECK(a.state_since() == At(kNowMs - 90'000));
  CHECK(a.recent_classes() ==
        std::vector<FailureClass>(std::begin(a_classes), std::end(a_classes)));
  const TargetTracker& b = *trackers.at("b");
  CHECK(b.state() == TargetState::kUp);
  CHECK(b.state_since() == At(kNowMs - 170'000));
  CHECK(b.recent_classes() == std::vector<FailureClass>(3, FailureClass::kOk));
  CHECK(trackers.at("c")->recent_classes().empty());
}

TEST_CASE("restore counts every stored event, beyond one query's row limit", "[app][restore]") {
  ScratchDir dir;
  constexpr int kDeploys = storage::kMaxQueryLimit + 25;
  std::vector<storage::WriteFn> writes;
  writes.push_back([](storage::Database& db) -> tl::expected<void, std::string> {
    for (int i = 0; i < kDeploys; ++i) {
      auto done = storage::InsertEvent(db, "a", At(kNowMs - 1'000'000 + i), "deploy", "{}");
      if (!done) return done;
    }
    return storage::InsertEvent(db, "b", At(kNowMs - 5'000), "crash_loop", "{}");
  });
  writes.push_back([](storage::Database& db) {  // counted whatever its age
    return storage::InsertEvent(db, "b", At(0), "crash_loop", "{}");
  });
  Write(dir / "h.db", {}, std::move(writes));

  std::map<std::string, std::unique_ptr<TargetTracker>> trackers;
  auto reader = OpenReader(dir / "h.db");
  auto restored = RestoreFromHistory(reader, trackers, At(kNowMs), kWeek);
  REQUIRE(restored);
  CHECK(restored->events.at({"a", EventKind::kDeploy}) == kDeploys);
  CHECK(restored->events.at({"b", EventKind::kCrashLoop}) == 2);
  CHECK(restored->events.size() == 2);
}

TEST_CASE("restore gives each tracker its last run and the last hour of events it remembers",
          "[app][restore]") {
  ScratchDir dir;
  const std::vector<ProbeResult> runs = {
      MakeResult("a", At(kNowMs - 120'000), FailureClass::kOk),
      MakeResult("a", At(kNowMs - 60'000), FailureClass::kToolError),
      MakeResult("b", At(kNowMs - 60'000), FailureClass::kOk),
  };
  std::vector<storage::WriteFn> writes;
  writes.push_back([](storage::Database& db) -> tl::expected<void, std::string> {
    const struct {
      const char* target;
      int64_t ago_ms;
      const char* kind;
    } events[] = {
        {"a", 2 * 3'600'000, "crash_loop"},                                   // older than the hour
        {"a", 1'800'000, "crash_loop"},      {"a", 900'000, "state_change"},  // no rule reads it
        {"a", 600'000, "deploy_regression"}, {"b", 300'000, "schema_drift"},
        {"gone", 300'000, "crash_loop"},  // no longer configured
    };
    for (const auto& e : events) {
      auto done =
          storage::InsertEvent(db, e.target, At(kNowMs - e.ago_ms), e.kind, R"({"reason":"x"})");
      if (!done) return done;
    }
    return {};
  });
  Write(dir / "h.db", runs, std::move(writes));

  TrackerPolicy policy;
  policy.recent_events = alerts::RulesEventMemory();
  std::map<std::string, std::unique_ptr<TargetTracker>> trackers;
  for (const char* name : {"a", "b", "c"}) {
    trackers.emplace(name, std::make_unique<TargetTracker>(name, policy));
  }
  auto reader = OpenReader(dir / "h.db");
  auto restored = RestoreFromHistory(reader, trackers, At(kNowMs), kWeek);
  REQUIRE(restored);

  const TargetTracker& a = *trackers.at("a");
  REQUIRE(a.last_run() != nullptr);
  CHECK(a.last_run()->started_at == At(kNowMs - 60'000));
  CHECK(a.last_run()->verdict.cls == FailureClass::kToolError);
  CHECK(a.last_run()->verdict.error == "tools_list: HTTP 500");
  REQUIRE(a.recent_events().size() == 2);  // oldest first
  CHECK(a.recent_events()[0].kind == EventKind::kCrashLoop);
  CHECK(a.recent_events()[0].at == At(kNowMs - 1'800'000));
  CHECK(a.recent_events()[0].target == "a");
  CHECK(a.recent_events()[0].details == nlohmann::json{{"reason", "x"}});
  CHECK(a.recent_events()[1].kind == EventKind::kDeployRegression);
  CHECK(a.recent_events()[1].at == At(kNowMs - 600'000));

  const TargetTracker& b = *trackers.at("b");
  REQUIRE(b.last_run() != nullptr);
  CHECK(b.last_run()->verdict.cls == FailureClass::kOk);
  REQUIRE(b.recent_events().size() == 1);
  CHECK(b.recent_events()[0].kind == EventKind::kSchemaDrift);

  CHECK(trackers.at("c")->last_run() == nullptr);
  CHECK(trackers.at("c")->recent_events().empty());
  CHECK(restored->last_runs.at("a").started_at == At(kNowMs - 60'000));
}

}  // namespace
}  // namespace mcpwatch
