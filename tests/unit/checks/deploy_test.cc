#include "checks/deploy.h"

#include <catch2/catch.hpp>
#include <vector>

namespace mcpwatch {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::milliseconds;
using std::chrono::minutes;

const Clock::time_point kT0 = Clock::time_point(std::chrono::seconds(1'750'000'000));

ProbeResult Run(Clock::time_point at, FailureClass cls, const char* version, const char* hash) {
  ProbeResult r;
  r.started_at = at;
  r.verdict.cls = cls;
  r.transcript.server.version = version;
  r.transcript.tools_hash = hash;
  return r;
}

// `failures` failed runs spread among `n` runs every 5 minutes starting at `from`; successful
// runs take `latency`.
std::vector<RunSample> Window(Clock::time_point from, int n, int failures, milliseconds latency) {
  std::vector<RunSample> out;
  for (int i = 0; i < n; ++i) {
    const bool fail = i % n < failures;
    out.push_back(RunSample{from + minutes(5) * i, !fail, fail ? milliseconds(0) : latency});
  }
  return out;
}

}  // namespace

TEST_CASE("a deploy is a new version or tool hash, never the first run", "[deploy]") {
  DeployDetector d;
  CHECK_FALSE(d.Observe(Run(kT0, FailureClass::kOk, "1.0.0", "aaa")));
  CHECK(d.Seeded());
  CHECK_FALSE(d.Observe(Run(kT0 + minutes(1), FailureClass::kOk, "1.0.0", "aaa")));
  // Failed runs say nothing about what is deployed.
  CHECK_FALSE(d.Observe(Run(kT0 + minutes(2), FailureClass::kUnavailable, "", "")));

  const auto v = d.Observe(Run(kT0 + minutes(3), FailureClass::kOk, "1.1.0", "aaa"));
  REQUIRE(v);
  CHECK(v->at == kT0 + minutes(3));
  CHECK(v->old_version == "1.0.0");
  CHECK(v->new_version == "1.1.0");
  CHECK(v->VersionChanged());
  CHECK_FALSE(v->ToolsChanged());

  const auto h = d.Observe(Run(kT0 + minutes(4), FailureClass::kLatencySpike, "1.1.0", "bbb"));
  REQUIRE(h);
  CHECK_FALSE(h->VersionChanged());
  CHECK(h->ToolsChanged());
  CHECK(h->old_tools_hash == "aaa");
  CHECK(h->new_tools_hash == "bbb");

  // An unmeasured hash keeps the last one.
  CHECK_FALSE(d.Observe("1.1.0", "", kT0 + minutes(5)));

  const nlohmann::json j = ToJson(*h);
  CHECK(j["old_tools_hash"] == "aaa");
  CHECK(j["tools_changed"] == true);
  CHECK(j["version_changed"] == false);
}

TEST_CASE("a restored detector does not call a restart a deploy", "[deploy]") {
  DeployDetector d;
  d.Restore("2.0.0", "ccc");
  CHECK_FALSE(d.Observe("2.0.0", "ccc", kT0));
  CHECK(d.Observe("2.0.1", "ccc", kT0 + minutes(1)));
}

TEST_CASE("deploy regression: with and without a real regression", "[deploy]") {
  struct Row {
    const char* name;
    int before_failures;
    milliseconds before_latency;
    int after_runs;
    int after_failures;
    milliseconds after_latency;
    bool decided;
    bool regressed;
  };
  const Row rows[] = {
      {"healthy deploy", 0, milliseconds(100), 6, 0, milliseconds(110), true, false},
      {"errors after deploy", 0, milliseconds(100), 5, 3, milliseconds(100), true, true},
      {"one error is noise", 0, milliseconds(100), 6, 1, milliseconds(100), true, false},
      {"10% -> 40% errors", 1, milliseconds(100), 5, 2, milliseconds(100), true, true},
      {"50% -> 80% is not twice as bad", 5, milliseconds(100), 5, 4, milliseconds(100), true,
       false},
      {"200 ms -> 900 ms", 0, milliseconds(200), 5, 0, milliseconds(900), true, true},
      {"2 ms -> 6 ms is under the margin", 0, milliseconds(2), 5, 0, milliseconds(6), true, false},
      {"300 ms -> 500 ms is under the margin", 0, milliseconds(300), 5, 0, milliseconds(500), true,
       false},
      {"300 ms -> 700 ms", 0, milliseconds(300), 5, 0, milliseconds(700), true, true},
      {"too few runs after", 0, milliseconds(100), 2, 2, milliseconds(100), false, false},
  };
  const Clock::time_point deploy = kT0 + std::chrono::hours(1);
  for (const Row& row : rows) {
    INFO(row.name);
    std::vector<RunSample> runs =
        Window(deploy - minutes(50), 10, row.before_failures, row.before_latency);
    const auto after = Window(deploy, row.after_runs, row.after_failures, row.after_latency);
    runs.insert(runs.end(), after.begin(), after.end());
    // Outside both windows: ignored.
    runs.push_back(RunSample{deploy - std::chrono::hours(2), false, milliseconds(0)});
    runs.push_back(RunSample{deploy + std::chrono::hours(2), false, milliseconds(0)});
    const DeployRegression r = AssessDeployRegression(deploy, runs);
    CHECK(r.decided == row.decided);
    CHECK(r.regressed == row.regressed);
    CHECK(r.before.runs == 10);
    CHECK(r.after.runs == row.after_runs);
    CHECK(r.after.failures == row.after_failures);
    CHECK_FALSE(r.reason.empty());
  }
}

TEST_CASE("regression figures and reason", "[deploy]") {
  const Clock::time_point deploy = kT0;
  std::vector<RunSample> runs = Window(deploy - minutes(50), 10, 0, milliseconds(200));
  const auto after = Window(deploy, 4, 2, milliseconds(900));
  runs.insert(runs.end(), after.begin(), after.end());
  const DeployRegression r = AssessDeployRegression(deploy, runs);
  REQUIRE(r.regressed);
  CHECK(r.before.error_rate == 0.0);
  CHECK(r.after.error_rate == 0.5);
  CHECK(r.before.median == milliseconds(200));
  CHECK(r.after.median == milliseconds(900));
  CHECK(r.after.latency_samples == 2);
  CHECK(r.reason == "error rate 0% -> 50%; median latency 200 ms -> 900 ms");
  const nlohmann::json j = ToJson(r);
  CHECK(j["regressed"] == true);
  CHECK(j["after"]["median_ms"] == 900.0);
  CHECK(j["before"]["runs"] == 10);
}

}  // namespace mcpwatch
