#include "storage/reader.h"

#include <catch2/catch.hpp>
#include <tuple>

#include "storage/migrations.h"
#include "storage/records.h"
#include "storage/writer.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::At;
using testing::MakeResult;
using testing::ScratchDir;

constexpr int64_t kNowMs = 1'750'000'000'000;  // a fixed "now" (June 2025)

// Writes `results` and the extra writes through a real writer, then opens a reader.
HistoryReader Populate(const std::filesystem::path& path, const std::vector<ProbeResult>& results,
                       std::vector<WriteFn> writes = {}) {
  auto db = OpenForWriting(path);
  REQUIRE(db);
  WriterOptions options;
  options.retention_interval = minutes(0);
  auto writer = HistoryWriter::Start(std::move(*db), options);
  for (const auto& r : results) REQUIRE(writer->Enqueue(r));
  for (auto& w : writes) REQUIRE(writer->Submit(std::move(w)));
  REQUIRE(writer->Flush());
  writer->Stop();
  auto reader = HistoryReader::Open(path);
  REQUIRE(reader);
  return std::move(*reader);
}

TEST_CASE("History is newest first and honours since and limit", "[storage][reader]") {
  ScratchDir dir;
  std::vector<ProbeResult> results;
  for (int i = 0; i < 10; ++i) {
    results.push_back(MakeResult("shop", At(kNowMs - (10 - i) * 60'000),
                                 i == 7 ? FailureClass::kToolError : FailureClass::kOk));
    results.push_back(MakeResult("other", At(kNowMs - (10 - i) * 60'000)));
  }
  auto reader = Populate(dir / "h.db", results);

  auto all = reader.History("shop", At(0), 100);
  REQUIRE(all);
  REQUIRE(all->size() == 10);
  CHECK(all->front().started_at == At(kNowMs - 60'000));
  CHECK(all->back().started_at == At(kNowMs - 600'000));
  for (size_t i = 1; i < all->size(); ++i) CHECK((*all)[i - 1].started_at > (*all)[i].started_at);

  const RunRow& failed = (*all)[2];
  CHECK(failed.cls == FailureClass::kToolError);
  CHECK_FALSE(failed.ok);
  CHECK(failed.error == "tools_list: HTTP 500");
  CHECK(failed.target == "shop");
  CHECK(failed.server_version == "1.2.3");
  CHECK(failed.tool_count == 3);
  REQUIRE(failed.steps.size() == 5);
  CHECK(failed.steps[2].step == Step::kToolsList);
  CHECK(failed.steps[2].jsonrpc_code == -32603);
  CHECK(failed.steps[1].http_status == 202);
  CHECK(failed.total == Micros(20'000));
  CHECK(failed.dns == Micros(300));
  CHECK_FALSE(failed.cert_not_after);

  auto recent = reader.History("shop", At(kNowMs - 300'000), 100);
  REQUIRE(recent);
  CHECK(recent->size() == 5);
  auto limited = reader.History("shop", At(0), 3);
  REQUIRE(limited);
  REQUIRE(limited->size() == 3);
  CHECK(limited->front().started_at == At(kNowMs - 60'000));
  auto unknown = reader.History("nope", At(0), 10);
  REQUIRE(unknown);
  CHECK(unknown->empty());
}

TEST_CASE("Status computes uptime and p95 over the last 24 hours", "[storage][reader]") {
  ScratchDir dir;
  std::vector<ProbeResult> results;
  // Older than 24 h: must not count.
  results.push_back(MakeResult("shop", At(kNowMs - 25 * 3'600'000), FailureClass::kTimeout));
  // 20 runs in the window: 16 ok with totals 1..16 ms, 4 failures (totals 500 ms).
  for (int i = 0; i < 20; ++i) {
    const bool ok = i < 16;
    results.push_back(MakeResult("shop", At(kNowMs - 3'600'000 + i * 60'000),
                                 ok ? FailureClass::kOk : FailureClass::kUnavailable,
                                 ok ? Micros((i + 1) * 1'000) : Micros(500'000)));
  }
  results.back().verdict.diagnosis = "runs failing since deploy 1.0.0 → 2.0.0 at T";
  results.push_back(MakeResult("idle", At(kNowMs - 30 * 3'600'000)));
  std::vector<WriteFn> writes;
  writes.push_back([](Database& db) {
    return SetTargetState(db, "shop", "degraded", At(kNowMs - 5'000), "{}");
  });
  writes.push_back(
      [](Database& db) { return SetTargetState(db, "never", "unknown", At(kNowMs), ""); });
  auto reader = Populate(dir / "h.db", results, std::move(writes));

  auto status = reader.Status(At(kNowMs));
  REQUIRE(status);
  REQUIRE(status->size() == 3);
  const TargetStatus& idle = (*status)[0];
  const TargetStatus& never = (*status)[1];
  const TargetStatus& shop = (*status)[2];
  CHECK(shop.target == "shop");
  CHECK(shop.runs_24h == 20);
  REQUIRE(shop.uptime_24h);
  CHECK(*shop.uptime_24h == Approx(0.8));
  REQUIRE(shop.p95_24h);
  CHECK(*shop.p95_24h == Micros(16'000));  // nearest rank: ceil(0.95 × 16) = 16th of 1..16 ms
  CHECK(shop.last_class == FailureClass::kUnavailable);
  CHECK(shop.last_run_at == At(kNowMs - 3'600'000 + 19 * 60'000));
  CHECK(shop.state == "degraded");
  CHECK(shop.state_since == At(kNowMs - 5'000));
  CHECK(shop.diagnosis == "runs failing since deploy 1.0.0 → 2.0.0 at T");  // the newest run's

  CHECK(idle.target == "idle");
  CHECK(idle.runs_24h == 0);
  CHECK_FALSE(idle.uptime_24h);
  CHECK_FALSE(idle.p95_24h);
  CHECK(idle.last_class == FailureClass::kOk);
  CHECK(idle.state == "unknown");
  CHECK(idle.diagnosis.empty());

  CHECK(never.target == "never");
  CHECK_FALSE(never.last_class);
  CHECK_FALSE(never.last_run_at);
}

TEST_CASE("RunCounts, LastRuns and SuccessfulLatencies", "[storage][reader]") {
  ScratchDir dir;
  std::vector<ProbeResult> results;
  for (int i = 0; i < 6; ++i) {
    const FailureClass cls = i == 2   ? FailureClass::kLatencySpike
                             : i == 4 ? FailureClass::kConnectionRefused
                                      : FailureClass::kOk;
    results.push_back(MakeResult("a", At(kNowMs + i * 1'000), cls, Micros((i + 1) * 1'000)));
  }
  results.push_back(MakeResult("b", At(kNowMs), FailureClass::kAuthFailure));
  auto reader = Populate(dir / "h.db", results);

  auto counts = reader.RunCounts();
  REQUIRE(counts);
  REQUIRE(counts->size() == 4);
  CHECK(((*counts)[0].target == "a" && (*counts)[0].cls == FailureClass::kConnectionRefused &&
         (*counts)[0].total == 1));
  CHECK(((*counts)[2].cls == FailureClass::kOk && (*counts)[2].total == 4));
  CHECK(((*counts)[3].target == "b" && (*counts)[3].cls == FailureClass::kAuthFailure));

  auto last = reader.LastRuns();
  REQUIRE(last);
  REQUIRE(last->size() == 2);
  CHECK((*last)[0].target == "a");
  CHECK((*last)[0].started_at == At(kNowMs + 5'000));
  CHECK((*last)[1].target == "b");

  auto samples = reader.SuccessfulLatencies("a", At(kNowMs), 100);
  REQUIRE(samples);
  REQUIRE(samples->size() == 4);  // the spike and the refusal are not baseline material
  CHECK(samples->front().total == Micros(1'000));
  CHECK(samples->back().total == Micros(6'000));
  CHECK(samples->front().steps.size() == 5);
  auto newest_two = reader.SuccessfulLatencies("a", At(kNowMs), 2);
  REQUIRE(newest_two);
  REQUIRE(newest_two->size() == 2);
  CHECK(newest_two->front().total == Micros(4'000));
}

TEST_CASE("events and schema snapshots", "[storage][reader]") {
  ScratchDir dir;
  std::vector<WriteFn> writes;
  writes.push_back([](Database& db) { return InsertEvent(db, "a", At(1'000), "deploy", "{}"); });
  writes.push_back([](Database& db) { return InsertEvent(db, "", At(2'000), "prober", ""); });
  writes.push_back(
      [](Database& db) { return InsertEvent(db, "a", At(3'000), "schema_drift", R"({"n":1})"); });
  for (auto [hash, at] : {std::pair{"h1", 10}, {"h1", 20}, {"h2", 30}}) {
    writes.push_back([hash, at](Database& db) -> tl::expected<void, std::string> {
      auto saved = SaveSnapshotIfChanged(db, "a", hash, "[]", "1.0", At(at));
      if (!saved) return tl::make_unexpected(saved.error());
      return {};
    });
  }
  writes.push_back([](Database& db) -> tl::expected<void, std::string> {
    auto accepted = AcceptSnapshot(db, "a", "h1");
    if (!accepted) return tl::make_unexpected(accepted.error());
    if (!*accepted) return tl::make_unexpected(std::string("nothing accepted"));
    return {};
  });
  auto reader = Populate(dir / "h.db", {}, std::move(writes));

  auto all = reader.Events("", At(0), 10);
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].kind == "schema_drift");
  CHECK((*all)[0].details == R"({"n":1})");
  CHECK((*all)[1].target.empty());
  auto for_a = reader.Events("a", At(1'500), 10);
  REQUIRE(for_a);
  REQUIRE(for_a->size() == 1);
  CHECK((*for_a)[0].kind == "schema_drift");

  auto latest = reader.LatestSnapshot("a");
  REQUIRE(latest);
  REQUIRE(*latest);
  CHECK((*latest)->hash == "h2");
  CHECK_FALSE((*latest)->accepted);
  auto accepted = reader.AcceptedSnapshot("a");
  REQUIRE(accepted);
  REQUIRE(*accepted);
  CHECK((*accepted)->hash == "h1");
  CHECK((*accepted)->first_seen == At(10));
  auto none = reader.LatestSnapshot("b");
  REQUIRE(none);
  CHECK_FALSE(*none);
  auto count = reader.db().Prepare("SELECT count(*) FROM schema_snapshots");
  REQUIRE(*count->Step());
  CHECK(count->Int(0) == 2);  // the repeated h1 was not stored twice
}

TEST_CASE("EventCounts counts every event by target and kind", "[storage][reader]") {
  ScratchDir dir;
  constexpr int kMany = kMaxQueryLimit + 7;  // more than any row-returning query gives back
  std::vector<WriteFn> writes;
  writes.push_back([](Database& db) -> tl::expected<void, std::string> {
    for (int i = 0; i < kMany; ++i) {
      if (auto done = InsertEvent(db, "a", At(kNowMs + i), "deploy", "{}"); !done) return done;
    }
    return {};
  });
  writes.push_back([](Database& db) { return InsertEvent(db, "a", At(1), "crash_loop", "{}"); });
  writes.push_back([](Database& db) { return InsertEvent(db, "b", At(5), "deploy", "{}"); });
  writes.push_back([](Database& db) { return InsertEvent(db, "", At(6), "prober", "{}"); });
  writes.push_back([](Database& db) { return InsertEvent(db, "", At(7), "prober", "{}"); });
  auto reader = Populate(dir / "h.db", {}, std::move(writes));

  auto counts = reader.EventCounts();
  REQUIRE(counts);
  REQUIRE(counts->size() == 4);
  const auto at = [&](size_t i) {
    const EventCount& c = (*counts)[i];
    return std::tuple(c.target, c.kind, c.total);
  };
  CHECK(at(0) == std::tuple(std::string(), std::string("prober"), int64_t{2}));
  CHECK(at(1) == std::tuple(std::string("a"), std::string("crash_loop"), int64_t{1}));
  CHECK(at(2) == std::tuple(std::string("a"), std::string("deploy"), int64_t{kMany}));
  CHECK(at(3) == std::tuple(std::string("b"), std::string("deploy"), int64_t{1}));
}

TEST_CASE("EventCounts of an empty history is empty", "[storage][reader]") {
  ScratchDir dir;
  auto reader = Populate(dir / "h.db", {});
  auto counts = reader.EventCounts();
  REQUIRE(counts);
  CHECK(counts->empty());
}

TEST_CASE("RecentClasses is newest first and honours since and limit", "[storage][reader]") {
  ScratchDir dir;
  std::vector<ProbeResult> results;
  const FailureClass classes[] = {FailureClass::kOk, FailureClass::kToolError,
                                  FailureClass::kConnectionRefused, FailureClass::kOk};
  for (int i = 0; i < 4; ++i) results.push_back(MakeResult("a", At(kNowMs + i), classes[i]));
  results.push_back(MakeResult("b", At(kNowMs + 9), FailureClass::kToolError));
  auto reader = Populate(dir / "h.db", results);

  auto all = reader.RecentClasses("a", At(0), 16);
  REQUIRE(all);
  CHECK(*all == std::vector<FailureClass>{FailureClass::kOk, FailureClass::kConnectionRefused,
                                          FailureClass::kToolError, FailureClass::kOk});
  auto since = reader.RecentClasses("a", At(kNowMs + 2), 16);
  REQUIRE(since);
  CHECK(*since == std::vector<FailureClass>{FailureClass::kOk, FailureClass::kConnectionRefused});
  auto limited = reader.RecentClasses("a", At(0), 1);
  REQUIRE(limited);
  CHECK(*limited == std::vector<FailureClass>{FailureClass::kOk});
  auto none = reader.RecentClasses("c", At(0), 16);
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("stored steps in another JSON spelling still decode, damaged ones are an error",
          "[storage][reader]") {
  ScratchDir dir;
  std::vector<ProbeResult> results = {MakeResult("a", At(kNowMs)), MakeResult("b", At(kNowMs)),
                                      MakeResult("c", At(kNowMs))};
  const std::vector<StepRow> written = ToRunRow(results[0], false).steps;
  std::vector<WriteFn> writes;
  writes.push_back([](Database& db) {
    return db.Exec(
        "UPDATE runs SET steps = '[ [\"initialize\", true, 200, null, 1.25, 2.5e0],"
        "[\"tools_list\",false,500,-32603,1.25,2.5] ]' "
        "WHERE target_id = (SELECT id FROM targets WHERE name = 'b')");
  });
  writes.push_back([](Database& db) {
    return db.Exec(
        "UPDATE runs SET steps = '[[\"initialize\",true,200,null,1.25,inf]]' "
        "WHERE target_id = (SELECT id FROM targets WHERE name = 'c')");
  });
  auto reader = Populate(dir / "h.db", results, std::move(writes));

  auto a = reader.SuccessfulLatencies("a", At(0));
  REQUIRE(a);
  REQUIRE(a->size() == 1);
  CHECK((*a)[0].steps == written);
  auto history = reader.History("a", At(0), 10);
  REQUIRE(history);
  REQUIRE(history->size() == 1);
  CHECK((*history)[0].steps == written);

  auto b = reader.SuccessfulLatencies("b", At(0));
  REQUIRE(b);
  REQUIRE(b->size() == 1);
  const std::vector<StepRow> spaced = {StepRow{.step = Step::kInitialize,
                                               .ok = true,
                                               .http_status = 200,
                                               .jsonrpc_code = {},
                                               .ttfb = Micros(1'250),
                                               .duration = Micros(2'500)},
                                       StepRow{.step = Step::kToolsList,
                                               .ok = false,
                                               .http_status = 500,
                                               .jsonrpc_code = -32603,
                                               .ttfb = Micros(1'250),
                                               .duration = Micros(2'500)}};
  CHECK((*b)[0].steps == spaced);

  auto c = reader.SuccessfulLatencies("c", At(0));
  REQUIRE_FALSE(c);
  CHECK(c.error().find("steps") != std::string::npos);
}

}  // namespace
}  // namespace mcpwatch::storage
