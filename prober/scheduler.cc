#include "prober/scheduler.h"

#include <algorithm>

#include "base/fnv1a.h"

namespace mcpwatch {
namespace {

// FNV-1a from the basis this scheduler has always used (one digit short of FNV's own), so every
// target keeps the phase offset it had (another basis would move every existing schedule).
constexpr uint64_t kPhaseHashBasis = 1469598103934665603ULL;

}  // namespace

Scheduler::Scheduler(SchedulerHost& host, SchedulerOptions options, SchedulerHooks hooks)
    : host_(host),
      options_(options),
      hooks_(std::move(hooks)),
      epoch_(host.Now()),
      rng_(options.jitter_seed ? *options.jitter_seed : std::random_device{}()) {}

Scheduler::~Scheduler() {
  for (auto& [name, e] : entries_) {
    host_.CancelTimer(e.timer);
    host_.CancelTimer(e.soon_timer);
  }
}

Scheduler::Clock::duration Scheduler::Offset(const ScheduledTarget& t) const {
  auto interval = std::chrono::duration_cast<std::chrono::microseconds>(t.interval).count();
  if (interval <= 0) return {};
  return std::chrono::microseconds(
      static_cast<int64_t>(Fnv1a(t.name, kPhaseHashBasis) % static_cast<uint64_t>(interval)));
}

Scheduler::Clock::duration Scheduler::Jitter(const ScheduledTarget& t) {
  auto cap = std::min(options_.jitter, t.interval / 10);
  if (cap.count() <= 0) return {};
  std::uniform_int_distribution<int64_t> dist(0, std::chrono::microseconds(cap).count());
  return std::chrono::microseconds(dist(rng_));
}

void Scheduler::SetTargets(const std::vector<ScheduledTarget>& targets) {
  std::unordered_map<std::string, Entry> next;
  auto now = host_.Now();
  for (const auto& t : targets) {
    auto old = entries_.find(t.name);
    if (old != entries_.end() && old->second.target.interval == t.interval) {
      next.emplace(t.name, std::move(old->second));
      entries_.erase(old);
      continue;
    }
    Entry e;
    e.target = t;
    // The first slot at this target's offset that is not in the past.
    auto offset = Offset(t);
    // (Truncating division made this one period late: at start-up every target skipped its
    // whole first interval.)
    auto behind = (now - epoch_) - offset;
    int64_t periods = behind <= Clock::duration::zero()
                          ? 0
                          : (behind + t.interval - Clock::duration(1)) / t.interval;
    e.next_due = epoch_ + offset + periods * t.interval;
    if (e.next_due < now) e.next_due = now;
    if (old != entries_.end()) {
      // A run in flight or waiting for a slot stays so: the queue holds names, and an entry
      // that forgot it was queued would be queued a second time (two runs of one target) and
      // start with a lag measured from no planned start at all.
      e.running = old->second.running;
      e.queued = old->second.queued;
      e.queued_due = old->second.queued_due;
      host_.CancelTimer(old->second.timer);
      host_.CancelTimer(old->second.soon_timer);
      entries_.erase(old);
    }
    next.emplace(t.name, std::move(e));
  }
  for (auto& [name, e] : entries_) {  // removed targets
    host_.CancelTimer(e.timer);
    host_.CancelTimer(e.soon_timer);
  }
  entries_ = std::move(next);
  std::erase_if(waiting_, [this](const std::string& n) { return !entries_.contains(n); });
  for (auto& [name, e] : entries_) {
    if (e.timer == 0) Arm(e);
  }
}

void Scheduler::Arm(Entry& e) {
  if (stopped_) return;
  std::string name = e.target.name;
  e.fire_at = e.next_due + Jitter(e.target);
  e.timer = host_.AddTimer(e.fire_at, [this, name] { OnDue(name); });
}

void Scheduler::OnDue(const std::string& name) {
  auto it = entries_.find(name);
  if (it == entries_.end() || stopped_) return;
  Entry& e = it->second;
  e.timer = 0;
  // Lag is measured against the planned start: the jitter is deliberate, not lateness.
  auto due = e.fire_at;
  e.next_due += e.target.interval;  // fixed rate: the next slot, however late this one starts
  auto now = host_.Now();
  while (e.next_due <= now) e.next_due += e.target.interval;
  Arm(e);
  if (e.running || e.queued) {
    if (hooks_.on_skip) hooks_.on_skip(SkipReason::kOverlap);
    return;
  }
  if (inflight_ >= options_.max_inflight) {
    e.queued = true;
    e.queued_due = due;
    waiting_.push_back(name);
    return;
  }
  Launch(e, due);
}

void Scheduler::RunSoon(const std::string& target, std::chrono::milliseconds delay) {
  auto it = entries_.find(target);
  if (it == entries_.end() || stopped_) return;
  Entry& e = it->second;
  auto when = host_.Now() + delay;
  if (e.running || e.queued || e.soon_timer != 0 || when >= e.next_due) return;
  e.soon_timer = host_.AddTimer(when, [this, target] {
    auto found = entries_.find(target);
    if (found == entries_.end() || stopped_) return;
    Entry& en = found->second;
    en.soon_timer = 0;
    if (en.running || en.queued || inflight_ >= options_.max_inflight) return;
    Launch(en, host_.Now());
  });
}

bool Scheduler::RunNow(const std::string& target, std::function<void(Transcript)> done) {
  auto it = entries_.find(target);
  if (it == entries_.end() || stopped_) return false;
  Start(target, std::move(done));
  return true;
}

void Scheduler::Start(const std::string& target, std::function<void(Transcript)> done) {
  auto spec = hooks_.prepare(target);
  if (spec) return host_.StartRun(std::move(*spec), std::move(done));
  // No spec (e.g. an unreadable token file): a failed run without traffic, with the reason.
  StepRecord rec;
  rec.transport = TransportError::kOther;
  rec.transport_detail = spec.error();
  Transcript t;
  t.steps.push_back(rec);
  done(std::move(t));
}

void Scheduler::Launch(Entry& e, Clock::time_point due) {
  auto now = host_.Now();
  if (hooks_.on_lag) {
    hooks_.on_lag(std::chrono::duration<double>(std::max(now - due, Clock::duration{})).count());
  }
  std::string name = e.target.name;
  auto started = host_.WallNow();
  auto finish = [this, name, started](Transcript t) {
    --inflight_;
    auto found = entries_.find(name);
    if (found != entries_.end()) found->second.running = false;
    if (hooks_.on_result) hooks_.on_result(name, started, std::move(t));
    StartWaiting();
  };
  e.running = true;
  ++inflight_;
  Start(name, std::move(finish));
}

void Scheduler::StartWaiting() {
  while (!stopped_ && !waiting_.empty() && inflight_ < options_.max_inflight) {
    std::string name = waiting_.front();
    waiting_.pop_front();
    auto it = entries_.find(name);
    if (it == entries_.end()) continue;
    it->second.queued = false;
    Launch(it->second, it->second.queued_due);
  }
}

void Scheduler::StopScheduling() {
  stopped_ = true;
  waiting_.clear();
  for (auto& [name, e] : entries_) {
    host_.CancelTimer(e.timer);
    host_.CancelTimer(e.soon_timer);
    e.timer = e.soon_timer = 0;
    e.queued = false;
  }
}

}  // namespace mcpwatch
