#include "checks/target_tracker.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "base/digest.h"
#include "checks/tool_list.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

// A run of the target at `total` ms whose server reports `version`.
Transcript Run(milliseconds total, const std::string& version) {
  Transcript t;
  for (Step s :
       {Step::kInitialize, Step::kInitialized, Step::kToolsList, Step::kPing, Step::kClose}) {
    StepRecord r;
    r.step = s;
    r.http_status = s == Step::kInitialized ? 202 : 200;
    r.had_session = s != Step::kInitialize;
    r.duration = s == Step::kInitialize ? total - 10ms : 2ms;
    t.steps.push_back(r);
  }
  t.server = {.name = "shop", .version = version, .title = ""};
  t.protocol_version = "2025-06-18";
  t.timings.total = total;
  return t;
}

struct Feed {
  TargetTracker tracker{"shop", TrackerPolicy{}};
  std::vector<Event> events;

  // One run every 60 s from `from`, `count` times; returns the time after the last.
  TimePoint Runs(TimePoint from, int count, milliseconds total, const std::string& version) {
    for (int i = 0; i < count; ++i, from += 60s) {
      TrackerOutput out = tracker.Observe("http://127.0.0.1/mcp", from, Run(total, version), false);
      events.insert(events.end(), out.events.begin(), out.events.end());
    }
    return from;
  }
  std::vector<Event> Of(EventKind k) const {
    std::vector<Event> found;
    for (const Event& e : events) {
      if (e.kind == k) found.push_back(e);
    }
    return found;
  }
};

// Start times with a sub-second part, as real runs have.
const TimePoint kStart = TimePoint(1'750'000'000s) + 700ms;

TEST_CASE(
    "tracker: a deploy that slows every run is one deploy_regression, judged on the "
    "runs after it") {
  Feed f;
  TimePoint t = f.Runs(kStart, 60, 100ms, "1.0");  // an hour of healthy runs
  REQUIRE(f.Of(EventKind::kDeploy).empty());
  const TimePoint deploy_at = t;
  t = f.Runs(t, 2, 900ms, "2.0");
  REQUIRE(f.Of(EventKind::kDeploy).size() == 1);
  CHECK(f.Of(EventKind::kDeploy)[0].at == deploy_at);
  // min_after_runs is 3: the run that saw the deploy counts, so the third run decides.
  CHECK(f.Of(EventKind::kDeployRegression).empty());
  f.Runs(t, 1, 900ms, "2.0");
  const auto regressions = f.Of(EventKind::kDeployRegression);
  REQUIRE(regressions.size() == 1);
  CHECK(regressions[0].at == deploy_at + 120s);
  CHECK_THAT(regressions[0].details.dump(), Catch::Contains("100 ms"));
  // Once reported, later slow runs of the same deploy say nothing more.
  f.Runs(t + 60s, 20, 900ms, "2.0");
  CHECK(f.Of(EventKind::kDeployRegression).size() == 1);
}

TEST_CASE("tracker: a deploy that changes nothing is a deploy without a regression") {
  Feed f;
  TimePoint t = f.Runs(kStart, 60, 100ms, "1.0");
  f.Runs(t, 40, 105ms, "2.0");
  CHECK(f.Of(EventKind::kDeploy).size() == 1);
  CHECK(f.Of(EventKind::kDeployRegression).empty());
}

TEST_CASE("tracker: the regression window only compares recent runs") {
  Feed f;
  // A slow day long ago, then 2 h of fast runs: the slow runs are outside the before window
  // (1 h) and must not make the "before" median look slow.
  TimePoint t = f.Runs(kStart, 600, 1500ms, "1.0");
  t = f.Runs(t, 120, 100ms, "1.0");
  t = f.Runs(t, 3, 900ms, "2.0");
  CHECK(f.Of(EventKind::kDeployRegression).size() == 1);
}

// Remembers deploy regressions only, for half an hour.
TrackerPolicy RegressionMemory() {
  TrackerPolicy policy;
  policy.recent_events.horizon = 30min;
  policy.recent_events.keep = [](EventKind k) { return k == EventKind::kDeployRegression; };
  return policy;
}

Event EventAt(EventKind kind, TimePoint at) {
  Event e;
  e.target = "shop";
  e.kind = kind;
  e.at = at;
  return e;
}

TEST_CASE("tracker: keeps the last run without its tool list, shared and never changed") {
  TargetTracker tracker("shop", TrackerPolicy{});
  CHECK(tracker.last_run() == nullptr);
  Transcript t = Run(100ms, "1.0");
  t.tools_canonical = R"([{"name":"echo"}])";
  t.tools_hash = std::string(64, 'e');
  TrackerOutput out = tracker.Observe("http://127.0.0.1/mcp", kStart, t, false);
  CHECK(out.result.transcript.tools_canonical == t.tools_canonical);  // the caller stores it

  const std::shared_ptr<const ProbeResult> first = tracker.last_run();
  REQUIRE(first != nullptr);
  CHECK(first.get() == tracker.last_run().get());  // handed out, not copied
  CHECK(first->target == "shop");
  CHECK(first->started_at == kStart);
  CHECK(first->verdict.cls == out.result.verdict.cls);
  CHECK(first->transcript.tools_hash == t.tools_hash);
  CHECK(first->transcript.server.version == "1.0");
  CHECK(first->transcript.tools_canonical.empty());

  tracker.Observe("http://127.0.0.1/mcp", kStart + 60s, Run(100ms, "1.0"), false);
  CHECK(tracker.last_run()->started_at == kStart + 60s);
  CHECK(first->started_at == kStart);  // a holder's run stays as it was

  ProbeResult stored = out.result;
  stored.started_at = kStart + 120s;
  tracker.RestoreLastRun(stored);
  CHECK(tracker.last_run()->started_at == kStart + 120s);
  CHECK(tracker.last_run()->transcript.tools_canonical.empty());
}

TEST_CASE("tracker: a restored successful last run is the deploy baseline") {
  for (FailureClass cls : {FailureClass::kOk, FailureClass::kConnectionRefused}) {
    TargetTracker tracker("shop", TrackerPolicy{});
    ProbeResult stored;
    stored.target = "shop";
    stored.started_at = kStart;
    stored.transcript = Run(100ms, "1.0");
    stored.verdict.cls = cls;
    tracker.RestoreLastRun(stored);
    CHECK(tracker.last_run()->verdict.cls == cls);
    TrackerOutput out = tracker.Observe("", kStart + 60s, Run(100ms, "2.0"), false);
    bool deploy = std::any_of(out.events.begin(), out.events.end(),
                              [](const Event& e) { return e.kind == EventKind::kDeploy; });
    CHECK(deploy == (cls == FailureClass::kOk));  // a failed run says nothing of the version
  }
}

TEST_CASE("tracker: remembers the event kinds its policy keeps until the horizon passes") {
  Feed f{TargetTracker("shop", RegressionMemory()), {}};
  TimePoint t = f.Runs(kStart, 60, 100ms, "1.0");
  const TimePoint deploy_at = t;
  t = f.Runs(t, 3, 900ms, "2.0");
  REQUIRE(f.Of(EventKind::kDeploy).size() == 1);
  REQUIRE(f.Of(EventKind::kDeployRegression).size() == 1);
  REQUIRE(f.tracker.recent_events().size() == 1);  // the deploy is not a kept kind
  const Event& kept = f.tracker.recent_events()[0];
  CHECK(kept.kind == EventKind::kDeployRegression);
  CHECK(kept.at == deploy_at + 120s);
  CHECK(kept.details == f.Of(EventKind::kDeployRegression)[0].details);

  t = f.Runs(t, 30, 900ms, "2.0");  // the last run starts exactly 30 minutes after the event
  CHECK(f.tracker.recent_events().size() == 1);
  f.Runs(t, 1, 900ms, "2.0");
  CHECK(f.tracker.recent_events().empty());

  Feed none;  // the default policy remembers nothing
  t = none.Runs(kStart, 60, 100ms, "1.0");
  none.Runs(t, 3, 900ms, "2.0");
  REQUIRE(none.Of(EventKind::kDeployRegression).size() == 1);
  CHECK(none.tracker.recent_events().empty());
}

TEST_CASE("tracker: restored events are filtered, aged and bounded like observed ones") {
  TargetTracker tracker("shop", RegressionMemory());
  tracker.RestoreEvent(EventAt(EventKind::kDeployRegression, kStart));
  tracker.RestoreEvent(EventAt(EventKind::kCrashLoop, kStart + 1s));  // not a kept kind
  REQUIRE(tracker.recent_events().size() == 1);
  tracker.RestoreEvent(EventAt(EventKind::kDeployRegression, kStart + 31min));
  REQUIRE(tracker.recent_events().size() == 1);  // the first is over 30 minutes older
  CHECK(tracker.recent_events()[0].at == kStart + 31min);

  const int n = static_cast<int>(TargetTracker::kMaxRecentEvents) + 6;
  for (int i = 0; i < n; ++i) {
    tracker.RestoreEvent(EventAt(EventKind::kDeployRegression, kStart + 40min + i * 1s));
  }
  REQUIRE(tracker.recent_events().size() == TargetTracker::kMaxRecentEvents);
  CHECK(tracker.recent_events().front().at == kStart + 40min + 6s);  // the oldest went first
  CHECK(tracker.recent_events().back().at == kStart + 40min + (n - 1) * 1s);
}

}  // namespace
}  // namespace mcpwatch

namespace mcpwatch {
namespace {

// A run whose initialize and tools/list answered (version, tool list) and whose tool call then
// failed with isError, as after a deploy that changed the called tool's input.
Transcript BrokenCallRun(const std::string& version, const nlohmann::json& tools) {
  Transcript t = Run(100ms, version);
  t.tools_canonical = CanonicalToolsJson(tools);
  t.tools_hash = Sha256Hex(t.tools_canonical);
  t.tool_count = static_cast<int>(tools.size());
  StepRecord call;
  call.step = Step::kToolCall;
  call.http_status = 200;
  call.finding = Finding::kToolIsError;
  call.message = "tool returned isError: Input validation error: Required at sku";
  t.steps.insert(t.steps.begin() + 3, call);
  t.steps.resize(4);  // the run stops at the failed call (then closes)
  return t;
}

nlohmann::json Tool(const std::string& name, const std::string& arg, const std::string& type) {
  return {{"name", name},
          {"inputSchema",
           {{"type", "object"}, {"properties", {{arg, {{"type", type}}}}}, {"required", {arg}}}}};
}

// Issue 11: drift and deploy detection read every run in which initialize and tools/list
// answered, whatever the tool call did.
TEST_CASE(
    "tracker: a deploy that breaks the tool call is a deploy and a breaking drift, and so "
    "is the rollback") {
  TargetTracker tracker("shop", TrackerPolicy{});
  const nlohmann::json v1 = {Tool("get_item", "id", "integer"),
                             Tool("list_items", "page", "integer"),
                             Tool("health", "verbose", "boolean")};
  const nlohmann::json v2 = {Tool("get_item", "sku", "string"),
                             Tool("health", "verbose", "boolean")};
  auto observe = [&](TimePoint at, Transcript t) {
    return tracker.Observe("http://127.0.0.1/mcp", at, std::move(t), false);
  };
  Transcript healthy = BrokenCallRun("1.0.0", v1);
  healthy.steps.resize(3);  // initialize, initialized, tools/list: no tool call configured
  healthy.steps.push_back(Run(100ms, "1.0.0").steps[3]);  // ping
  REQUIRE(observe(kStart, healthy).result.verdict.cls == FailureClass::kOk);

  TrackerOutput deployed = observe(kStart + 60s, BrokenCallRun("2.0.0", v2));
  CHECK(deployed.result.verdict.cls == FailureClass::kToolError);
  CHECK(deployed.tools_changed);
  auto kinds = [](const TrackerOutput& o) {
    std::vector<EventKind> k;
    for (const Event& e : o.events) k.push_back(e.kind);
    return k;
  };
  auto has = [&](const TrackerOutput& o, EventKind k) {
    auto all = kinds(o);
    return std::find(all.begin(), all.end(), k) != all.end();
  };
  REQUIRE(has(deployed, EventKind::kDeploy));
  REQUIRE(has(deployed, EventKind::kSchemaDrift));
  for (const Event& e : deployed.events) {
    if (e.kind == EventKind::kSchemaDrift) CHECK(e.details["grade"] == "breaking");
    if (e.kind == EventKind::kDeploy) {
      CHECK(e.details["old_version"] == "1.0.0");
      CHECK(e.details["new_version"] == "2.0.0");
    }
  }
  // The failing run names the deploy and the drift as its cause.
  CHECK_THAT(deployed.result.verdict.diagnosis,
             Catch::StartsWith("tool calls failing since deploy 1.0.0 → 2.0.0 at "));
  CHECK_THAT(deployed.result.verdict.diagnosis,
             Catch::Contains("which changed the tools: ") && Catch::Contains("list_items removed"));
  // The same failing run again is no new deploy or drift, and still names the cause; the state
  // change to down says it too.
  TrackerOutput again = observe(kStart + 120s, BrokenCallRun("2.0.0", v2));
  CHECK_FALSE(has(again, EventKind::kDeploy));
  CHECK_FALSE(has(again, EventKind::kSchemaDrift));
  CHECK_THAT(again.result.verdict.diagnosis, Catch::Contains("since deploy 1.0.0 → 2.0.0"));
  bool down_names_deploy = false;
  for (const TrackerOutput* o : {&deployed, &again}) {
    for (const Event& e : o->events) {
      if (e.kind == EventKind::kStateChange && e.details["to"] == "down") {
        down_names_deploy = e.details["reason"].get<std::string>().find(
                                "since deploy 1.0.0 → 2.0.0") != std::string::npos;
      }
    }
  }
  CHECK(down_names_deploy);
  // The rollback.
  TrackerOutput back = observe(kStart + 180s, healthy);
  CHECK(back.result.verdict.cls == FailureClass::kOk);
  CHECK(has(back, EventKind::kDeploy));
  CHECK(has(back, EventKind::kSchemaDrift));
  // A run that never reached tools/list says nothing of the surface.
  Transcript refused;
  StepRecord init;
  init.step = Step::kInitialize;
  init.transport = TransportError::kConnectRefused;
  refused.steps = {init};
  TrackerOutput down = observe(kStart + 240s, refused);
  CHECK_FALSE(has(down, EventKind::kDeploy));
  CHECK_FALSE(down.tools_changed);
}

// Issue 11: a restarted daemon rebuilds its trackers from the stored history; the deploy and
// drift events it restores are the cause the next failing runs name, until the regression
// window after them has passed.
TEST_CASE("tracker: a restored deploy and drift are still named as the cause after a restart") {
  TrackerPolicy policy;
  policy.regression.after = 600s;
  TargetTracker tracker("shop", policy);
  const nlohmann::json v2 = {Tool("get_item", "sku", "string")};
  Event deploy{.target = "shop",
               .kind = EventKind::kDeploy,
               .at = kStart,
               .details = {{"old_version", "1.0.0"}, {"new_version", "2.0.0"}}};
  Event drift{.target = "shop",
              .kind = EventKind::kSchemaDrift,
              .at = kStart,
              .details = {{"grade", "breaking"}, {"summary", "tool list_items removed"}}};
  tracker.RestoreEvent(deploy);
  tracker.RestoreEvent(drift);
  Transcript broken = BrokenCallRun("2.0.0", v2);
  TrackerOutput after = tracker.Observe("http://127.0.0.1/mcp", kStart + 120s, broken, false);
  CHECK(after.result.verdict.cls == FailureClass::kToolError);
  CHECK(after.result.verdict.diagnosis == "tool calls failing since deploy 1.0.0 → 2.0.0 at " +
                                              FormatTimestamp(kStart) +
                                              ", which changed the tools: tool list_items removed");
  // Past the window the failure is no longer blamed on that deploy.
  TrackerOutput later = tracker.Observe("http://127.0.0.1/mcp", kStart + 601s, broken, false);
  CHECK(later.result.verdict.diagnosis.empty());
  CHECK(tracker.cause_horizon() == 600s);
}

}  // namespace
}  // namespace mcpwatch

namespace mcpwatch {
namespace {

// Issue 11, item 6: a drain and a new version within the grace never takes the target down;
// the deploy event carries the downtime. Past the grace the held failures count after all.
TEST_CASE("tracker: a rolling deploy within the grace is one deploy with its downtime, no down") {
  TrackerPolicy policy;
  policy.rollout.grace = 120s;
  TargetTracker tracker("shop", policy);
  auto observe = [&](TimePoint at, Transcript t) {
    return tracker.Observe("http://127.0.0.1/mcp", at, std::move(t), false);
  };
  auto drained = [] {
    Transcript t;
    StepRecord init;
    init.step = Step::kInitialize;
    init.http_status = 503;
    init.retry_after = "5";
    t.steps = {init};
    return t;
  };
  TimePoint t = kStart;
  for (int i = 0; i < 3; ++i, t += 30s) observe(t, Run(100ms, "1.0"));
  REQUIRE(tracker.state() == TargetState::kUp);
  std::vector<Event> events;
  for (int i = 0; i < 3; ++i, t += 30s) {
    TrackerOutput out = observe(t, drained());
    CHECK(out.result.verdict.cls == FailureClass::kUnavailable);
    CHECK_THAT(out.result.verdict.diagnosis, Catch::Contains("draining for a rolling deploy"));
    CHECK_FALSE(out.request_confirmation);
    events.insert(events.end(), out.events.begin(), out.events.end());
  }
  CHECK(tracker.state() == TargetState::kUp);
  CHECK(tracker.draining());
  TrackerOutput back = observe(t, Run(100ms, "2.0"));
  events.insert(events.end(), back.events.begin(), back.events.end());
  CHECK_FALSE(tracker.draining());
  int deploys = 0;
  for (const Event& e : events) {
    CHECK(e.kind != EventKind::kStateChange);
    if (e.kind != EventKind::kDeploy) continue;
    ++deploys;
    CHECK(e.details["rolling"] == true);
    CHECK(e.details["downtime_ms"] == 90000);
  }
  CHECK(deploys == 1);

  // Draining again, and nothing comes back: past the grace the failures count.
  t += 30s;
  observe(t, drained());
  t += 60s;
  observe(t, drained());
  CHECK(tracker.state() == TargetState::kUp);
  t += 61s;
  TrackerOutput late = observe(t, drained());
  bool down = false;
  for (const Event& e : late.events) {
    if (e.kind == EventKind::kStateChange && e.details["to"] == "down") {
      down = true;
      CHECK_THAT(e.details["reason"].get<std::string>(),
                 Catch::Contains("no new version answered within the rolling-deploy grace"));
    }
  }
  CHECK(down);
  CHECK(tracker.state() == TargetState::kDown);
}

}  // namespace
}  // namespace mcpwatch
