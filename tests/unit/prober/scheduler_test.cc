// The schedule itself: offsets, fixed rate, jitter, lag, overlaps and the in-flight cap.
#include "prober/scheduler.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/prober/scheduler_rig.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = SchedulerHost::Clock;
using test::FakeHost;
using test::kStart;
using test::OffsetOf;
using test::Options;
using test::Rig;
using test::Seconds;

TEST_CASE("a target's offset is a hash of its name, the same in every process", "[scheduler]") {
  // Pinned values (FNV-1a of the name, modulo the interval in µs): another hash would move every
  // target's phase on upgrade.
  struct Row {
    const char* name;
    milliseconds interval;
    microseconds offset;
  };
  auto row = GENERATE(values<Row>({{"alpha", 60s, 52364133us},
                                   {"beta", 60s, 49615225us},
                                   {"alpha", 30s, 22364133us},
                                   {"db-primary", 10s, 6115302us}}));
  CAPTURE(row.name, row.interval.count());
  CHECK(OffsetOf(row.name, row.interval) == row.offset);
  // A scheduler constructed later (a restart) keeps the phase relative to its own start.
  CHECK(OffsetOf(row.name, row.interval, kStart + 12345678us) == row.offset);
}

TEST_CASE("different names spread over the whole interval", "[scheduler]") {
  std::set<Clock::duration> offsets;
  std::vector<int> per_tenth(10);
  for (int i = 0; i < 200; ++i) {
    auto offset = OffsetOf("target-" + std::to_string(i), 60s);
    REQUIRE(offset >= 0s);
    REQUIRE(offset < 60s);
    offsets.insert(offset);
    ++per_tenth[static_cast<std::size_t>(offset / 6s)];
  }
  CHECK(offsets.size() == 200);
  for (int n : per_tenth) CHECK(n >= 8);  // 20 expected in each tenth
}

TEST_CASE("the first run is at the first slot not in the past, never a whole interval late",
          "[scheduler]") {
  // SetTargets at `periods` intervals plus the offset plus `delta` after the scheduler started.
  struct Row {
    const char* when;
    int periods;
    microseconds delta;
    int first_period;  // the first run is at start + offset + first_period * interval
  };
  auto row = GENERATE(values<Row>({{"at start-up", 0, -2364133us, 0},
                                   {"just before its slot", 0, -1ms, 0},
                                   {"on its slot", 0, 0ms, 0},
                                   {"just after its slot", 0, 1ms, 1},
                                   {"two intervals in, before its slot", 2, -1ms, 2},
                                   {"three intervals in, on its slot", 3, 0ms, 3},
                                   {"three intervals in, after its slot", 3, 9999ms, 4}}));
  CAPTURE(row.when);
  auto offset = OffsetOf("alpha", 10s);
  REQUIRE(offset == 2364133us);
  Rig rig;
  auto set_at = kStart + row.periods * 10s + offset + row.delta;
  rig.host.AdvanceTo(std::max(set_at, kStart));
  rig.scheduler.SetTargets({{"alpha", 10s}});
  auto first = kStart + offset + row.first_period * 10s;
  rig.host.AdvanceTo(first - 1us);
  CHECK(rig.host.runs.empty());
  rig.host.AdvanceTo(first);
  CHECK(rig.host.StartsOf("alpha") == std::vector{first});
}

TEST_CASE("runs start at offset + k * interval however long each run takes", "[scheduler]") {
  auto run_time = GENERATE(Clock::duration(0s), Clock::duration(3s), Clock::duration(9999ms));
  CAPTURE(Seconds(run_time));
  auto offset = OffsetOf("alpha", 10s);
  Rig rig;
  rig.host.run_time = run_time;
  rig.scheduler.SetTargets({{"alpha", 10s}});
  rig.host.AdvanceTo(kStart + 60s);
  std::vector<Clock::time_point> expected;
  for (int k = 0; k < 6; ++k) expected.push_back(kStart + offset + k * 10s);
  CHECK(rig.host.StartsOf("alpha") == expected);
  CHECK(rig.skips.empty());
  CHECK(rig.lags == std::vector<double>(6, 0.0));
}

TEST_CASE("a late run keeps the grid, and a stalled loop does not catch up in a burst",
          "[scheduler]") {
  auto slot0 = kStart + OffsetOf("alpha", 10s);
  Rig rig;
  rig.host.run_time = 1ms;
  rig.scheduler.SetTargets({{"alpha", 10s}});
  rig.host.JumpTo(slot0 + 4s);
  rig.host.AdvanceTo(slot0 + 10s);  // the next slot, not 10 s after the late start
  rig.host.JumpTo(slot0 + 45s);     // stalled through slots 2, 3 and 4: one run, late
  rig.host.AdvanceTo(slot0 + 50s);  // and the grid resumes at slot 5
  CHECK(rig.host.StartsOf("alpha") ==
        std::vector{slot0 + 4s, slot0 + 10s, slot0 + 45s, slot0 + 50s});
  CHECK(rig.lags == std::vector{4.0, 0.0, 25.0, 0.0});
  CHECK(rig.skips.empty());
}

TEST_CASE("jitter stays within min(options.jitter, interval / 10) and is not lag", "[scheduler]") {
  struct Row {
    milliseconds interval;
    milliseconds jitter;
    milliseconds cap;
  };
  auto row = GENERATE(values<Row>({{60s, 1000ms, 1000ms},
                                   {60s, 250ms, 250ms},
                                   {5s, 1000ms, 500ms},
                                   {100ms, 1000ms, 10ms},
                                   {60s, 0ms, 0ms}}));
  CAPTURE(row.interval.count(), row.jitter.count());
  std::vector<ScheduledTarget> targets;
  std::map<std::string, Clock::duration> offsets;
  for (int i = 0; i < 50; ++i) {
    targets.push_back({"t" + std::to_string(i), row.interval});
    offsets[targets.back().name] = OffsetOf(targets.back().name, row.interval);
  }
  Rig rig(Options(row.jitter));
  rig.host.run_time = 1ms;
  rig.scheduler.SetTargets(targets);
  rig.host.AdvanceTo(kStart + 3 * row.interval);

  Clock::duration lowest = Clock::duration::max(), highest = Clock::duration::min();
  std::map<std::string, int> seen;
  for (const auto& run : rig.host.runs) {
    auto slot = kStart + offsets.at(run.target) + seen[run.target]++ * row.interval;
    auto jitter = run.at - slot;
    CAPTURE(run.target, Seconds(jitter));
    CHECK(jitter >= 0s);
    CHECK(jitter <= row.cap);
    lowest = std::min(lowest, jitter);
    highest = std::max(highest, jitter);
  }
  CHECK(rig.host.runs.size() >= 100);
  if (row.cap > 0ms) {  // spread over the whole allowance
    CHECK(lowest < row.cap / 4);
    CHECK(highest > row.cap * 3 / 4);
  } else {
    CHECK(highest == 0s);
  }
  CHECK(rig.lags == std::vector<double>(rig.host.runs.size(), 0.0));
}

TEST_CASE("lag is lateness against the planned start, the jitter not included", "[scheduler]") {
  auto slot = kStart + OffsetOf("alpha", 60s);
  // A seed that puts the run well clear of its slot.
  uint64_t seed = 1;
  auto planned = [&](uint64_t s) {
    Rig probe(Options(1000ms, 256, s));
    probe.scheduler.SetTargets({{"alpha", 60s}});
    return *probe.host.NextTimer();
  };
  while (planned(seed) - slot < 100ms) ++seed;
  Rig rig(Options(1000ms, 256, seed));
  rig.scheduler.SetTargets({{"alpha", 60s}});
  REQUIRE(rig.host.NextTimer() == planned(seed));
  rig.host.JumpTo(planned(seed) + 250ms);
  CHECK(rig.host.StartsOf("alpha") == std::vector{planned(seed) + 250ms});
  REQUIRE(rig.lags.size() == 1);
  CHECK(rig.lags[0] == Approx(0.25).margin(1e-9));
  CHECK(planned(seed + 1) != planned(seed));  // the seed decides the jitter
}

TEST_CASE("a run still in flight at its next slot is skipped and counted as an overlap",
          "[scheduler]") {
  auto slot0 = kStart + OffsetOf("alpha", 10s);
  Rig rig;
  rig.scheduler.SetTargets({{"alpha", 10s}});
  rig.host.AdvanceTo(slot0 + 25s);  // slots 1 and 2 come while run 0 is still going
  CHECK(rig.host.StartsOf("alpha") == std::vector{slot0});
  CHECK(rig.skips == std::vector{SkipReason::kOverlap, SkipReason::kOverlap});
  CHECK(rig.scheduler.inflight() == 1);

  rig.host.Finish("alpha");
  REQUIRE(rig.results.size() == 1);
  CHECK(rig.results[0].target == "alpha");
  CHECK(rig.results[0].started == rig.host.WallAt(slot0));  // when it started, not finished
  CHECK(rig.scheduler.inflight() == 0);
  rig.host.AdvanceTo(slot0 + 30s);
  CHECK(rig.host.StartsOf("alpha") == std::vector{slot0, slot0 + 30s});
  CHECK(rig.skips.size() == 2);
}

TEST_CASE("at most max_inflight runs at once, the rest wait in order and the wait is the lag",
          "[scheduler]") {
  // Offsets in 60 s: b 6.3 s, d 16.1 s, a 18.0 s, c 54.7 s.
  std::map<std::string, Clock::time_point> slot;
  for (std::string n : {"a", "b", "c", "d"}) slot[n] = kStart + OffsetOf(n, 60s);
  REQUIRE(slot["b"] < slot["d"]);
  REQUIRE(slot["d"] < slot["a"]);
  REQUIRE(slot["a"] < slot["c"]);
  Rig rig(Options(0ms, 2));
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}, {"c", 60s}, {"d", 60s}});
  rig.host.AdvanceTo(kStart + 55s);
  CHECK(rig.host.runs.size() == 2);
  CHECK(rig.host.StartsOf("b") == std::vector{slot["b"]});
  CHECK(rig.host.StartsOf("d") == std::vector{slot["d"]});
  CHECK(rig.scheduler.inflight() == 2);
  CHECK(rig.scheduler.waiting() == 2);
  CHECK(rig.skips.empty());  // waiting is not skipping

  rig.host.AdvanceTo(kStart + 58s);
  rig.host.Finish("d");  // a waited longest: it goes first
  CHECK(rig.host.StartsOf("a") == std::vector{kStart + 58s});
  CHECK(rig.host.StartsOf("c").empty());
  rig.host.AdvanceTo(kStart + 59s);
  rig.host.Finish("b");
  CHECK(rig.host.StartsOf("c") == std::vector{kStart + 59s});
  CHECK(rig.scheduler.waiting() == 0);
  CHECK(rig.scheduler.inflight() == 2);
  REQUIRE(rig.lags.size() == 4);
  CHECK(rig.lags[0] == 0.0);
  CHECK(rig.lags[1] == 0.0);
  CHECK(rig.lags[2] == Approx(Seconds(kStart + 58s - slot["a"])).margin(1e-9));
  CHECK(rig.lags[3] == Approx(Seconds(kStart + 59s - slot["c"])).margin(1e-9));
}

TEST_CASE("a waiting run that comes due again is an overlap and waits only once", "[scheduler]") {
  Rig rig(Options(0ms, 1));
  rig.scheduler.SetTargets({{"a", 10s}, {"b", 10s}});  // offsets 7.97 s and 6.34 s
  rig.host.AdvanceTo(kStart + 29s);  // b runs from 6.34 s on; a is due three times
  CHECK(rig.host.StartsOf("a").empty());
  CHECK(rig.scheduler.waiting() == 1);
  // b's slots at 16.34 s and 26.34 s (in flight) and a's at 17.97 s and 27.97 s (waiting).
  CHECK(rig.skips == std::vector<SkipReason>(4, SkipReason::kOverlap));
  rig.host.Finish("b");
  CHECK(rig.host.StartsOf("a") == std::vector{kStart + 29s});
  CHECK(rig.scheduler.waiting() == 0);
  rig.host.Finish("a");
  CHECK(rig.scheduler.inflight() == 0);
  CHECK(rig.results.size() == 2);
}

}  // namespace
}  // namespace mcpwatch
