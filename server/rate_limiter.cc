#include "server/rate_limiter.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace mcpwatch {

RateLimiter::RateLimiter(Options options) : options_(options) {
  assert(options_.per_second > 0 && options_.burst >= 1 && options_.max_clients >= 1);
}

RateLimiter::Bucket& RateLimiter::Find(std::string_view client, Clock::time_point now) {
  const std::string key(client);
  auto it = buckets_.find(key);
  if (it != buckets_.end()) {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    return it->second;
  }
  if (buckets_.size() >= options_.max_clients) {
    buckets_.erase(recency_.back());
    recency_.pop_back();
  }
  recency_.push_front(key);
  return buckets_.emplace(key, Bucket{options_.burst, now, recency_.begin()}).first->second;
}

std::optional<std::chrono::seconds> RateLimiter::Admit(std::string_view client,
                                                       Clock::time_point now) {
  std::lock_guard lock(mu_);
  Bucket& bucket = Find(client, now);
  if (now > bucket.refilled) {
    const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
    bucket.tokens = std::min(options_.burst, bucket.tokens + elapsed * options_.per_second);
    bucket.refilled = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  const double wait = std::ceil((1 - bucket.tokens) / options_.per_second);
  return std::chrono::seconds(std::max(1LL, static_cast<long long>(wait)));
}

size_t RateLimiter::TrackedClients() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace mcpwatch
