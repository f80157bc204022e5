#include "checks/cert_expiry.h"

#include <catch2/catch.hpp>
#include <vector>

namespace mcpwatch {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::hours;

const Clock::time_point kT0 = Clock::time_point(std::chrono::seconds(1'750'000'000));
constexpr hours kDay(24);

}  // namespace

TEST_CASE("each threshold fires once as a certificate ages", "[cert]") {
  CertExpiryTracker t;
  const Clock::time_point not_after = kT0 + 60 * kDay;
  std::vector<int> fired_days;
  for (int day = 0; day <= 70; ++day) {
    for (int run = 0; run < 24; ++run) {  // hourly runs
      const auto e = t.Observe(not_after, kT0 + day * kDay + hours(run));
      if (!e) continue;
      CHECK(e->not_after == not_after);
      CHECK(e->remaining <= e->threshold);
      fired_days.push_back(static_cast<int>(e->threshold.count() / 24));
    }
  }
  CHECK(fired_days == std::vector<int>{30, 14, 7});
}

TEST_CASE("a first sighting inside several thresholds is one event", "[cert]") {
  CertExpiryTracker t;
  const auto e = t.Observe(kT0 + 5 * kDay, kT0);
  REQUIRE(e);
  CHECK(e->threshold == 7 * kDay);
  CHECK(e->remaining == std::chrono::seconds(5 * 24 * 3600));
  const nlohmann::json j = ToJson(*e);
  CHECK(j["threshold_days"] == 7);
  CHECK(j["remaining_seconds"] == 5 * 24 * 3600);
  CHECK_FALSE(t.Observe(kT0 + 5 * kDay, kT0 + hours(1)));
  CHECK_FALSE(t.Observe(kT0 + 5 * kDay, kT0 + 6 * kDay));  // expired: nothing new to say
  CHECK_FALSE(t.Observe(std::nullopt, kT0 + 6 * kDay));
}

TEST_CASE("a renewed certificate re-arms every threshold", "[cert]") {
  CertExpiryTracker t;
  CHECK(t.Observe(kT0 + 20 * kDay, kT0));  // 30 d crossed
  // Renewed: 90 days left, nothing to say until it ages.
  const Clock::time_point renewed = kT0 + 110 * kDay;
  CHECK_FALSE(t.Observe(renewed, kT0 + kDay));
  const auto e = t.Observe(renewed, renewed - 29 * kDay);
  REQUIRE(e);
  CHECK(e->threshold == 30 * kDay);
  CHECK(e->not_after == renewed);
}

TEST_CASE("two certificates behind a load balancer do not flap", "[cert]") {
  CertExpiryTracker t;
  const Clock::time_point old_cert = kT0 + 10 * kDay;
  const Clock::time_point new_cert = kT0 + 80 * kDay;
  std::vector<hours> fired;
  for (int i = 0; i < 60; ++i) {  // 60 hours: the old certificate stays above 7 days
    const auto e = t.Observe(i % 2 == 0 ? old_cert : new_cert, kT0 + hours(i));
    if (e) {
      CHECK(e->not_after == old_cert);
      fired.push_back(e->threshold);
    }
  }
  CHECK(fired == std::vector<hours>{14 * kDay});
}

TEST_CASE("custom thresholds are sorted and de-duplicated", "[cert]") {
  CertExpiryTracker t({hours(24), hours(72), hours(24), hours(0)});
  const Clock::time_point not_after = kT0 + 10 * kDay;
  std::vector<hours> fired;
  for (int h = 0; h < 10 * 24; ++h) {
    if (const auto e = t.Observe(not_after, kT0 + hours(h))) fired.push_back(e->threshold);
  }
  CHECK(fired == std::vector<hours>{hours(72), hours(24)});
}

}  // namespace mcpwatch
