// A rate limiter falling open (issue 11, item 4): the operator declares a target's limit; on a
// schedule of its own mcpwatch sends slightly more tool calls than the limit within the window,
// and when none of them is limited the limiter is not enforcing (its backing store is probably
// gone and it fails open). One burst can straddle a fixed window's boundary and pass honestly,
// so an unlimited burst is confirmed by a second one a window later before anything is said.
//
// Pure: the daemon sends the calls and hands back each call's transcript. Time: steady_clock
// (a schedule), passed in. Not thread-safe.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "checks/probe_spec.h"
#include "checks/target_state.h"
#include "checks/transcript.h"

namespace mcpwatch {

// Config `rate_limit_check: {limit, window, every, tool, arguments}` of one target.
struct RateLimitSpec {
  int limit = 0;  // calls the target allows per window (1..kMaxRateLimit)
  std::chrono::milliseconds window{60000};
  std::chrono::milliseconds every{3600000};  // a burst at most this often
  ToolCallSpec tool;                         // a read-only tool the operator names
};

inline constexpr int kMaxRateLimit = 500;
// Calls in flight at once during a burst (the rest follow as these finish).
inline constexpr int kBurstConcurrency = 16;

// Calls in one burst: the limit plus a tenth, at least 2 more (bounded by the limit's bound).
int BurstSize(int limit);

enum class BurstCall { kLimited, kPassed, kFailed };

// One call of a burst: limited by HTTP 429 at any step, or a tool call refused with a JSON-RPC
// error or isError result that names a rate limit; passed when the tool call answered; failed
// otherwise (the server broke for some other reason).
BurstCall JudgeBurstCall(const Transcript& t);

struct BurstOutcome {
  int sent = 0;
  int limited = 0;
  int passed = 0;
  int failed = 0;
  std::chrono::milliseconds took{0};  // first call sent to last call answered
};

void Count(BurstOutcome& outcome, BurstCall call);

enum class RateLimitFinding {
  kEnforced,      // at least one call was limited
  kNotEnforcing,  // none was, and more than `limit` calls passed within the window
  kInconclusive,  // too many calls failed otherwise, or the burst took longer than the window
};
std::string_view ToString(RateLimitFinding f);  // "enforced", "not_enforcing", "inconclusive"

RateLimitFinding Judge(const BurstOutcome& outcome, const RateLimitSpec& spec);

// {"limit", "window_seconds", "sent", "limited", "passed", "failed", "took_ms", "finding"}
nlohmann::json ToJson(const BurstOutcome& outcome, const RateLimitSpec& spec);

// The check's own schedule and verdict memory for one target.
class RateLimitChecker {
 public:
  using Clock = std::chrono::steady_clock;

  // The first burst waits one `every` from `start` (the daemon's start or the key's arrival),
  // so a restart never bursts at once.
  RateLimitChecker(RateLimitSpec spec, Clock::time_point start);

  // A burst may start now: it is due, none is running, the target is up (not down, degraded,
  // unknown or in maintenance) and no deploy happened within `quiet` before now.
  bool Due(Clock::time_point now, TargetState state, std::optional<Clock::time_point> last_deploy,
           Clock::duration quiet) const;
  void Started(Clock::time_point now);
  // A finished burst. Returns the event's details when a second burst in a row (the
  // confirmation, one window after the first) found the limiter not enforcing; nothing again
  // until a burst finds it enforced.
  std::optional<nlohmann::json> Finished(const BurstOutcome& outcome, Clock::time_point now);

  // The last conclusive finding: 1 enforced, 0 not enforcing (confirmed); nullopt before.
  std::optional<bool> enforced() const { return enforced_; }
  bool running() const { return running_; }
  const RateLimitSpec& spec() const { return spec_; }
  void SetSpec(RateLimitSpec spec) { spec_ = std::move(spec); }

 private:
  RateLimitSpec spec_;
  Clock::time_point next_{};
  bool running_ = false;
  bool suspect_ = false;   // the last burst found no limit: confirm it
  bool reported_ = false;  // the event for this episode went out
  std::optional<bool> enforced_;
};

}  // namespace mcpwatch
