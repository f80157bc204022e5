#include "checks/baseline.h"

#include <catch2/catch.hpp>
#include <random>

#include "checks/target_state.h"

namespace mcpwatch {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = std::chrono::system_clock;

const Clock::time_point kT0 = Clock::time_point(std::chrono::seconds(1'750'000'000));

StepRecord OkStep(Step s, microseconds d) {
  StepRecord r;
  r.step = s;
  r.http_status = 200;
  r.duration = d;
  return r;
}

ProbeResult Run(Clock::time_point at, FailureClass cls, microseconds init, microseconds list,
                microseconds total) {
  ProbeResult r;
  r.started_at = at;
  r.verdict.cls = cls;
  r.transcript.steps.push_back(OkStep(Step::kInitialize, init));
  r.transcript.steps.push_back(OkStep(Step::kToolsList, list));
  r.transcript.timings.total = total;
  return r;
}

ProbeResult OkRun(Clock::time_point at, microseconds total) {
  return Run(at, FailureClass::kOk, total / 4, total / 4, total);
}

}  // namespace

TEST_CASE("baseline phases have one spelling each", "[baseline]") {
  CHECK(ToString(BaselinePhase::kInitialize) == "initialize");
  CHECK(ToString(BaselinePhase::kToolsList) == "tools_list");
  CHECK(ToString(BaselinePhase::kToolCall) == "tool_call");
  CHECK(ToString(BaselinePhase::kTotal) == "total");
}

TEST_CASE("DurationsOf takes passed steps and the run total", "[baseline]") {
  ProbeResult r =
      Run(kT0, FailureClass::kOk, microseconds(100), microseconds(200), microseconds(400));
  StepRecord failed = OkStep(Step::kToolCall, microseconds(50));
  failed.finding = Finding::kToolIsError;
  r.transcript.steps.push_back(failed);
  const PhaseDurations d = DurationsOf(r);
  CHECK(d[0] == microseconds(100));
  CHECK(d[1] == microseconds(200));
  CHECK_FALSE(d[2].has_value());  // the tool call did not pass
  CHECK(d[3] == microseconds(400));
}

TEST_CASE("median and MAD over known samples", "[baseline]") {
  BaselineTracker t;
  for (int ms : {5, 1, 4, 2, 3}) {
    t.Add(OkRun(kT0 + std::chrono::seconds(ms), milliseconds(ms)));
  }
  PhaseBaseline b = t.Baseline(BaselinePhase::kTotal);
  CHECK(b.samples == 5);
  CHECK(b.median == milliseconds(3));
  CHECK(b.mad == milliseconds(1));  // deviations 2,1,0,1,2
  CHECK(t.Baseline(BaselinePhase::kToolCall).samples == 0);
  CHECK_FALSE(t.Ready(BaselinePhase::kToolCall, 1));

  t.Add(OkRun(kT0 + std::chrono::seconds(10), milliseconds(10)));  // even count: mean of middle
  b = t.Baseline(BaselinePhase::kTotal);
  CHECK(b.samples == 6);
  CHECK(b.median == microseconds(3500));
  CHECK(t.Ready(BaselinePhase::kTotal, 6));
  CHECK_FALSE(t.Ready(BaselinePhase::kTotal, 7));
}

TEST_CASE("failed and latency_spike runs never enter the baseline", "[baseline]") {
  BaselineTracker t;
  for (int i = 0; i < 10; ++i) t.Add(OkRun(kT0 + std::chrono::seconds(i), milliseconds(100)));
  t.Add(Run(kT0 + std::chrono::seconds(20), FailureClass::kLatencySpike, milliseconds(9000),
            milliseconds(9000), milliseconds(18000)));
  t.Add(Run(kT0 + std::chrono::seconds(21), FailureClass::kTimeout, milliseconds(9000),
            milliseconds(9000), milliseconds(18000)));
  const PhaseBaseline b = t.Baseline(BaselinePhase::kTotal);
  CHECK(b.samples == 10);
  CHECK(b.median == milliseconds(100));
}

TEST_CASE("the ring keeps only the most recent samples", "[baseline]") {
  BaselineTracker t(BaselineOptions{.capacity = 8, .window = std::chrono::hours(24)});
  for (int i = 0; i < 20; ++i) {
    t.Add(OkRun(kT0 + std::chrono::seconds(i), milliseconds(i < 12 ? 1000 : 10)));
  }
  CHECK(t.Size() == 8);
  CHECK(t.Baseline(BaselinePhase::kTotal).median == milliseconds(10));
}

TEST_CASE("samples older than the window are dropped", "[baseline]") {
  BaselineTracker t;  // 7 days
  for (int i = 0; i < 30; ++i) t.Add(OkRun(kT0 + std::chrono::minutes(i), milliseconds(500)));
  CHECK(t.Baseline(BaselinePhase::kTotal).samples == 30);
  // Eight days later, even a failed run moves time on and empties the stale baseline.
  t.Add(Run(kT0 + std::chrono::hours(24 * 8), FailureClass::kConnectionRefused, microseconds(0),
            microseconds(0), microseconds(0)));
  CHECK(t.Baseline(BaselinePhase::kTotal).samples == 0);
  t.Add(OkRun(kT0 + std::chrono::hours(24 * 8) + std::chrono::minutes(1), milliseconds(40)));
  CHECK(t.Baseline(BaselinePhase::kTotal).samples == 1);
  CHECK(t.Baseline(BaselinePhase::kTotal).median == milliseconds(40));
}

TEST_CASE("spike rule: factor, MAD and absolute margin must all agree", "[baseline]") {
  struct Row {
    const char* name;
    PhaseBaseline baseline;
    microseconds value;
    bool spike;
  };
  const PhaseBaseline fast{microseconds(2000), microseconds(200), 100};
  const PhaseBaseline normal{milliseconds(200), milliseconds(20), 100};
  const PhaseBaseline noisy{milliseconds(200), milliseconds(100), 100};
  const PhaseBaseline cold{milliseconds(200), milliseconds(20), 19};
  const Row rows[] = {
      {"2 ms jitter to 3 ms", fast, microseconds(3000), false},
      {"2 ms to 6 ms", fast, microseconds(6000), false},
      {"2 ms to 50 ms (under the margin)", fast, milliseconds(50), false},
      {"2 ms to 252 ms (exactly the margin)", fast, milliseconds(252), false},
      {"2 ms to 300 ms", fast, milliseconds(300), true},
      {"200 ms to 9 s", normal, milliseconds(9000), true},
      {"200 ms to 500 ms (under 3x)", normal, milliseconds(500), false},
      {"200 ms to 650 ms", normal, milliseconds(650), true},
      {"noisy 200 ms to 650 ms (under median + 6 MAD)", noisy, milliseconds(650), false},
      {"noisy 200 ms to 900 ms", noisy, milliseconds(900), true},
      {"cold baseline 200 ms to 9 s", cold, milliseconds(9000), false},
      {"empty baseline", PhaseBaseline{}, milliseconds(9000), false},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    CHECK(IsSpike(row.value, row.baseline, SpikeRule{}) == row.spike);
  }
}

TEST_CASE("a built baseline flags 200 ms -> 9 s and not its own jitter", "[baseline]") {
  BaselineTracker t;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> jitter(200.0, 10.0);
  for (int i = 0; i < 64; ++i) {
    const auto ms = static_cast<int64_t>(jitter(rng) * 1000.0);
    t.Add(OkRun(kT0 + std::chrono::minutes(i), microseconds(ms)));
  }
  const PhaseBaseline b = t.Baseline(BaselinePhase::kTotal);
  CHECK(b.median > milliseconds(190));
  CHECK(b.median < milliseconds(210));
  CHECK(IsSpike(milliseconds(9000), b, SpikeRule{}));
  CHECK_FALSE(IsSpike(milliseconds(240), b, SpikeRule{}));
}

// Soak: 10,000 healthy runs with lognormal jitter through baseline, spike rule and state
// machine, as the daemon chains them: no spike, no state change after the first success.
TEST_CASE("soak: 10,000 healthy runs give no spike and no state change", "[baseline][soak]") {
  struct Profile {
    double median_ms;
    double sigma;
  };
  for (const Profile p : {Profile{2.0, 0.5}, Profile{200.0, 0.2}, Profile{1500.0, 0.25}}) {
    INFO("median " << p.median_ms << " ms, sigma " << p.sigma);
    std::mt19937_64 rng(20250618);
    std::lognormal_distribution<double> noise(std::log(p.median_ms * 1000.0), p.sigma);
    BaselineTracker baseline;
    TargetStateMachine state;
    int spikes = 0;
    int transitions = 0;
    for (int i = 0; i < 10'000; ++i) {
      const auto at = kT0 + std::chrono::seconds(60) * i;
      const microseconds total(static_cast<int64_t>(noise(rng)));
      ProbeResult r = OkRun(at, total);
      if (IsSpike(total, baseline.Baseline(BaselinePhase::kTotal), SpikeRule{})) {
        r.verdict.cls = FailureClass::kLatencySpike;
        ++spikes;
      }
      baseline.Add(r);
      if (state.Observe(r.verdict.cls, false, at).transition) ++transitions;
    }
    CHECK(spikes == 0);
    CHECK(transitions == 1);  // unknown -> up on the first run, nothing after
    CHECK(state.State() == TargetState::kUp);
    CHECK(baseline.Baseline(BaselinePhase::kTotal).samples == 128);
  }
}

}  // namespace mcpwatch
