// Shared builders for the alert unit tests: snapshots and a fixed clock.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "alerts/target_snapshot.h"
#include "config/alerting_config.h"
#include "tests/unit/scratch_dir.h"

namespace mcpwatch::alerts::test {

using Clock = std::chrono::system_clock;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

inline const TimePoint kT0 = TimePoint(seconds(1'750'000'000));

inline TargetSnapshot UpTarget(std::string name = "shop", TimePoint now = kT0) {
  TargetSnapshot t;
  t.name = std::move(name);
  t.labels = {{"team", "payments"}};
  t.state = TargetState::kUp;
  t.state_since = now - hours(1);
  t.last_class = FailureClass::kOk;
  t.recent_classes = {FailureClass::kOk, FailureClass::kOk, FailureClass::kOk};
  t.last_run_at = now - seconds(10);
  t.interval = seconds(60);
  auto run = std::make_shared<ProbeResult>();
  run->target = t.name;
  run->started_at = t.last_run_at;
  t.last_run = std::move(run);
  return t;
}

inline TargetSnapshot DownTarget(FailureClass c, std::string name = "shop", TimePoint now = kT0) {
  TargetSnapshot t = UpTarget(std::move(name), now);
  t.state = TargetState::kDown;
  t.state_since = now - minutes(1);
  t.last_class = c;
  t.recent_classes = {FailureClass::kOk, c, c};
  t.last_error = "initialize: " + std::string(ToString(c));
  return t;
}

inline Event MakeEvent(EventKind kind, TimePoint at, nlohmann::json details = {}) {
  Event e;
  e.target = "shop";
  e.kind = kind;
  e.at = at;
  e.details = details.is_null() ? nlohmann::json::object() : std::move(details);
  return e;
}

inline NotifierConfig Notifier(std::string name, NotifierType type, std::string url = "") {
  NotifierConfig n;
  n.name = std::move(name);
  n.type = type;
  n.url = std::move(url);
  return n;
}

using ScratchDir = unit::ScratchDir;

}  // namespace mcpwatch::alerts::test
