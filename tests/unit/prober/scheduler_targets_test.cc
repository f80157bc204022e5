// Changing what is scheduled: run soon, run now, new target sets, stopping, failed prepares.
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
  CHECK(rig.skips == std::vector{SkipReason::kOverlap});
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
