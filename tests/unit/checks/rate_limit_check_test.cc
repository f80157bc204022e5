#include "checks/rate_limit_check.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimitChecker::Clock;

const Clock::time_point kT0 = Clock::time_point(1000h);

RateLimitSpec Spec(int limit = 30) {
  RateLimitSpec s;
  s.limit = limit;
  s.window = 60s;
  s.every = 1h;
  s.tool.name = "get_item";
  return s;
}

StepRecord Step_(Step step, int status) {
  StepRecord r;
  r.step = step;
  r.http_status = status;
  return r;
}

Transcript Call(int status, Finding finding = Finding::kNone, std::string message = "") {
  Transcript t;
  t.steps = {Step_(Step::kInitialize, 200), Step_(Step::kInitialized, 202),
             Step_(Step::kToolsList, 200)};
  StepRecord call = Step_(Step::kToolCall, status);
  call.finding = finding;
  call.message = std::move(message);
  t.steps.push_back(call);
  return t;
}

BurstOutcome Outcome(int limited, int passed, int failed, std::chrono::milliseconds took = 2s) {
  BurstOutcome o;
  for (int i = 0; i < limited; ++i) Count(o, BurstCall::kLimited);
  for (int i = 0; i < passed; ++i) Count(o, BurstCall::kPassed);
  for (int i = 0; i < failed; ++i) Count(o, BurstCall::kFailed);
  o.took = took;
  return o;
}

TEST_CASE("rate limit: the burst is slightly more than the limit, bounded") {
  CHECK(BurstSize(1) == 3);
  CHECK(BurstSize(10) == 12);
  CHECK(BurstSize(30) == 33);
  CHECK(BurstSize(100) == 110);
  CHECK(BurstSize(100000) == kMaxRateLimit + kMaxRateLimit / 10);
}

TEST_CASE("rate limit: each call is limited, passed or failed") {
  struct Case {
    const char* name;
    Transcript t;
    BurstCall expected;
  };
  Transcript refused;
  StepRecord init = Step_(Step::kInitialize, 0);
  init.transport = TransportError::kConnectRefused;
  refused.steps = {init};
  Transcript limited_at_initialize;
  limited_at_initialize.steps = {Step_(Step::kInitialize, 429)};
  const Case cases[] = {
      {"tool call answered", Call(200), BurstCall::kPassed},
      {"429 on the tool call", Call(429), BurstCall::kLimited},
      {"429 on initialize", limited_at_initialize, BurstCall::kLimited},
      {"JSON-RPC error naming a rate limit",
       Call(200, Finding::kJsonRpcError, "Rate limit exceeded"), BurstCall::kLimited},
      {"isError saying too many requests",
       Call(200, Finding::kToolIsError, "tool returned isError: Too Many Requests"),
       BurstCall::kLimited},
      {"an unrelated tool error still went through",
       Call(200, Finding::kToolIsError, "tool returned isError: not found"), BurstCall::kPassed},
      {"500 on the tool call", Call(500), BurstCall::kFailed},
      {"refused", refused, BurstCall::kFailed},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(JudgeBurstCall(c.t) == c.expected);
  }
}

TEST_CASE("rate limit: a burst's finding") {
  const RateLimitSpec spec = Spec(30);
  CHECK(Judge(Outcome(3, 30, 0), spec) == RateLimitFinding::kEnforced);
  CHECK(Judge(Outcome(0, 33, 0), spec) == RateLimitFinding::kNotEnforcing);
  // Only the limit itself passed (the rest failed otherwise): nothing proves the limiter open.
  CHECK(Judge(Outcome(0, 30, 3), spec) == RateLimitFinding::kInconclusive);
  // A burst slower than the window may have passed honestly.
  CHECK(Judge(Outcome(0, 33, 0, 61s), spec) == RateLimitFinding::kInconclusive);
  nlohmann::json j = ToJson(Outcome(0, 33, 0), spec);
  CHECK(j["finding"] == "not_enforcing");
  CHECK(j["sent"] == 33);
  CHECK(j["window_seconds"] == 60.0);
}

TEST_CASE("rate limit: its own schedule, never when the target is not up or just deployed") {
  RateLimitChecker c(Spec(), kT0);
  const auto quiet = 10min;
  CHECK_FALSE(c.Due(kT0, TargetState::kUp, std::nullopt, quiet));  // never at start-up
  CHECK(c.Due(kT0 + 1h, TargetState::kUp, std::nullopt, quiet));
  for (TargetState s : {TargetState::kDown, TargetState::kDegraded, TargetState::kUnknown,
                        TargetState::kMaintenance}) {
    INFO(ToString(s));
    CHECK_FALSE(c.Due(kT0 + 1h, s, std::nullopt, quiet));
  }
  CHECK_FALSE(c.Due(kT0 + 1h, TargetState::kUp, kT0 + 55min, quiet));  // a deploy 5 min ago
  CHECK(c.Due(kT0 + 1h, TargetState::kUp, kT0 + 45min, quiet));
  c.Started(kT0 + 1h);
  CHECK(c.running());
  CHECK_FALSE(c.Due(kT0 + 3h, TargetState::kUp, std::nullopt, quiet));  // never two at once
  CHECK_FALSE(c.Finished(Outcome(2, 31, 0), kT0 + 1h + 2s));
  CHECK(c.enforced() == true);
  CHECK_FALSE(c.Due(kT0 + 1h + 30min, TargetState::kUp, std::nullopt, quiet));
  CHECK(c.Due(kT0 + 2h, TargetState::kUp, std::nullopt, quiet));
}

TEST_CASE(
    "rate limit: not enforcing is confirmed by a second burst a window later, then told "
    "once") {
  RateLimitChecker c(Spec(), kT0);
  c.Started(kT0 + 1h);
  CHECK_FALSE(c.Finished(Outcome(0, 33, 0), kT0 + 1h + 2s));  // suspect only
  CHECK_FALSE(c.enforced().has_value());
  CHECK_FALSE(c.Due(kT0 + 1h + 59s, TargetState::kUp, std::nullopt, 0s));
  CHECK(c.Due(kT0 + 1h + 62s, TargetState::kUp, std::nullopt, 0s));
  c.Started(kT0 + 1h + 62s);
  auto event = c.Finished(Outcome(0, 33, 0), kT0 + 1h + 64s);
  REQUIRE(event);
  CHECK((*event)["finding"] == "not_enforcing");
  CHECK_THAT((*event)["summary"].get<std::string>(),
             Catch::StartsWith("rate limiter not enforcing: 33 of 33 calls to get_item passed"));
  CHECK(c.enforced() == false);
  // The next hourly burst finds it still open: no second event for the same episode.
  c.Started(kT0 + 2h + 62s);
  CHECK_FALSE(c.Finished(Outcome(0, 33, 0), kT0 + 2h + 64s));
  // Fixed: the next burst is limited; a later failure is a new episode, confirmed again.
  c.Started(kT0 + 3h + 62s);
  CHECK_FALSE(c.Finished(Outcome(3, 30, 0), kT0 + 3h + 64s));
  CHECK(c.enforced() == true);
  c.Started(kT0 + 4h + 62s);
  CHECK_FALSE(c.Finished(Outcome(0, 33, 0), kT0 + 4h + 64s));
  c.Started(kT0 + 4h + 130s);
  CHECK(c.Finished(Outcome(0, 33, 0), kT0 + 4h + 132s));
}

TEST_CASE("rate limit: an inconclusive burst changes nothing") {
  RateLimitChecker c(Spec(), kT0);
  c.Started(kT0 + 1h);
  CHECK_FALSE(c.Finished(Outcome(0, 10, 23), kT0 + 1h + 2s));
  CHECK_FALSE(c.enforced().has_value());
  CHECK_FALSE(c.Due(kT0 + 1h + 62s, TargetState::kUp, std::nullopt, 0s));  // no confirmation due
}

}  // namespace
}  // namespace mcpwatch
