// Fixed-rate scheduling of probe runs on the event loop: each target runs every `interval` on
// the monotonic clock, at a stable offset inside the interval (a hash of its name, so targets
// spread out and keep their phase across restarts) plus a small jitter; never two runs of one
// target at once (a run still going when the next is due is skipped and counted); at most
// `max_inflight` runs at once (the rest wait their turn, and the wait is the measured lag).
// Time, timers and the runs themselves come from a SchedulerHost (the event loop and prober in
// the daemon, a manual clock in the tests).
// Thread: loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "checks/probe_spec.h"
#include "checks/skip_reason.h"
#include "checks/transcript.h"
#include "prober/event_loop.h"
#include "prober/prober.h"

namespace mcpwatch {

struct SchedulerOptions {
  std::size_t max_inflight = 256;
  std::chrono::milliseconds jitter{1000};  // at most this, and at most 10 % of the interval
  std::optional<uint64_t> jitter_seed;     // unset: seeded from std::random_device
};

struct ScheduledTarget {
  std::string name;
  std::chrono::milliseconds interval{60000};
};

struct SchedulerHooks {
  // The spec to run now (credentials resolved at run time), or an error that becomes the run's
  // result without any traffic.
  std::function<tl::expected<ProbeSpec, std::string>(const std::string& target)> prepare;
  // A finished run, with its wall-clock start.
  std::function<void(const std::string& target, std::chrono::system_clock::time_point started,
                     Transcript t)>
      on_result;
  std::function<void(double lag_seconds)> on_lag;
  std::function<void(SkipReason)> on_skip;
};

// What the scheduler needs from its surroundings. Timers fire on the thread that calls the
// scheduler, never inside AddTimer(); a cancelled timer never fires.
class SchedulerHost {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = uint64_t;  // 0 is never a timer
  virtual ~SchedulerHost() = default;

  virtual Clock::time_point Now() = 0;
  // Only for the runs' started timestamps.
  virtual std::chrono::system_clock::time_point WallNow() = 0;
  virtual TimerId AddTimer(Clock::time_point when, std::function<void()> fn) = 0;
  virtual void CancelTimer(TimerId id) = 0;  // unknown or already fired: nothing happens
  // Starts a run; `done` runs exactly once, on this thread (possibly before StartRun returns).
  virtual void StartRun(ProbeSpec spec, std::function<void(Transcript)> done) = 0;
};

// The daemon's host: steady and system clocks, the loop's timers, the prober's runs.
class LoopSchedulerHost final : public SchedulerHost {
  static_assert(std::is_same_v<EventLoop::Clock, Clock> &&
                std::is_same_v<EventLoop::TimerId, TimerId>);

 public:
  LoopSchedulerHost(EventLoop& loop, Prober& prober) : loop_(loop), prober_(prober) {}
  Clock::time_point Now() override { return Clock::now(); }
  std::chrono::system_clock::time_point WallNow() override {
    return std::chrono::system_clock::now();
  }
  TimerId AddTimer(Clock::time_point when, std::function<void()> fn) override {
    return loop_.AddTimer(when, std::move(fn));
  }
  void CancelTimer(TimerId id) override { loop_.CancelTimer(id); }
  void StartRun(ProbeSpec spec, std::function<void(Transcript)> done) override {
    prober_.Start(std::move(spec), std::move(done));
  }

 private:
  EventLoop& loop_;
  Prober& prober_;
};

class Scheduler {
 public:
  // `host` outlives the scheduler.
  Scheduler(SchedulerHost& host, SchedulerOptions options, SchedulerHooks hooks);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the target set; targets whose name and interval are unchanged keep their phase.
  // A target whose interval changed keeps its run in flight or its place in the queue.
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
  using Clock = SchedulerHost::Clock;

  struct Entry {
    ScheduledTarget target;
    Clock::time_point next_due;
    Clock::time_point fire_at;  // next_due plus this run's jitter: the planned start
    SchedulerHost::TimerId timer = 0;
    SchedulerHost::TimerId soon_timer = 0;
    bool running = false;
    bool queued = false;
    Clock::time_point queued_due;
  };

  void Arm(Entry& e);
  void OnDue(const std::string& name);
  void Launch(Entry& e, Clock::time_point due);
  void StartWaiting();
  void Start(const std::string& target, std::function<void(Transcript)> done);
  Clock::duration Offset(const ScheduledTarget& t) const;
  Clock::duration Jitter(const ScheduledTarget& t);

  SchedulerHost& host_;
  SchedulerOptions options_;
  SchedulerHooks hooks_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::string> waiting_;
  std::size_t inflight_ = 0;
  bool stopped_ = false;
  Clock::time_point epoch_;
  std::mt19937_64 rng_;
};

}  // namespace mcpwatch
