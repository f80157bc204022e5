#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "alerts/alert_state.h"
#include "tests/unit/alerts/alert_test_util.h"

namespace mcpwatch::alerts {
namespace {

using namespace test;
using FC = FailureClass;

AlertingConfig Config() {
  AlertingConfig c;
  c.repeat_interval = hours(4);
  return c;
}

std::vector<std::string> Keys(const Evaluation& e) {
  std::vector<std::string> keys;
  for (const auto& t : e.transitions) {
    keys.push_back(std::string(ToString(t.rule)) + " " + std::string(ToString(t.kind)));
  }
  return keys;
}

using Keys_ = std::vector<std::string>;

// Evaluates with every target freshly probed (10 s before `now`), so ProberStale stays quiet.
Evaluation Eval(AlertEngine& engine, std::vector<TargetSnapshot> targets, TimePoint now) {
  for (TargetSnapshot& t : targets) t.last_run_at = now - seconds(10);
  return engine.Evaluate(targets, now);
}

TEST_CASE("a down target fires once, re-notifies every repeat interval, then resolves",
          "[engine]") {
  AlertEngine engine(Config(), kT0 - hours(1));
  CHECK(Eval(engine, {UpTarget()}, kT0).transitions.empty());

  Evaluation fire = Eval(engine, {DownTarget(FC::kConnectionRefused)}, kT0 + minutes(1));
  REQUIRE(Keys(fire) == Keys_{"TargetDown firing"});
  const AlertTransition& t = fire.transitions[0];
  CHECK(t.target == "shop");
  CHECK(t.severity == Severity::kCritical);
  CHECK(t.cls == "connection_refused");
  CHECK(t.dedup_key == DedupKey(RuleId::kTargetDown, "shop"));
  CHECK(t.key == "firing:" + std::to_string((kT0 + minutes(1)).time_since_epoch() /
                                            std::chrono::milliseconds(1)));
  CHECK(t.labels.at("team") == "payments");
  // The notice carries the last run as the probe's JSON.
  CHECK(t.run.value("target", "") == "shop");
  CHECK(t.run.contains("timings"));
  REQUIRE(fire.rows.size() == 1);
  CHECK(fire.rows[0].state == AlertStatus::kFiring);
  CHECK(fire.rows[0].last_notified_at == kT0 + minutes(1));

  // Still down: nothing new until repeat_interval passed.
  CHECK(Eval(engine, {DownTarget(FC::kConnectionRefused)}, kT0 + hours(4)).transitions.empty());
  Evaluation again =
      Eval(engine, {DownTarget(FC::kConnectionRefused)}, kT0 + hours(4) + minutes(1));
  REQUIRE(Keys(again) == Keys_{"TargetDown renotify"});
  CHECK(again.transitions[0].seq == 1);
  CHECK(again.transitions[0].key != t.key);
  CHECK(Eval(engine, {DownTarget(FC::kConnectionRefused)}, kT0 + hours(5)).transitions.empty());

  Evaluation resolve = Eval(engine, {UpTarget()}, kT0 + hours(6));
  REQUIRE(Keys(resolve) == Keys_{"TargetDown resolved"});
  CHECK(resolve.transitions[0].ended_at == kT0 + hours(6));
  CHECK(resolve.transitions[0].started_at == kT0 + minutes(1));
  REQUIRE(resolve.rows.size() == 1);
  CHECK(resolve.rows[0].state == AlertStatus::kResolved);
  CHECK(resolve.rows[0].resolved_at == kT0 + hours(6));
  CHECK(engine.Active().empty());
  CHECK(Eval(engine, {UpTarget()}, kT0 + hours(7)).transitions.empty());
}

TEST_CASE("for: pending until the duration has passed, cleared if it ends before", "[engine]") {
  AlertEngine engine(Config(), kT0 - hours(1));
  TargetSnapshot slow = UpTarget();
  slow.state = TargetState::kDegraded;

  Evaluation first = Eval(engine, {slow}, kT0);
  CHECK(first.transitions.empty());
  REQUIRE(first.rows.size() == 1);
  CHECK(first.rows[0].state == AlertStatus::kPending);
  CHECK(Eval(engine, {slow}, kT0 + minutes(4)).transitions.empty());
  CHECK(Keys(Eval(engine, {slow}, kT0 + minutes(5))) == Keys_{"LatencySpike firing"});
  CHECK(engine.FiringCounts().at(RuleId::kLatencySpike) == 1);

  // A second episode that ends before `for`: pending, then inactive, never a notice.
  AlertEngine other(Config(), kT0 - hours(1));
  Eval(other, {slow}, kT0);
  Evaluation cleared = Eval(other, {UpTarget()}, kT0 + minutes(3));
  CHECK(cleared.transitions.empty());
  REQUIRE(cleared.rows.size() == 1);
  CHECK(cleared.rows[0].state == AlertStatus::kInactive);
  CHECK(other.Active().empty());
}

TEST_CASE("silences hold notices back, a still-firing alert is notified when they end",
          "[engine]") {
  AlertingConfig config = Config();
  config.silences.push_back({"shop", kT0 + minutes(30), "TargetDown"});
  config.silences.push_back({"other", kT0 + hours(9), ""});
  AlertEngine engine(config, kT0 - hours(1));

  auto down = DownTarget(FC::kConnectionRefused);
  auto other_down = DownTarget(FC::kConnectionRefused, "other");
  Evaluation silenced = Eval(engine, {down, other_down}, kT0);
  CHECK(silenced.transitions.empty());
  CHECK(engine.FiringCounts().at(RuleId::kTargetDown) == 2);  // tracked all the same
  CHECK(Eval(engine, {down, other_down}, kT0 + minutes(29)).transitions.empty());
  Evaluation after = Eval(engine, {down, other_down}, kT0 + minutes(30));
  REQUIRE(Keys(after) == Keys_{"TargetDown firing"});
  CHECK(after.transitions[0].target == "shop");
  CHECK(after.transitions[0].started_at == kT0);

  // "other" resolves inside its silence without ever being notified: no resolve notice.
  auto other_up = UpTarget("other");
  CHECK(Eval(engine, {down, other_up}, kT0 + hours(1)).transitions.empty());
}

TEST_CASE("maintenance holds notices back but the resolve of a notified alert goes out",
          "[engine]") {
  AlertEngine engine(Config(), kT0 - hours(1));
  auto down = DownTarget(FC::kConnectionRefused);
  REQUIRE(Keys(Eval(engine, {down}, kT0)) == Keys_{"TargetDown firing"});
  down.in_maintenance = true;
  CHECK(Eval(engine, {down}, kT0 + hours(5)).transitions.empty());  // no re-notify
  auto up = UpTarget();
  up.in_maintenance = true;
  CHECK(Keys(Eval(engine, {up}, kT0 + hours(6))) == Keys_{"TargetDown resolved"});

  AlertEngine quiet(Config(), kT0 - hours(1));
  auto maint_down = DownTarget(FC::kConnectionRefused);
  maint_down.in_maintenance = true;
  CHECK(Eval(quiet, {maint_down}, kT0).transitions.empty());
  CHECK(Eval(quiet, {UpTarget()}, kT0 + minutes(5)).transitions.empty());
}

TEST_CASE("restore: no second firing, pending keeps its start, re-notify keeps its rhythm",
          "[engine]") {
  AlertingConfig config = Config();
  config.rules.push_back({"TargetDown", minutes(3), std::nullopt, std::nullopt});
  AlertEngine before(config, kT0 - hours(1));
  auto down = DownTarget(FC::kConnectionRefused);
  auto slow = UpTarget("slow");
  slow.state = TargetState::kDegraded;
  Eval(before, {down, slow}, kT0);
  REQUIRE(Keys(Eval(before, {down, slow}, kT0 + minutes(3))) == Keys_{"TargetDown firing"});
  std::vector<AlertRow> stored = before.Active();
  REQUIRE(stored.size() == 2);

  AlertEngine after(config, kT0 + minutes(4));
  after.Restore(stored);
  CHECK(Eval(after, {down, slow}, kT0 + minutes(4)).transitions.empty());
  // LatencySpike has been pending since kT0 across the restart: fires at kT0 + 5 min.
  CHECK(Keys(Eval(after, {down, slow}, kT0 + minutes(5))) == Keys_{"LatencySpike firing"});
  Evaluation renotify = Eval(after, {down, slow}, kT0 + minutes(3) + hours(4));
  REQUIRE(Keys(renotify) == Keys_{"TargetDown renotify"});
  CHECK(renotify.transitions[0].seq == 1);

  AlertRow unknown{"NoSuchRule", "shop", AlertStatus::kFiring, kT0, kT0, {}, kT0};
  AlertRow resolved{"CrashLoop", "shop", AlertStatus::kResolved, kT0, kT0, kT0, kT0};
  AlertEngine third(config, kT0);
  third.Restore({unknown, resolved});
  CHECK(third.Active().empty());
}

TEST_CASE("a certificate going critical escalates once, after a restore it does not", "[engine]") {
  AlertEngine engine(Config(), kT0 - hours(1));
  auto t = UpTarget();
  t.cert_not_after = kT0 + hours(10 * 24);
  Evaluation warn = Eval(engine, {t}, kT0);
  REQUIRE(Keys(warn) == Keys_{"CertificateExpiring firing"});
  CHECK(warn.transitions[0].severity == Severity::kWarning);
  Evaluation crit = Eval(engine, {t}, kT0 + hours(8 * 24));
  REQUIRE(Keys(crit) == Keys_{"CertificateExpiring renotify"});
  CHECK(crit.transitions[0].severity == Severity::kCritical);
  CHECK(crit.transitions[0].fired_severity == Severity::kWarning);
  CHECK_THAT(crit.transitions[0].key, Catch::Matchers::StartsWith("escalate:"));
  CHECK(Eval(engine, {t}, kT0 + hours(8 * 24) + minutes(1)).transitions.empty());

  AlertEngine restored(Config(), kT0 + hours(8 * 24));
  restored.Restore(engine.Active());
  CHECK(Eval(restored, {t}, kT0 + hours(8 * 24) + minutes(2)).transitions.empty());
}

TEST_CASE("rules disabled by a reload and removed targets resolve", "[engine]") {
  AlertEngine engine(Config(), kT0 - hours(1));
  auto a = DownTarget(FC::kConnectionRefused, "a");
  auto b = DownTarget(FC::kConnectionRefused, "b");
  REQUIRE(Eval(engine, {a, b}, kT0).transitions.size() == 2);
  Evaluation removed = Eval(engine, {a}, kT0 + minutes(1));
  REQUIRE(Keys(removed) == Keys_{"TargetDown resolved"});
  CHECK(removed.transitions[0].target == "b");
  CHECK_THAT(removed.transitions[0].description, Catch::Matchers::Contains("removed"));

  AlertingConfig off = Config();
  off.rules.push_back({"TargetDown", std::nullopt, std::nullopt, false});
  engine.Reconfigure(off);
  CHECK(Keys(Eval(engine, {a}, kT0 + minutes(2))) == Keys_{"TargetDown resolved"});
}

TEST_CASE("layering: one broken thing alerts under its most specific name", "[engine]") {
  AlertEngine engine(Config(), kT0 - hours(1));
  CHECK(Keys(Eval(engine, {DownTarget(FC::kInitializeFailure)}, kT0)) ==
        Keys_{"InitializeFailing firing"});
  CHECK(Keys(Eval(engine, {DownTarget(FC::kToolError)}, kT0 + minutes(1))) ==
        Keys_{"InitializeFailing resolved", "ToolCallsFailing firing"});
}

TEST_CASE("dedup keys are stable and distinct", "[engine]") {
  CHECK(DedupKey(RuleId::kTargetDown, "shop") == DedupKey(RuleId::kTargetDown, "shop"));
  CHECK(DedupKey(RuleId::kTargetDown, "shop") != DedupKey(RuleId::kCrashLoop, "shop"));
  CHECK(DedupKey(RuleId::kTargetDown, "shop") != DedupKey(RuleId::kTargetDown, "shop2"));
  // Pinned: the key must never change between releases (PagerDuty incidents use it).
  CHECK(DedupKey(RuleId::kTargetDown, "shop") == "mcpw-87e939e70eecdf10");
  for (AlertStatus s : {AlertStatus::kInactive, AlertStatus::kPending, AlertStatus::kFiring,
                        AlertStatus::kResolved}) {
    CHECK(ParseAlertStatus(ToString(s)) == s);
  }
}

}  // namespace
}  // namespace mcpwatch::alerts
