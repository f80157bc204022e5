#include "server/rate_limiter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

int AdmittedOf(RateLimiter& limiter, std::string_view client, int tries, Clock::time_point at) {
  int admitted = 0;
  for (int i = 0; i < tries; ++i) admitted += limiter.Admit(client, at) ? 0 : 1;
  return admitted;
}

TEST_CASE("RateLimiter admits a burst, then refuses with the time until the next token") {
  RateLimiter limiter({.per_second = 2, .burst = 5, .max_clients = 10});
  const Clock::time_point t0{};
  CHECK(AdmittedOf(limiter, "10.0.0.1", 5, t0) == 5);
  CHECK(limiter.Admit("10.0.0.1", t0) == std::chrono::seconds(1));  // half a second, rounded up

  // Refill at 2 per second: after 1 s two more, never more than the burst.
  CHECK(AdmittedOf(limiter, "10.0.0.1", 5, t0 + 1s) == 2);
  CHECK(AdmittedOf(limiter, "10.0.0.1", 10, t0 + 1h) == 5);
}

TEST_CASE("RateLimiter's Retry-After covers a slow refill") {
  RateLimiter limiter({.per_second = 0.25, .burst = 1, .max_clients = 10});
  const Clock::time_point t0{};
  CHECK_FALSE(limiter.Admit("a", t0));
  CHECK(limiter.Admit("a", t0) == std::chrono::seconds(4));
  CHECK(limiter.Admit("a", t0 + 3s) == std::chrono::seconds(1));  // 0.75 of a token back
  CHECK_FALSE(limiter.Admit("a", t0 + 4s));
}

TEST_CASE("RateLimiter keeps one bucket per client") {
  RateLimiter limiter({.per_second = 1, .burst = 3, .max_clients = 10});
  const Clock::time_point t0{};
  CHECK(AdmittedOf(limiter, "a", 4, t0) == 3);
  CHECK(AdmittedOf(limiter, "b", 4, t0) == 3);  // a's exhaustion does not touch b
  CHECK(limiter.TrackedClients() == 2);
}

TEST_CASE("RateLimiter tracks at most max_clients, evicting the least recently seen") {
  RateLimiter limiter({.per_second = 1, .burst = 2, .max_clients = 3});
  const Clock::time_point t0{};
  CHECK(AdmittedOf(limiter, "a", 2, t0) == 2);
  CHECK(AdmittedOf(limiter, "b", 2, t0) == 2);
  CHECK(AdmittedOf(limiter, "c", 2, t0) == 2);
  CHECK(limiter.Admit("a", t0));                // a is now the most recent, and still empty
  CHECK(AdmittedOf(limiter, "d", 1, t0) == 1);  // evicts b, seen least recently
  CHECK(limiter.TrackedClients() == 3);
  CHECK(limiter.Admit("a", t0));                // a kept its (empty) bucket
  CHECK(AdmittedOf(limiter, "b", 2, t0) == 2);  // b starts again full; this evicted c
  CHECK(limiter.TrackedClients() == 3);
  for (int i = 0; i < 1000; ++i) limiter.Admit("x" + std::to_string(i), t0);
  CHECK(limiter.TrackedClients() == 3);
}

TEST_CASE("RateLimiter admits exactly the burst across threads") {
  RateLimiter limiter({.per_second = 1, .burst = 100, .max_clients = 10});
  const Clock::time_point t0{};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] { admitted += AdmittedOf(limiter, "same", 50, t0); });
  }
  for (auto& thread : threads) thread.join();
  CHECK(admitted == 100);
}

}  // namespace
}  // namespace mcpwatch
