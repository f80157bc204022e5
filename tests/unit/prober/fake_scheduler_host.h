// A SchedulerHost for tests: a manual clock with the event loop's timer rules (due timers fire in
// time order, ties in the order they were added, a timer added while firing fires in the same
// pass when it is due), and probe runs that the test finishes by hand or that finish themselves
// after `run_time`.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "prober/scheduler.h"

namespace mcpwatch::test {

class FakeHost final : public SchedulerHost {
 public:
  struct Run {
    std::string target;  // the spec's url: the tests' prepare() puts the target name there
    Clock::time_point at;
    std::function<void(Transcript)> done;  // empty once finished
  };

  explicit FakeHost(Clock::time_point start) : start_(start), now_(start) {}

  Clock::time_point Now() override { return now_; }
  std::chrono::system_clock::time_point WallNow() override { return WallAt(now_); }
  TimerId AddTimer(Clock::time_point when, std::function<void()> fn) override {
    TimerId id = next_id_++;
    timers_.emplace(id, std::move(fn));
    order_.emplace(when, id);
    return id;
  }
  void CancelTimer(TimerId id) override {
    if (timers_.erase(id) == 0) return;
    std::erase_if(order_, [id](const auto& o) { return o.second == id; });
  }
  void StartRun(ProbeSpec spec, std::function<void(Transcript)> done) override {
    runs.push_back({spec.url, now_, std::move(done)});
    if (!run_time) return;
    std::size_t i = runs.size() - 1;
    finishers_.insert(AddTimer(now_ + *run_time, [this, i] { Finish(i); }));
  }

  // The wall clock moves with the steady one, from an arbitrary date.
  std::chrono::system_clock::time_point WallAt(Clock::time_point t) const {
    return std::chrono::system_clock::time_point(std::chrono::hours(480000)) +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(t - start_);
  }

  // The clock moves to `t`; each timer due by then fires at its own time (a prompt loop).
  void AdvanceTo(Clock::time_point t) { FireUntil(t, false); }
  // The clock jumps to `t`, then the timers due by then fire late (a loop that was busy).
  void JumpTo(Clock::time_point t) { FireUntil(t, true); }

  // The earliest pending timer of the scheduler's (not a run finishing by itself).
  std::optional<Clock::time_point> NextTimer() const {
    for (const auto& [when, id] : order_) {
      if (!finishers_.contains(id)) return when;
    }
    return std::nullopt;
  }
  std::size_t pending_timers() const { return timers_.size() - finishers_.size(); }

  // Finishes the oldest unfinished run of `target` with an empty transcript.
  void Finish(const std::string& target) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (runs[i].target == target && runs[i].done) return Finish(i);
    }
    throw std::logic_error("no unfinished run of " + target);
  }
  void Finish(std::size_t i) {
    auto done = std::move(runs[i].done);
    runs[i].done = nullptr;
    done(Transcript{});
  }

  std::vector<Clock::time_point> StartsOf(const std::string& target) const {
    std::vector<Clock::time_point> out;
    for (const auto& r : runs) {
      if (r.target == target) out.push_back(r.at);
    }
    return out;
  }
  std::size_t unfinished() const {
    return static_cast<std::size_t>(
        std::count_if(runs.begin(), runs.end(), [](const Run& r) { return bool(r.done); }));
  }

  std::vector<Run> runs;
  std::optional<Clock::duration> run_time;  // unset: runs wait for Finish()

 private:
  void FireUntil(Clock::time_point t, bool late) {
    if (late) now_ = std::max(now_, t);
    while (!order_.empty() && order_.begin()->first <= t) {
      auto [when, id] = *order_.begin();
      order_.erase(order_.begin());
      auto fn = std::move(timers_.at(id));
      timers_.erase(id);
      finishers_.erase(id);
      now_ = std::max(now_, when);
      fn();
    }
    now_ = std::max(now_, t);
  }

  Clock::time_point start_;
  Clock::time_point now_;
  TimerId next_id_ = 1;
  std::map<TimerId, std::function<void()>> timers_;
  std::multimap<Clock::time_point, TimerId> order_;
  std::set<TimerId> finishers_;
};

}  // namespace mcpwatch::test
