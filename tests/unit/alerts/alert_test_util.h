// Shared builders for the alert unit tests: snapshots and a fixed clock.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include "alerts/target_snapshot.h"
#include "config/alerting_config.h"

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

// A fresh directory under the system temp dir, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ =
        std::filesystem::temp_directory_path() / ("mcpwatch-alerts-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(counter.fetch_add(1)));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace mcpwatch::alerts::test
