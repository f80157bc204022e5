#include "checks/target_tracker.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

// A run of the target at `total` ms whose server reports `version`.
Transcript Run(milliseconds total, const std::string& version) {
  Transcript t;
  for (Step s : {Step::kInitialize, Step::kInitialized, Step::kToolsList, Step::kPing,
                 Step::kClose}) {
    StepRecord r;
    r.step = s;
    r.http_status = s == Step::kInitialized ? 202 : 200;
    r.had_session = s != Step::kInitialize;
    r.duration = s == Step::kInitialize ? total - 10ms : 2ms;
    t.steps.push_back(r);
  }
  t.server = {.name = "shop", .version = version, .title = ""};
  t.protocol_version = "2025-06-18";
  t.timings.total = total;
  return t;
}

struct Feed {
  TargetTracker tracker{"shop", TrackerPolicy{}};
  std::vector<Event> events;

  // One run every 60 s from `from`, `count` times; returns the time after the last.
  TimePoint Runs(TimePoint from, int count, milliseconds total, const std::string& version) {
    for (int i = 0; i < count; ++i, from += 60s) {
      TrackerOutput out = tracker.Observe("http://127.0.0.1/mcp", from, Run(total, version), false);
      events.insert(events.end(), out.events.begin(), out.events.end());
    }
    return from;
  }
  std::vector<Event> Of(EventKind k) const {
    std::vector<Event> found;
    for (const Event& e : events) {
      if (e.kind == k) found.push_back(e);
    }
    return found;
  }
};

// Start times with a sub-second part, as real runs have.
const TimePoint kStart = TimePoint(1'750'000'000s) + 700ms;

TEST_CASE("tracker: a deploy that slows every run is one deploy_regression, judged on the "
          "runs after it") {
  Feed f;
  TimePoint t = f.Runs(kStart, 60, 100ms, "1.0");  // an hour of healthy runs
  REQUIRE(f.Of(EventKind::kDeploy).empty());
  const TimePoint deploy_at = t;
  t = f.Runs(t, 2, 900ms, "2.0");
  REQUIRE(f.Of(EventKind::kDeploy).size() == 1);
  CHECK(f.Of(EventKind::kDeploy)[0].at == deploy_at);
  // min_after_runs is 3: the run that saw the deploy counts, so the third run decides.
  CHECK(f.Of(EventKind::kDeployRegression).empty());
  f.Runs(t, 1, 900ms, "2.0");
  const auto regressions = f.Of(EventKind::kDeployRegression);
  REQUIRE(regressions.size() == 1);
  CHECK(regressions[0].at == deploy_at + 120s);
  CHECK_THAT(regressions[0].details.dump(), Catch::Contains("100 ms"));
  // Once reported, later slow runs of the same deploy say nothing more.
  f.Runs(t + 60s, 20, 900ms, "2.0");
  CHECK(f.Of(EventKind::kDeployRegression).size() == 1);
}

TEST_CASE("tracker: a deploy that changes nothing is a deploy without a regression") {
  Feed f;
  TimePoint t = f.Runs(kStart, 60, 100ms, "1.0");
  f.Runs(t, 40, 105ms, "2.0");
  CHECK(f.Of(EventKind::kDeploy).size() == 1);
  CHECK(f.Of(EventKind::kDeployRegression).empty());
}

TEST_CASE("tracker: the regression window only compares recent runs") {
  Feed f;
  // A slow day long ago, then 2 h of fast runs: the slow runs are outside the before window
  // (1 h) and must not make the "before" median look slow.
  TimePoint t = f.Runs(kStart, 600, 1500ms, "1.0");
  t = f.Runs(t, 120, 100ms, "1.0");
  t = f.Runs(t, 3, 900ms, "2.0");
  CHECK(f.Of(EventKind::kDeployRegression).size() == 1);
}

}  // namespace
}  // namespace mcpwatch
