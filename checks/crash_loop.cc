#include "checks/crash_loop.h"

#include <algorithm>

#include "checks/event.h"

namespace mcpwatch {

bool IsRestartFailure(FailureClass c) {
  return c == FailureClass::kConnectionRefused || c == FailureClass::kUnavailable;
}

nlohmann::json ToJson(const CrashLoop& c, const CrashLoopPolicy& policy) {
  return nlohmann::json{{"at", FormatTimestamp(c.at)},
                        {"first_flip", FormatTimestamp(c.first_flip)},
                        {"flips", c.flips},
                        {"window_seconds", policy.window.count()},
                        {"failure", ToString(c.failure)}};
}

CrashLoopDetector::CrashLoopDetector(CrashLoopPolicy policy) : policy_(policy) {
  policy_.flips = std::clamp(policy_.flips, 1, kMaxFlips);
}

std::optional<CrashLoop> CrashLoopDetector::Observe(FailureClass c,
                                                    std::chrono::system_clock::time_point at) {
  Side side = Side::kNone;
  if (IsSuccess(c)) side = Side::kUp;
  if (IsRestartFailure(c)) {
    side = Side::kRestarting;
    last_failure_ = c;
  }
  // Flips older than the window no longer count; an episode ends after a quiet window.
  const auto newest = count_ > 0 ? flips_[static_cast<size_t>((head_ + kMaxFlips - 1) % kMaxFlips)]
                                 : std::chrono::system_clock::time_point{};
  if (count_ > 0 && at - newest >= policy_.window) {
    count_ = 0;
    in_episode_ = false;
  }
  if (side == Side::kNone) return std::nullopt;  // other failures neither flip nor reset
  const bool flipped = side_ != Side::kNone && side != side_;
  side_ = side;
  if (!flipped) return std::nullopt;

  flips_[static_cast<size_t>(head_)] = at;
  head_ = (head_ + 1) % kMaxFlips;
  count_ = std::min(count_ + 1, kMaxFlips);
  // Count the flips inside the window ending now.
  int recent = 0;
  std::chrono::system_clock::time_point first = at;
  for (int i = 0; i < count_; ++i) {
    const auto t = flips_[static_cast<size_t>((head_ + kMaxFlips - 1 - i) % kMaxFlips)];
    if (at - t >= policy_.window) break;
    ++recent;
    first = t;
  }
  if (in_episode_ || recent < policy_.flips) return std::nullopt;
  in_episode_ = true;
  return CrashLoop{at, first, recent, last_failure_};
}

}  // namespace mcpwatch
