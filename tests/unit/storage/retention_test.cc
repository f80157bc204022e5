#include "storage/retention.h"

#include <catch2/catch.hpp>

#include "storage/batch.h"
#include "storage/migrations.h"
#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::At;
using testing::MakeResult;
using testing::ScratchDir;

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kH0 = 1'750'000'000'000 / kHour * kHour;  // an hour boundary

void Write(Database& db, std::vector<RunRow> rows) {
  BatchCommitter committer(db);
  std::vector<WriteItem> items;
  for (auto& r : rows) items.emplace_back(std::move(r));
  REQUIRE(committer.Commit(items));
}

RunRow Run(const std::string& target, int64_t at, FailureClass cls, int total_ms,
           bool maintenance = false) {
  return ToRunRow(MakeResult(target, At(at), cls, Micros(total_ms * 1'000)), maintenance);
}

int64_t Count(Database& db, const std::string& sql) {
  auto q = db.Prepare(sql);
  REQUIRE(q);
  REQUIRE(*q->Step());
  return q->Int(0);
}

TEST_CASE("retention rolls up closed hours and deletes old rows in small batches",
          "[storage][retention]") {
  ScratchDir dir;
  auto db = OpenForWriting(dir / "h.db");
  REQUIRE(db);
  Write(*db, {
                 Run("a", kH0 + 1'000, FailureClass::kOk, 10),
                 Run("a", kH0 + 2'000, FailureClass::kOk, 30),
                 Run("a", kH0 + 3'000, FailureClass::kToolError, 500),
                 Run("a", kH0 + 4'000, FailureClass::kOk, 20),
                 Run("a", kH0 + 5'000, FailureClass::kConnectionRefused, 1, true),
                 Run("b", kH0 + 6'000, FailureClass::kLatencySpike, 900),
                 Run("a", kH0 + kHour + 20 * 60'000, FailureClass::kOk, 40),
                 Run("a", kH0 + kHour + 30 * 60'000, FailureClass::kOk, 50),
                 Run("a", kH0 + 3 * kHour + 1'000, FailureClass::kOk, 60),  // hour still open
             });
  RetentionPolicy policy;
  policy.raw_retention = hours(2);
  policy.rollup_retention = hours(48);
  policy.max_rows_per_transaction = 2;
  const int64_t now = kH0 + 3 * kHour + 10 * 60'000;

  auto report = RunRetention(*db, policy, At(now));
  REQUIRE(report);
  CHECK(report->hours_closed == 4);     // kH0-1h (the safety hour), kH0, kH0+1h, kH0+2h
  CHECK(report->rollups_written == 3);  // a@kH0, b@kH0, a@kH0+1h
  CHECK(report->runs_deleted == 6);     // every run before now - 2 h
  CHECK(report->rollups_deleted == 0);

  auto q = db->Prepare(
      "SELECT runs, successes, maintenance_runs, latency_sum_ms, latency_min_ms, latency_max_ms, "
      "p50_ms, p95_ms, class_counts FROM rollups_hourly r JOIN targets t ON t.id = r.target_id "
      "WHERE t.name = 'a' AND hour = ?");
  REQUIRE(q);
  q->Bind(kH0);
  REQUIRE(*q->Step());
  CHECK(q->Int(0) == 4);
  CHECK(q->Int(1) == 3);
  CHECK(q->Int(2) == 1);
  CHECK(q->Real(3) == Approx(60));
  CHECK(q->Real(4) == Approx(10));
  CHECK(q->Real(5) == Approx(30));
  CHECK(q->Real(6) == Approx(20));
  CHECK(q->Real(7) == Approx(30));
  CHECK(q->Text(8) == R"({"ok":3,"tool_error":1})");

  CHECK(Count(*db, "SELECT count(*) FROM runs") == 3);
  CHECK(Count(*db, "SELECT min(started_at) FROM runs") == kH0 + kHour + 20 * 60'000);
  CHECK(Count(*db,
              "SELECT total FROM run_counts WHERE class = 'ok' AND target_id = "
              "(SELECT id FROM targets WHERE name = 'a')") == 6);

  SECTION("a second pass at the same time does nothing") {
    auto again = RunRetention(*db, policy, At(now));
    REQUIRE(again);
    CHECK(again->hours_closed == 0);
    CHECK(again->rollups_written == 0);
    CHECK(again->runs_deleted == 0);
  }
  SECTION("rollups expire after rollup_retention") {
    auto later = RunRetention(*db, policy, At(kH0 + 49 * kHour + 30 * 60'000));
    REQUIRE(later);
    CHECK(later->rollups_deleted == 3);  // kH0 and kH0+1h are older than 48 h
    CHECK(later->runs_deleted == 3);
    CHECK(Count(*db, "SELECT count(*) FROM rollups_hourly") == 1);  // a@kH0+3h
  }
}

TEST_CASE("raw runs are kept until their hour is rolled up", "[storage][retention]") {
  ScratchDir dir;
  auto db = OpenForWriting(dir / "h.db");
  REQUIRE(db);
  Write(*db, {Run("a", kH0 + 1'000, FailureClass::kOk, 10)});
  RetentionPolicy policy;
  policy.raw_retention = hours(0);
  // The hour is not closable yet (within the grace period), so nothing may be deleted.
  auto report = RunRetention(*db, policy, At(kH0 + kHour + 60'000));
  REQUIRE(report);
  CHECK(report->runs_deleted == 0);
  CHECK(Count(*db, "SELECT count(*) FROM runs") == 1);
  report = RunRetention(*db, policy, At(kH0 + kHour + 6 * 60'000));
  REQUIRE(report);
  CHECK(report->rollups_written == 1);
  CHECK(report->runs_deleted == 1);
}

TEST_CASE("an empty database needs no retention", "[storage][retention]") {
  ScratchDir dir;
  auto db = OpenForWriting(dir / "h.db");
  REQUIRE(db);
  auto report = RunRetention(*db, RetentionPolicy{}, At(kH0));
  REQUIRE(report);
  CHECK(report->hours_closed == 0);
  CHECK(report->runs_deleted == 0);
}

}  // namespace
}  // namespace mcpwatch::storage
