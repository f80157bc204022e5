#include "checks/rollout.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;
using FC = FailureClass;

const TimePoint kT0 = TimePoint(1'750'000'000s);

// A run at kT0 + `offset` of class `cls`; `drain` adds a 503 with Retry-After at initialize.
ProbeResult Run(std::chrono::seconds offset, FC cls, bool drain = false,
                std::optional<int> health = std::nullopt) {
  ProbeResult r;
  r.started_at = kT0 + offset;
  r.verdict.cls = cls;
  StepRecord s;
  s.step = Step::kInitialize;
  s.http_status = drain ? 503 : 200;
  if (drain) s.retry_after = "5";
  r.transcript.steps = {s};
  if (health) r.transcript.health = HealthRecord::Answered(*health);
  return r;
}

RolloutTracker Tracker(std::chrono::seconds grace = 60s) {
  return RolloutTracker(RolloutPolicy{.grace = grace, .migration_window = 300s});
}

TEST_CASE("rollout: drain signals") {
  CHECK(DrainSignal(Run(0s, FC::kUnavailable, true).transcript));
  CHECK_FALSE(DrainSignal(Run(0s, FC::kUnavailable).transcript));  // a 503 without Retry-After
  CHECK(DrainSignal(Run(0s, FC::kOk, false, 503).transcript));     // health 503
  CHECK_FALSE(DrainSignal(Run(0s, FC::kOk, false, 200).transcript));
}

TEST_CASE("rollout: a drain and a new version within the grace is one deploy with its downtime") {
  RolloutTracker t = Tracker();
  CHECK_FALSE(t.Observe(Run(0s, FC::kOk), false, "").hold);
  RolloutUpdate drain = t.Observe(Run(10s, FC::kUnavailable, true), false, "");
  CHECK(drain.hold);
  CHECK_THAT(drain.note, Catch::StartsWith("draining for a rolling deploy since "));
  CHECK(t.Observe(Run(20s, FC::kConnectionRefused), false, "").hold);
  CHECK(t.Observe(Run(30s, FC::kConnectionRefused), false, "").hold);
  RolloutUpdate back = t.Observe(Run(40s, FC::kOk), true, "1.0.0 → 2.0.0");
  CHECK_FALSE(back.hold);
  REQUIRE(back.completed);
  CHECK((*back.completed)["rolling"] == true);
  CHECK((*back.completed)["downtime_ms"] == 30000);  // from the first failure at 10 s
  CHECK((*back.completed)["held_runs"] == 3);
  CHECK(back.release.empty());
  CHECK_FALSE(t.draining());
}

TEST_CASE(
    "rollout: health 503 while MCP still answers starts the drain, and downtime counts "
    "failures only") {
  RolloutTracker t = Tracker();
  CHECK_FALSE(t.Observe(Run(0s, FC::kOk, false, 503), false, "").hold);
  CHECK(t.draining());
  RolloutUpdate back = t.Observe(Run(10s, FC::kOk, false, 200), true, "1 → 2");
  REQUIRE(back.completed);
  CHECK((*back.completed)["downtime_ms"] == 0);
}

TEST_CASE("rollout: no new version within the grace releases the held failures") {
  RolloutTracker t = Tracker(60s);
  CHECK(t.Observe(Run(0s, FC::kUnavailable, true), false, "").hold);
  CHECK(t.Observe(Run(30s, FC::kConnectionRefused), false, "").hold);
  RolloutUpdate late = t.Observe(Run(61s, FC::kConnectionRefused), false, "");
  CHECK_FALSE(late.hold);
  REQUIRE(late.release.size() == 2);
  CHECK(late.release[0].cls == FC::kUnavailable);
  CHECK(late.release[1].at == kT0 + 30s);
  CHECK_FALSE(t.draining());
  CHECK_FALSE(t.Observe(Run(70s, FC::kConnectionRefused), false, "").hold);  // pages as now
}

TEST_CASE("rollout: the same version back within the grace is a restart, nothing held") {
  RolloutTracker t = Tracker();
  CHECK(t.Observe(Run(0s, FC::kUnavailable, true), false, "").hold);
  RolloutUpdate back = t.Observe(Run(20s, FC::kOk), false, "");
  CHECK_FALSE(back.completed);
  CHECK(back.release.empty());
  CHECK_FALSE(t.draining());
}

TEST_CASE("rollout: off with a zero grace") {
  RolloutTracker t = Tracker(0s);
  CHECK_FALSE(t.Observe(Run(0s, FC::kUnavailable, true), false, "").hold);
  CHECK_FALSE(t.draining());
}

TEST_CASE("rollout: tool errors right after a deploy that clear on their own are named") {
  RolloutTracker t = Tracker();
  t.Observe(Run(0s, FC::kToolError), true, "1.0.0 → 2.0.0");
  t.Observe(Run(30s, FC::kToolError), false, "");
  RolloutUpdate ok = t.Observe(Run(90s, FC::kOk), false, "");
  CHECK_THAT(ok.note, Catch::StartsWith("served before its migration finished: tool calls failed "
                                        "from ") &&
                          Catch::Contains("after deploy 1.0.0 → 2.0.0"));
  CHECK(t.Observe(Run(120s, FC::kOk), false, "").note.empty());  // said once

  // Errors that outlast the window are not a migration: nothing is said.
  RolloutTracker slow = Tracker();
  slow.Observe(Run(0s, FC::kToolError), true, "1 → 2");
  slow.Observe(Run(200s, FC::kToolError), false, "");
  CHECK(slow.Observe(Run(301s, FC::kOk), false, "").note.empty());
}

}  // namespace
}  // namespace mcpwatch
