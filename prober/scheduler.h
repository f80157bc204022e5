// Fixed-rate scheduling of probe runs on the event loop: each target runs every `interval` on
// the monotonic clock, at a stable offset inside the interval (a hash of its name, so targets
// spread out and keep their phase across restarts) plus a small jitter; never two runs of one
// target at once (a run still going when the next is due is skipped and counted); at most
// `max_inflight` runs at once (the rest wait their turn, and the wait is the measured lag).
// Thread: loop thread only.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "checks/probe_spec.h"
#include "checks/transcript.h"
#include "prober/event_loop.h"
#include "prober/prober.h"

namespace mcpwatch {

struct SchedulerOptions {
  std::size_t max_inflight = 256;
  std::chrono::milliseconds jitter{1000};  // at most this, and at most 10 % of the interval
};

struct ScheduledTarget {
  std::string name;
  std::chrono::milliseconds interval{60000};
};

enum class SchedulerSkip { kOverlap, kInflightCap };
std::string_view ToString(SchedulerSkip r);  // "overlap" | "inflight_cap"

struct SchedulerHooks {
  // The spec to run now (credentials resolved at run time), or an error that becomes the run's
  // result without any traffic.
  std::function<tl::expected<ProbeSpec, std::string>(const std::string& target)> prepare;
  // A finished run, with its wall-clock start.
  std::function<void(const std::string& target, std::chrono::system_clock::time_point started,
                     Transcript t)>
      on_result;
  std::function<void(double lag_seconds)> on_lag;
  std::function<void(SchedulerSkip)> on_skip;
};

class Scheduler {
 public:
  Scheduler(EventLoop& loop, Prober& prober, SchedulerOptions options, SchedulerHooks hooks);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the target set; targets whose name and interval are unchanged keep their phase.
  void SetTargets(const std::vector<ScheduledTarget>& targets);
  // An extra run of `target` after `delay` (a confirmation re-probe); ignored when a run is in
  // flight or the regular run comes sooner.
  void RunSoon(const std::string& target, std::chrono::milliseconds delay);
  // Runs `target` now outside the schedule (blackbox-style /probe); false if unknown.
  bool RunNow(const std::string& target, std::function<void(Transcript)> done);
  // Stops starting runs (shutdown); runs in flight finish.
  void StopScheduling();
  std::size_t inflight() const { return inflight_; }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Entry {
    ScheduledTarget target;
    EventLoop::Clock::time_point next_due;
    EventLoop::Clock::time_point fire_at;  // next_due plus this run's jitter: the planned start
    EventLoop::TimerId timer = 0;
    EventLoop::TimerId soon_timer = 0;
    bool running = false;
    bool queued = false;
    EventLoop::Clock::time_point queued_due;
  };

  void Arm(Entry& e);
  void OnDue(const std::string& name);
  void Launch(Entry& e, EventLoop::Clock::time_point due);
  void StartWaiting();
  void Start(const std::string& target, std::function<void(Transcript)> done);
  EventLoop::Clock::duration Offset(const ScheduledTarget& t) const;
  EventLoop::Clock::duration Jitter(const ScheduledTarget& t);

  EventLoop& loop_;
  Prober& prober_;
  SchedulerOptions options_;
  SchedulerHooks hooks_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::string> waiting_;
  std::size_t inflight_ = 0;
  bool stopped_ = false;
  EventLoop::Clock::time_point epoch_;
  std::mt19937_64 rng_;
};

}  // namespace mcpwatch
