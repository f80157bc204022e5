#include "alerts/build_snapshot.h"

#include <catch2/catch.hpp>
#include <vector>

#include "alerts/rules.h"
#include "tests/unit/alerts/alert_test_util.h"

namespace mcpwatch::alerts {
namespace {

using namespace test;
using FC = FailureClass;

TargetConfig ShopConfig() {
  TargetConfig c;
  c.name = "shop";
  c.labels = {{"team", "payments"}, {"tier", "1"}};
  c.interval = seconds(30);
  return c;
}

TrackerPolicy AlertingPolicy() {
  TrackerPolicy p;
  p.recent_events = RulesEventMemory();
  return p;
}

TEST_CASE("the rules' event memory is what they read, for an hour", "[snapshot]") {
  EventMemory memory = RulesEventMemory();
  CHECK(memory.horizon == hours(1));
  REQUIRE(memory.keep != nullptr);
  for (EventKind k : kAllEventKinds) {
    INFO(ToString(k));
    CHECK(memory.keep(k) == RulesReadEvent(k));
  }
}

TEST_CASE("a snapshot takes every field from the tracker, the config and the caller",
          "[snapshot]") {
  TargetTracker tracker("shop", AlertingPolicy());
  const std::vector<FC> recent = {FC::kOk, FC::kToolError, FC::kToolError};
  tracker.RestoreState(TargetState::kDown, kT0 - minutes(3), recent);
  ProbeResult run;
  run.target = "shop";
  run.started_at = kT0 - seconds(20);
  run.verdict = {FC::kToolError, "tools_call: isError", "tool_call took 900 ms"};
  run.transcript.cert_not_after = kT0 + hours(24 * 9);
  run.transcript.tools_hash = std::string(64, 'a');
  tracker.RestoreLastRun(run);
  tracker.RestoreEvent(MakeEvent(EventKind::kStateChange, kT0 - minutes(3)));  // not read
  tracker.RestoreEvent(MakeEvent(EventKind::kCrashLoop, kT0 - minutes(2), {{"flips", 4}}));

  TargetSnapshot s = BuildSnapshot(tracker, ShopConfig(), true, false);
  CHECK(s.name == "shop");
  CHECK(s.labels == ShopConfig().labels);
  CHECK(s.state == TargetState::kDown);
  CHECK(s.state_since == kT0 - minutes(3));
  CHECK(s.last_class == FC::kToolError);
  CHECK(s.recent_classes == recent);
  CHECK(s.last_run_at == kT0 - seconds(20));
  CHECK(s.interval == seconds(30));
  CHECK(s.cert_not_after == kT0 + hours(24 * 9));
  CHECK(s.in_maintenance);
  REQUIRE(s.recent_events.size() == 1);
  CHECK(s.recent_events[0].kind == EventKind::kCrashLoop);
  CHECK(s.recent_events[0].at == kT0 - minutes(2));
  CHECK(s.recent_events[0].details == nlohmann::json{{"flips", 4}});
  CHECK(s.last_error == "tools_call: isError");
  CHECK(s.last_diagnosis == "tool_call took 900 ms");
  CHECK(s.last_run.get() == tracker.last_run().get());  // shared, not copied
  CHECK_FALSE(s.schema_accepted);

  TargetSnapshot other = BuildSnapshot(tracker, ShopConfig(), false, true);
  CHECK_FALSE(other.in_maintenance);
  CHECK(other.schema_accepted);
}

TEST_CASE("a never probed target's snapshot has no last run", "[snapshot]") {
  TargetTracker tracker("shop", AlertingPolicy());
  TargetSnapshot s = BuildSnapshot(tracker, ShopConfig(), false, true);
  CHECK(s.name == "shop");
  CHECK(s.state == TargetState::kUnknown);
  CHECK_FALSE(s.last_class);
  CHECK(s.recent_classes.empty());
  CHECK(s.last_run_at == TimePoint{});
  CHECK_FALSE(s.cert_not_after);
  CHECK(s.recent_events.empty());
  CHECK(s.last_error.empty());
  CHECK(s.last_diagnosis.empty());
  CHECK(s.last_run == nullptr);
}

}  // namespace
}  // namespace mcpwatch::alerts
