#include "prober/scheduler.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/prober/fake_scheduler_host.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = SchedulerHost::Clock;
using test::FakeHost;

const Clock::time_point kStart = Clock::time_point(1000h);

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

SchedulerOptions Options(milliseconds jitter = 0ms, std::size_t max_inflight = 256,
                         uint64_t seed = 1) {
  SchedulerOptions o;
  o.max_inflight = max_inflight;
  o.jitter = jitter;
  o.jitter_seed = seed;
  return o;
}

struct Result {
  std::string target;
  std::chrono::system_clock::time_point started;
  Transcript transcript;
};

// A scheduler on a FakeHost that records what the hooks see.
struct Rig {
  explicit Rig(SchedulerOptions options = Options(), Clock::time_point start = kStart)
      : host(start), scheduler(host, options, Hooks()) {}

  SchedulerHooks Hooks() {
    SchedulerHooks h;
    h.prepare = [this](const std::string& target) -> tl::expected<ProbeSpec, std::string> {
      if (auto bad = broken.find(target); bad != broken.end()) return tl::unexpected(bad->second);
      ProbeSpec spec;
      spec.url = target;
      return spec;
    };
    h.on_result = [this](const std::string& target, std::chrono::system_clock::time_point started,
                         Transcript t) {
      results.push_back({target, started, std::move(t)});
    };
    h.on_lag = [this](double s) { lags.push_back(s); };
    h.on_skip = [this](SchedulerSkip r) { skips.push_back(r); };
    return h;
  }

  FakeHost host;
  std::map<std::string, std::string> broken;  // target → its prepare() error
  std::vector<Result> results;
  std::vector<double> lags;
  std::vector<SchedulerSkip> skips;
  Scheduler scheduler;  // last: its hooks use the members above
};

// Where `name` lands inside `interval`, seen by a scheduler started at `start` (no jitter).
Clock::duration OffsetOf(const std::string& name, milliseconds interval,
                         Clock::time_point start = kStart) {
  Rig rig(Options(), start);
  rig.scheduler.SetTargets({{name, interval}});
  return *rig.host.NextTimer() - start;
}

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
  CHECK(rig.skips == std::vector{SchedulerSkip::kOverlap, SchedulerSkip::kOverlap});
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

TEST_CASE("at most max_inflight runs at once; the rest wait in order and the wait is the lag",
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
  CHECK(rig.skips == std::vector<SchedulerSkip>(4, SchedulerSkip::kOverlap));
  rig.host.Finish("b");
  CHECK(rig.host.StartsOf("a") == std::vector{kStart + 29s});
  CHECK(rig.scheduler.waiting() == 0);
  rig.host.Finish("a");
  CHECK(rig.scheduler.inflight() == 0);
  CHECK(rig.results.size() == 2);
}

TEST_CASE("RunSoon adds one early run only when the target is idle and its slot is later",
          "[scheduler]") {
  struct Row {
    const char* when;
    bool in_flight;
    milliseconds delay;
    bool runs;
  };
  auto row = GENERATE(values<Row>({{"idle, 5 s", false, 5s, true},
                                   {"idle, 1 ms before the regular run", false, 58999ms, true},
                                   {"idle, at the regular run", false, 59s, false},
                                   {"idle, after the regular run", false, 90s, false},
                                   {"a run in flight", true, 5s, false}}));
  CAPTURE(row.when);
  auto slot0 = kStart + OffsetOf("alpha", 60s);
  Rig rig;
  rig.scheduler.SetTargets({{"alpha", 60s}});
  rig.host.AdvanceTo(slot0);
  if (!row.in_flight) rig.host.Finish("alpha");
  rig.host.AdvanceTo(slot0 + 1s);
  rig.scheduler.RunSoon("alpha", row.delay);
  CHECK(rig.host.pending_timers() == (row.runs ? 2 : 1));  // ignored: nothing armed
  rig.host.AdvanceTo(slot0 + 60s - 1us);
  auto expected = std::vector{slot0};
  if (row.runs) expected.push_back(slot0 + 1s + row.delay);
  CHECK(rig.host.StartsOf("alpha") == expected);
  CHECK(rig.lags == std::vector<double>(expected.size(), 0.0));
  if (row.runs) rig.host.Finish("alpha");
  // The regular schedule is untouched.
  rig.host.AdvanceTo(slot0 + 60s);
  CHECK(rig.host.StartsOf("alpha").back() == (row.in_flight ? slot0 : slot0 + 60s));
}

TEST_CASE("RunSoon is ignored for an unknown target, a second request, or a full house",
          "[scheduler]") {
  Rig rig(Options(0ms, 1));
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}});  // offsets 17.97 s and 6.34 s
  rig.scheduler.RunSoon("nobody", 1s);
  CHECK(rig.host.pending_timers() == 2);

  SECTION("a second request while one is pending") {
    rig.scheduler.RunSoon("a", 2s);
    rig.scheduler.RunSoon("a", 1s);
    rig.host.AdvanceTo(kStart + 3s);
    CHECK(rig.host.StartsOf("a") == std::vector{kStart + 2s});
  }
  SECTION("no free slot when it fires: dropped, the regular run still comes") {
    rig.host.AdvanceTo(kStart + 7s);  // b in flight: the one slot is taken
    rig.scheduler.RunSoon("a", 1s);
    rig.host.AdvanceTo(kStart + 17s);
    CHECK(rig.host.StartsOf("a").empty());
    CHECK(rig.scheduler.waiting() == 0);
    rig.host.AdvanceTo(kStart + 18s);
    CHECK(rig.scheduler.waiting() == 1);
  }
}

TEST_CASE("RunNow runs a known target outside the schedule and refuses an unknown one",
          "[scheduler]") {
  Rig rig;
  rig.scheduler.SetTargets({{"alpha", 60s}});
  int done_calls = 0;
  CHECK_FALSE(rig.scheduler.RunNow("nobody", [&](Transcript) { ++done_calls; }));
  CHECK(rig.host.runs.empty());

  CHECK(rig.scheduler.RunNow("alpha", [&](Transcript) { ++done_calls; }));
  CHECK(rig.host.StartsOf("alpha") == std::vector{kStart});
  CHECK(rig.scheduler.inflight() == 0);  // not a scheduled run: no slot, no overlap rule
  rig.host.Finish("alpha");
  CHECK(done_calls == 1);
  CHECK(rig.results.empty());  // the caller's done, not on_result

  rig.scheduler.StopScheduling();
  CHECK_FALSE(rig.scheduler.RunNow("alpha", [&](Transcript) { ++done_calls; }));
  CHECK(rig.host.runs.size() == 1);
}

TEST_CASE("SetTargets keeps unchanged targets' phase and drops removed ones", "[scheduler]") {
  auto slot_a = kStart + OffsetOf("a", 60s);  // 17.97 s
  Rig rig(Options(0ms, 1));
  rig.host.run_time = 1ms;
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}});
  rig.host.AdvanceTo(kStart + 30s);

  SECTION("an unchanged target keeps its slot, a new one gets its own") {
    rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}, {"x", 10s}});
    rig.host.AdvanceTo(kStart + 120s);
    CHECK(rig.host.StartsOf("a") == std::vector{slot_a, slot_a + 60s});
    auto x = rig.host.StartsOf("x");
    REQUIRE(x.size() == 9);  // from 38.67 s, every 10 s
    CHECK(x.front() == kStart + 30s + OffsetOf("x", 10s));
  }
  SECTION("a changed interval takes the new interval's phase") {
    rig.scheduler.SetTargets({{"a", 10s}, {"b", 60s}});
    rig.host.AdvanceTo(kStart + 60s);
    auto offset = OffsetOf("a", 10s);  // 7.97 s
    CHECK(rig.host.StartsOf("a") ==
          std::vector{slot_a, kStart + 30s + offset, kStart + 40s + offset, kStart + 50s + offset});
  }
  SECTION("a removed target runs no more") {
    rig.scheduler.SetTargets({{"b", 60s}});
    CHECK(rig.host.pending_timers() == 1);
    rig.host.AdvanceTo(kStart + 300s);
    CHECK(rig.host.StartsOf("a") == std::vector{slot_a});
    CHECK(rig.host.StartsOf("b").size() == 5);
  }
}

TEST_CASE("SetTargets leaves an unchanged target's plan alone: jitter, run soon, its wait",
          "[scheduler]") {
  Rig rig(Options(1000ms, 1));
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}});  // b 6.3 s, a 18.0 s
  rig.host.AdvanceTo(kStart + 1s);
  rig.scheduler.RunSoon("a", 3s);
  auto planned = rig.host.NextTimer();  // b's, jittered
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}});
  CHECK(rig.host.NextTimer() == planned);  // the same draw, not a new one
  CHECK(rig.host.pending_timers() == 3);
  rig.host.AdvanceTo(kStart + 5s);
  CHECK(rig.host.StartsOf("a") == std::vector{kStart + 4s});
  rig.host.Finish("a");

  rig.host.AdvanceTo(kStart + 20s);  // b in flight, a waiting since its jittered slot
  REQUIRE(rig.scheduler.waiting() == 1);
  REQUIRE(rig.lags.size() == 2);
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}});
  CHECK(rig.scheduler.waiting() == 1);
  rig.host.Finish("b");
  CHECK(rig.host.StartsOf("a").size() == 2);
  REQUIRE(rig.lags.size() == 3);
  CHECK(rig.lags[2] > 1.0);  // 20 s - (18.0 s + at most 1 s of jitter)
  CHECK(rig.lags[2] < 3.0);
}

TEST_CASE("a waiting target whose interval changes keeps its place and its wait", "[scheduler]") {
  Rig rig(Options(0ms, 1));
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}});  // b 6.3 s, a 18.0 s
  auto slot_a = kStart + OffsetOf("a", 60s);
  rig.host.AdvanceTo(kStart + 20s);  // b in flight, a waiting
  REQUIRE(rig.scheduler.waiting() == 1);
  rig.scheduler.SetTargets({{"a", 10s}, {"b", 60s}});  // a now every 10 s, from 27.97 s
  CHECK(rig.scheduler.waiting() == 1);
  rig.host.AdvanceTo(kStart + 29s);  // a's new slot comes while it still waits
  CHECK(rig.skips == std::vector{SchedulerSkip::kOverlap});
  CHECK(rig.scheduler.waiting() == 1);
  rig.host.Finish("b");
  CHECK(rig.host.StartsOf("a") == std::vector{kStart + 29s});
  REQUIRE(rig.lags.size() == 2);
  CHECK(rig.lags[1] == Approx(Seconds(kStart + 29s - slot_a)).margin(1e-9));
  CHECK(rig.scheduler.waiting() == 0);
  CHECK(rig.scheduler.inflight() == 1);
}

TEST_CASE("SetTargets drops a removed target from the waiting queue", "[scheduler]") {
  Rig rig(Options(0ms, 1));
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}, {"d", 60s}});  // b 6.3 s, d 16.1 s, a 18.0 s
  rig.host.AdvanceTo(kStart + 20s);
  REQUIRE(rig.scheduler.waiting() == 2);
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}});
  CHECK(rig.scheduler.waiting() == 1);
  rig.host.Finish("b");
  CHECK(rig.host.StartsOf("a") == std::vector{kStart + 20s});
  CHECK(rig.host.StartsOf("d").empty());
  CHECK(rig.scheduler.waiting() == 0);
}

TEST_CASE("a removed target's run in flight still finishes and frees its slot", "[scheduler]") {
  Rig rig(Options(0ms, 1));
  rig.scheduler.SetTargets({{"a", 60s}, {"b", 60s}});
  rig.host.AdvanceTo(kStart + 10s);  // b in flight
  rig.scheduler.SetTargets({{"a", 60s}});
  rig.host.Finish("b");
  CHECK(rig.scheduler.inflight() == 0);
  REQUIRE(rig.results.size() == 1);
  CHECK(rig.results[0].target == "b");
  rig.host.AdvanceTo(kStart + 20s);
  CHECK(rig.host.StartsOf("a").size() == 1);
}

TEST_CASE("StopScheduling starts nothing more and lets runs in flight finish", "[scheduler]") {
  Rig rig(Options(0ms, 1));
  rig.scheduler.SetTargets({{"a", 10s}, {"b", 10s}, {"c", 60s}});  // b 6.3, a 8.0, c 54.7 s
  rig.host.AdvanceTo(kStart + 9s);                                 // b in flight, a waiting
  rig.scheduler.RunSoon("c", 1s);
  REQUIRE(rig.scheduler.waiting() == 1);

  rig.scheduler.StopScheduling();
  CHECK(rig.scheduler.waiting() == 0);
  CHECK(rig.host.pending_timers() == 0);
  rig.scheduler.RunSoon("c", 1s);
  CHECK(rig.host.pending_timers() == 0);
  rig.host.Finish("b");
  CHECK(rig.results.size() == 1);
  CHECK(rig.scheduler.inflight() == 0);
  rig.host.AdvanceTo(kStart + 300s);
  CHECK(rig.host.runs.size() == 1);
}

TEST_CASE("a target whose spec cannot be prepared gets a failed run without traffic",
          "[scheduler]") {
  auto slot = kStart + OffsetOf("alpha", 60s);
  Rig rig;
  rig.broken["alpha"] = "token file /run/secrets/alpha: permission denied";
  rig.scheduler.SetTargets({{"alpha", 60s}});
  rig.host.AdvanceTo(slot);
  CHECK(rig.host.runs.empty());
  REQUIRE(rig.results.size() == 1);
  CHECK(rig.results[0].started == rig.host.WallAt(slot));
  const auto& steps = rig.results[0].transcript.steps;
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].transport == TransportError::kOther);
  CHECK(steps[0].transport_detail == "token file /run/secrets/alpha: permission denied");
  CHECK(rig.scheduler.inflight() == 0);

  std::optional<Transcript> now;
  CHECK(rig.scheduler.RunNow("alpha", [&](Transcript t) { now = std::move(t); }));
  REQUIRE(now);
  REQUIRE(now->steps.size() == 1);
  CHECK(now->steps[0].transport == TransportError::kOther);
  CHECK(rig.host.runs.empty());
}

TEST_CASE("a destroyed scheduler leaves no timer behind", "[scheduler]") {
  FakeHost host(kStart);
  {
    SchedulerHooks hooks;
    hooks.prepare = [](const std::string&) -> tl::expected<ProbeSpec, std::string> {
      return ProbeSpec{};
    };
    Scheduler scheduler(host, Options(), hooks);
    scheduler.SetTargets({{"a", 60s}, {"b", 60s}});
    scheduler.RunSoon("a", 1s);
    CHECK(host.pending_timers() == 3);
  }
  CHECK(host.pending_timers() == 0);
}

}  // namespace
}  // namespace mcpwatch
