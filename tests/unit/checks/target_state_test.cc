#include "checks/target_state.h"

#include <catch2/catch.hpp>
#include <vector>

#include "checks/event.h"

namespace mcpwatch {
namespace {

using Clock = std::chrono::system_clock;
using FC = FailureClass;
using TS = TargetState;

const Clock::time_point kT0 = Clock::time_point(std::chrono::seconds(1'750'000'000));

struct Step {
  FC cls;
  bool maintenance;
  TS expect_state;
  bool expect_transition;
  bool expect_confirmation;
};

// Feeds the rows one minute apart and checks each update.
void Play(TargetStateMachine& m, const std::vector<Step>& steps) {
  int i = 0;
  for (const Step& s : steps) {
    INFO("row " << i << ": " << ToString(s.cls) << (s.maintenance ? " (maintenance)" : ""));
    const StateUpdate u = m.Observe(s.cls, s.maintenance, kT0 + std::chrono::minutes(i));
    CHECK(m.State() == s.expect_state);
    CHECK(u.transition.has_value() == s.expect_transition);
    CHECK(u.request_confirmation == s.expect_confirmation);
    if (u.transition) {
      CHECK(u.transition->to == s.expect_state);
      CHECK(u.transition->at == kT0 + std::chrono::minutes(i));
      CHECK_FALSE(u.transition->reason.empty());
    }
    ++i;
  }
}

}  // namespace

TEST_CASE("target states and hard classes", "[state]") {
  CHECK(ToString(TS::kUnknown) == "unknown");
  CHECK(ToString(TS::kUp) == "up");
  CHECK(ToString(TS::kDegraded) == "degraded");
  CHECK(ToString(TS::kDown) == "down");
  CHECK(ToString(TS::kMaintenance) == "maintenance");
  for (TS s : kAllTargetStates) CHECK(ParseTargetState(ToString(s)) == s);
  CHECK_FALSE(ParseTargetState("sideways").has_value());
  int hard = 0;
  for (FC c : kAllFailureClasses) hard += IsHardFailure(c) ? 1 : 0;
  CHECK(hard == 7);
  // The auth health classes are definitive too: a token that cannot be had now will not be
  // had in five seconds.
  CHECK(IsHardFailure(FC::kAuthDiscoveryError));
  CHECK(IsHardFailure(FC::kAuthServerUnavailable));
  CHECK(IsHardFailure(FC::kAuthCredentialsRejected));
  CHECK(IsHardFailure(FC::kConnectionRefused));
  CHECK(IsHardFailure(FC::kDnsError));
  CHECK(IsHardFailure(FC::kTlsError));
  CHECK(IsHardFailure(FC::kAuthFailure));
  CHECK_FALSE(IsHardFailure(FC::kTimeout));
}

TEST_CASE("unknown goes up on the first success", "[state]") {
  TargetStateMachine m;
  Play(m, {{FC::kOk, false, TS::kUp, true, false}, {FC::kOk, false, TS::kUp, false, false}});
  CHECK(m.Since() == kT0);
}

TEST_CASE("one dropped run among successes never changes state", "[state]") {
  for (FC c : {FC::kTimeout, FC::kConnectionRefused, FC::kUnavailable, FC::kProtocolError}) {
    INFO(ToString(c));
    TargetStateMachine m;
    Play(m, {{FC::kOk, false, TS::kUp, true, false},
             {c, false, TS::kUp, false, true},  // confirmation requested, no change
             {FC::kOk, false, TS::kUp, false, false},
             {FC::kOk, false, TS::kUp, false, false},
             {c, false, TS::kUp, false, true},
             {FC::kOk, false, TS::kUp, false, false}});
  }
}

TEST_CASE("a hard failure is down once its confirmation fails", "[state]") {
  TargetStateMachine m;  // defaults: hard_down_after = 1
  Play(m, {{FC::kOk, false, TS::kUp, true, false},
           {FC::kConnectionRefused, false, TS::kUp, false, true},
           {FC::kConnectionRefused, false, TS::kDown, true, false},
           {FC::kConnectionRefused, false, TS::kDown, false, false}});
}

TEST_CASE("hard and soft thresholds differ", "[state]") {
  const StatePolicy policy{.window = 5, .down_after = 3, .hard_down_after = 1};
  SECTION("hard: first failure plus one confirmation") {
    TargetStateMachine m(policy);
    Play(m, {{FC::kOk, false, TS::kUp, true, false},
             {FC::kTlsError, false, TS::kUp, false, true},
             {FC::kTlsError, false, TS::kDown, true, false}});
  }
  SECTION("soft: down_after failures of the window, not necessarily consecutive") {
    TargetStateMachine m(policy);
    Play(m, {{FC::kOk, false, TS::kUp, true, false},
             {FC::kTimeout, false, TS::kUp, false, true},
             {FC::kTimeout, false, TS::kUp, false, true},
             {FC::kOk, false, TS::kUp, false, false},
             {FC::kUnavailable, false, TS::kDown, true, false}});
  }
  SECTION("hard_down_after = 0: the first hard failure is final") {
    TargetStateMachine m(StatePolicy{.hard_down_after = 0});
    Play(m, {{FC::kOk, false, TS::kUp, true, false},
             {FC::kAuthFailure, false, TS::kDown, true, false}});
  }
}

TEST_CASE("a failing target at start-up goes down after confirmation", "[state]") {
  TargetStateMachine m;
  Play(m, {{FC::kDnsError, false, TS::kUnknown, false, true},
           {FC::kDnsError, false, TS::kDown, true, false}});
}

TEST_CASE("recovery needs up_after consecutive successes", "[state]") {
  TargetStateMachine m;
  Play(m, {{FC::kOk, false, TS::kUp, true, false},
           {FC::kTimeout, false, TS::kUp, false, true},
           {FC::kTimeout, false, TS::kDown, true, false},
           {FC::kOk, false, TS::kDown, false, false},
           {FC::kTimeout, false, TS::kDown, false, false},
           {FC::kOk, false, TS::kDown, false, false},
           {FC::kLatencySpike, false, TS::kUp, true, false}});  // slow but successful counts
}

TEST_CASE("latency spikes degrade, never take down", "[state]") {
  TargetStateMachine m;
  Play(m, {{FC::kOk, false, TS::kUp, true, false},
           {FC::kLatencySpike, false, TS::kUp, false, false},  // one spike: nothing
           {FC::kOk, false, TS::kUp, false, false},
           {FC::kLatencySpike, false, TS::kDegraded, true, false},  // 2 of last 3
           {FC::kLatencySpike, false, TS::kDegraded, false, false},
           {FC::kLatencySpike, false, TS::kDegraded, false, false},
           {FC::kOk, false, TS::kDegraded, false, false},
           {FC::kOk, false, TS::kUp, true, false}});
}

TEST_CASE("degraded targets still go down on failures", "[state]") {
  TargetStateMachine m;
  Play(m, {{FC::kOk, false, TS::kUp, true, false},
           {FC::kLatencySpike, false, TS::kUp, false, false},
           {FC::kLatencySpike, false, TS::kDegraded, true, false},
           {FC::kTimeout, false, TS::kDegraded, false, true},
           {FC::kTimeout, false, TS::kDown, true, false}});
}

TEST_CASE("maintenance overrides and is judged afresh after", "[state]") {
  TargetStateMachine m;
  Play(m, {{FC::kOk, false, TS::kUp, true, false},
           {FC::kConnectionRefused, true, TS::kMaintenance, true, false},
           {FC::kConnectionRefused, true, TS::kMaintenance, false, false},
           {FC::kOk, true, TS::kMaintenance, false, false},
           {FC::kConnectionRefused, false, TS::kUnknown, true, true},  // maintenance ended
           {FC::kConnectionRefused, false, TS::kDown, true, false},
           {FC::kOk, true, TS::kMaintenance, true, false},
           {FC::kOk, false, TS::kUp, true, false}});
}

TEST_CASE("restore resumes state and counters", "[state]") {
  TargetStateMachine m;
  const std::vector<FC> recent = {FC::kOk, FC::kOk, FC::kTimeout};
  m.Restore(TS::kUp, kT0, recent);
  CHECK(m.State() == TS::kUp);
  CHECK(m.Since() == kT0);
  CHECK(m.History() == recent);
  // The restored timeout plus one more makes 2 of the last 3.
  const StateUpdate u = m.Observe(FC::kTimeout, false, kT0 + std::chrono::minutes(5));
  REQUIRE(u.transition.has_value());
  CHECK(u.transition->from == TS::kUp);
  CHECK(u.transition->to == TS::kDown);
  CHECK(m.History() == std::vector<FC>{FC::kOk, FC::kTimeout, FC::kTimeout});

  TargetStateMachine down;
  down.Restore(TS::kDown, kT0, std::vector<FC>(40, FC::kConnectionRefused));
  CHECK(down.History().size() == 3);
  CHECK_FALSE(down.Observe(FC::kOk, false, kT0 + std::chrono::minutes(1)).transition);
  CHECK(down.Observe(FC::kOk, false, kT0 + std::chrono::minutes(2)).transition);
  CHECK(down.State() == TS::kUp);
}

TEST_CASE("transition JSON names states and time", "[state]") {
  const StateTransition t{TS::kUp, TS::kDown, kT0, "timeout"};
  const nlohmann::json j = ToJson(t);
  CHECK(j["from"] == "up");
  CHECK(j["to"] == "down");
  CHECK(j["at"] == "2025-06-15T15:06:40.000Z");
  CHECK(j["reason"] == "timeout");
}

}  // namespace mcpwatch

namespace mcpwatch {

TEST_CASE("event kinds keep their contract spellings", "[event]") {
  CHECK(ToString(EventKind::kStateChange) == "state_change");
  CHECK(ToString(EventKind::kSchemaDrift) == "schema_drift");
  CHECK(ToString(EventKind::kDeploy) == "deploy");
  CHECK(ToString(EventKind::kDeployRegression) == "deploy_regression");
  CHECK(ToString(EventKind::kCrashLoop) == "crash_loop");
  CHECK(ToString(EventKind::kCertExpiring) == "cert_expiring");
  for (EventKind k : kAllEventKinds) CHECK(ParseEventKind(ToString(k)) == k);
  CHECK_FALSE(ParseEventKind("deployed").has_value());

  const auto at =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'750'000'000'123));
  CHECK(FormatTimestamp(at) == "2025-06-15T15:06:40.123Z");
  const Event e{"shop", EventKind::kDeploy, at, {{"new_version", "1.1.0"}}};
  const nlohmann::json j = ToJson(e);
  CHECK(j["target"] == "shop");
  CHECK(j["kind"] == "deploy");
  CHECK(j["at"] == "2025-06-15T15:06:40.123Z");
  CHECK(j["details"]["new_version"] == "1.1.0");
}

}  // namespace mcpwatch
