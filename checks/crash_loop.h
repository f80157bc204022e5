// Crash loops (DESIGN §6): a process that keeps restarting shows as up <-> connection_refused /
// unavailable flips. One event per episode, not one per flip.
//
// Time: system_clock (run start times). No clock is read here. Not thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "checks/failure_class.h"

namespace mcpwatch {

struct CrashLoopPolicy {
  int flips = 3;  // flips within `window` that make a crash loop (1..16)
  std::chrono::seconds window{600};
};

struct CrashLoop {
  std::chrono::system_clock::time_point at{};          // the flip that completed the pattern
  std::chrono::system_clock::time_point first_flip{};  // the oldest flip counted
  int flips = 0;
  FailureClass failure = FailureClass::kConnectionRefused;  // the latest restart-like failure
};

// {"at", "first_flip", "flips", "window_seconds", "failure"}
nlohmann::json ToJson(const CrashLoop& c, const CrashLoopPolicy& policy);

// True for the classes a restarting process produces: connection_refused, unavailable.
bool IsRestartFailure(FailureClass c);

class CrashLoopDetector {
 public:
  static constexpr int kMaxFlips = 16;

  explicit CrashLoopDetector(CrashLoopPolicy policy = {});

  // Feeds one run. A flip is a change between success (ok or latency_spike) and a restart-like
  // failure; other failure classes neither flip nor reset. Emits once per episode: an episode
  // ends when `window` passes with no flip.
  std::optional<CrashLoop> Observe(FailureClass c, std::chrono::system_clock::time_point at);

  bool InEpisode() const { return in_episode_; }

 private:
  enum class Side : unsigned char { kNone, kUp, kRestarting };

  CrashLoopPolicy policy_;
  Side side_ = Side::kNone;
  bool in_episode_ = false;
  FailureClass last_failure_ = FailureClass::kConnectionRefused;
  std::array<std::chrono::system_clock::time_point, kMaxFlips> flips_{};  // ring
  int head_ = 0;                                                          // next slot
  int count_ = 0;  // flips kept (at most kMaxFlips)
};

}  // namespace mcpwatch
