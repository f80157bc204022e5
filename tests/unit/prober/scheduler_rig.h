// A scheduler on a FakeHost (fake_scheduler_host.h) that records what its hooks see, shared by
// the scheduler test files.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "prober/scheduler.h"
#include "tests/unit/prober/fake_scheduler_host.h"

namespace mcpwatch::test {

using namespace std::chrono_literals;
using SchedulerClock = SchedulerHost::Clock;

inline const SchedulerClock::time_point kStart = SchedulerClock::time_point(1000h);

inline double Seconds(SchedulerClock::duration d) {
  return std::chrono::duration<double>(d).count();
}

inline SchedulerOptions Options(std::chrono::milliseconds jitter = 0ms,
                                std::size_t max_inflight = 256, uint64_t seed = 1) {
  SchedulerOptions o;
  o.max_inflight = max_inflight;
  o.jitter = jitter;
  o.jitter_seed = seed;
  return o;
}

struct Result {
  std::string target;
  std::chrono::system_clock::time_point started;
  Transcript transcript;
};

// A scheduler on a FakeHost that records what the hooks see.
struct Rig {
  explicit Rig(SchedulerOptions options = Options(), SchedulerClock::time_point start = kStart)
      : host(start), scheduler(host, options, Hooks()) {}

  SchedulerHooks Hooks() {
    SchedulerHooks h;
    h.prepare = [this](const std::string& target) -> tl::expected<ProbeSpec, std::string> {
      if (auto bad = broken.find(target); bad != broken.end()) return tl::unexpected(bad->second);
      ProbeSpec spec;
      spec.url = target;
      return spec;
    };
    h.on_result = [this](const std::string& target, std::chrono::system_clock::time_point started,
                         Transcript t) {
      results.push_back({target, started, std::move(t)});
    };
    h.on_lag = [this](double s) { lags.push_back(s); };
    h.on_skip = [this](SkipReason r) { skips.push_back(r); };
    return h;
  }

  FakeHost host;
  std::map<std::string, std::string> broken;  // target → its prepare() error
  std::vector<Result> results;
  std::vector<double> lags;
  std::vector<SkipReason> skips;
  Scheduler scheduler;  // last: its hooks use the members above
};

// Where `name` lands inside `interval`, seen by a scheduler started at `start` (no jitter).
inline SchedulerClock::duration OffsetOf(const std::string& name,
                                         std::chrono::milliseconds interval,
                                         SchedulerClock::time_point start = kStart) {
  Rig rig(Options(), start);
  rig.scheduler.SetTargets({{name, interval}});
  return *rig.host.NextTimer() - start;
}

}  // namespace mcpwatch::test
