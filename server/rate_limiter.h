// A token bucket per client address in front of the HTTP routes: each client may send `burst`
// requests at once and `per_second` on average after that; a request over the budget is told
// how long to wait (the 429's Retry-After). At most `max_clients` buckets are kept: a new client
// beyond that evicts the one seen least recently (which then starts again with a full bucket),
// so memory is bounded whatever addresses arrive.
//
// Thread-safety: Admit() may be called from any thread. Time is passed in, so tests need no
// sleeps.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mcpwatch {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    double per_second = 50;     // refill rate, > 0
    double burst = 100;         // bucket size, >= 1
    size_t max_clients = 4096;  // tracked addresses, >= 1
  };

  explicit RateLimiter(Options options);

  // nullopt: admitted (one token taken). Otherwise refused, and the time until a token is back
  // (at least one second, whole seconds: what Retry-After can say).
  std::optional<std::chrono::seconds> Admit(std::string_view client, Clock::time_point now);

  size_t TrackedClients() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled;
    std::list<std::string>::iterator recency;  // position in recency_
  };

  Bucket& Find(std::string_view client, Clock::time_point now);  // under mu_

  const Options options_;
  mutable std::mutex mu_;  // guards buckets_ and recency_
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> recency_;  // most recently seen first
};

}  // namespace mcpwatch
