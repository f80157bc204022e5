#include "checks/crash_loop.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using Clock = std::chrono::system_clock;
using FC = FailureClass;
using std::chrono::minutes;

const Clock::time_point kT0 = Clock::time_point(std::chrono::seconds(1'750'000'000));

// Feeds `n` runs one minute apart from `start`, alternating ok and `failure`; returns how many
// crash loops were reported.
int Flap(CrashLoopDetector& d, Clock::time_point start, int n, FC failure) {
  int events = 0;
  for (int i = 0; i < n; ++i) {
    if (d.Observe(i % 2 == 0 ? FC::kOk : failure, start + minutes(i))) ++events;
  }
  return events;
}

}  // namespace

TEST_CASE("flapping between up and refused is one crash loop per episode", "[crash_loop]") {
  CrashLoopDetector d;
  CHECK_FALSE(d.Observe(FC::kOk, kT0));
  CHECK_FALSE(d.Observe(FC::kConnectionRefused, kT0 + minutes(1)));       // flip 1
  CHECK_FALSE(d.Observe(FC::kOk, kT0 + minutes(2)));                      // flip 2
  const auto loop = d.Observe(FC::kConnectionRefused, kT0 + minutes(3));  // flip 3
  REQUIRE(loop);
  CHECK(loop->at == kT0 + minutes(3));
  CHECK(loop->first_flip == kT0 + minutes(1));
  CHECK(loop->flips == 3);
  CHECK(loop->failure == FC::kConnectionRefused);
  CHECK(d.InEpisode());
  const nlohmann::json j = ToJson(*loop, CrashLoopPolicy{});
  CHECK(j["flips"] == 3);
  CHECK(j["window_seconds"] == 600);
  CHECK(j["failure"] == "connection_refused");

  // An hour more of flapping: still the same episode.
  CHECK(Flap(d, kT0 + minutes(4), 60, FC::kUnavailable) == 0);
  // Ten quiet minutes end the episode; the next flapping is a new one.
  for (int i = 0; i <= 10; ++i) CHECK_FALSE(d.Observe(FC::kOk, kT0 + minutes(64 + i)));
  CHECK(Flap(d, kT0 + minutes(75), 10, FC::kUnavailable) == 1);
}

TEST_CASE("slow flips, other failures and steady states are not crash loops", "[crash_loop]") {
  SECTION("flips further apart than the window") {
    CrashLoopDetector d;
    for (int i = 0; i < 20; ++i) {
      CHECK_FALSE(d.Observe(i % 2 == 0 ? FC::kOk : FC::kConnectionRefused, kT0 + minutes(6 * i)));
    }
  }
  SECTION("timeouts and tool errors do not flip") {
    CrashLoopDetector d;
    CHECK(Flap(d, kT0, 30, FC::kTimeout) == 0);
    CHECK(Flap(d, kT0 + minutes(30), 30, FC::kToolError) == 0);
  }
  SECTION("a process that stays down") {
    CrashLoopDetector d;
    CHECK_FALSE(d.Observe(FC::kOk, kT0));
    for (int i = 1; i < 30; ++i) CHECK_FALSE(d.Observe(FC::kConnectionRefused, kT0 + minutes(i)));
  }
  SECTION("a timeout between up and refused does not hide a flip") {
    CrashLoopDetector d(CrashLoopPolicy{.flips = 2, .window = std::chrono::seconds(600)});
    CHECK_FALSE(d.Observe(FC::kOk, kT0));
    CHECK_FALSE(d.Observe(FC::kTimeout, kT0 + minutes(1)));
    CHECK_FALSE(d.Observe(FC::kConnectionRefused, kT0 + minutes(2)));
    CHECK(d.Observe(FC::kLatencySpike, kT0 + minutes(3)));
  }
  CHECK(IsRestartFailure(FC::kConnectionRefused));
  CHECK(IsRestartFailure(FC::kUnavailable));
  CHECK_FALSE(IsRestartFailure(FC::kConnectTimeout));
}

}  // namespace mcpwatch
