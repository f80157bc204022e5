// Per-target latency baselines (DESIGN §6): a robust centre (median) and spread (MAD) per phase
// over a bounded ring of recent healthy runs, and the spike rule the classifier applies to them.
//
// Time: system_clock, taken from ProbeResult::started_at (the same timestamps SQLite stores, so
// the daemon can rebuild a tracker at start-up by replaying stored runs). No clock is read here.
// Not thread-safe: one tracker per target, owned by whoever processes that target's results.
// Size: about 20 bytes per sample (default 128 samples, ~2.6 KB per target when full).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "checks/probe_result.h"

namespace mcpwatch {

enum class BaselinePhase { kInitialize, kToolsList, kToolCall, kTotal };

inline constexpr std::array kAllBaselinePhases = {BaselinePhase::kInitialize,
                                                  BaselinePhase::kToolsList,
                                                  BaselinePhase::kToolCall, BaselinePhase::kTotal};

// "initialize", "tools_list", "tool_call", "total".
std::string_view ToString(BaselinePhase p);

struct PhaseBaseline {
  std::chrono::microseconds median{0};
  std::chrono::microseconds mad{0};  // raw median absolute deviation (not scaled by 1.4826)
  int samples = 0;
};

// One run's duration per phase, indexed by BaselinePhase; nullopt when the phase did not run
// (no tool_call configured) or did not pass.
using PhaseDurations = std::array<std::optional<std::chrono::microseconds>, 4>;

// The per-phase durations of a run: the step's duration for initialize, tools_list and
// tool_call (only when that step is Ok()), the transcript's total for total (when non-zero).
PhaseDurations DurationsOf(const ProbeResult& r);

struct BaselineOptions {
  int capacity = 128;                          // samples kept (ring), 1..4096
  std::chrono::seconds window{7 * 24 * 3600};  // samples older than this are dropped
};

class BaselineTracker {
 public:
  explicit BaselineTracker(BaselineOptions options = {});

  // Feeds one run. Every run advances time (samples older than started_at - window are
  // dropped); only runs classified exactly kOk add a sample: failed runs and latency_spike
  // runs are ignored so an incident never teaches the baseline that slow is normal.
  void Add(const ProbeResult& r);

  // The same for a run already reduced to its durations (restoring from storage). The caller
  // is responsible for passing only healthy, non-spike runs.
  void AddDurations(std::chrono::system_clock::time_point at, const PhaseDurations& d);

  // Median and MAD over the kept samples of `phase` (zeros when there are none). Recomputed
  // lazily on first use after an Add, then cached.
  PhaseBaseline Baseline(BaselinePhase phase) const;

  bool Ready(BaselinePhase phase, int min_samples) const;

  int Size() const { return static_cast<int>(ring_.size()); }  // runs kept (all phases)
  int Capacity() const { return options_.capacity; }           // the most Size() can reach

 private:
  // Durations are stored as int32 microseconds (up to ~35 minutes; longer saturates) and the
  // time as uint32 Unix seconds, to keep a target's state at a few KB.
  struct Sample {
    uint32_t at_s = 0;
    std::array<int32_t, 4> us{};  // -1 = the phase has no value in this run
  };

  void Expire(std::chrono::system_clock::time_point now);
  PhaseBaseline Compute(BaselinePhase phase) const;

  BaselineOptions options_;
  std::vector<Sample> ring_;  // grows to options_.capacity, then overwritten at next_
  size_t next_ = 0;           // the slot the next sample goes to once ring_ is full
  mutable std::array<std::optional<PhaseBaseline>, 4> cache_;
};

struct SpikeRule {
  double factor = 3.0;                       // value must exceed median * factor ...
  std::chrono::microseconds margin{250000};  // ... and median + margin ...
  double mad_k = 6.0;                        // ... and median + mad_k * MAD
  int min_samples = 20;                      // no verdict from a cold baseline
};

// True only when value > max(median * factor, median + mad_k * mad), value - median > margin,
// and the baseline has at least min_samples. So 2 ms -> 6 ms is never a spike; 200 ms -> 9 s is.
bool IsSpike(std::chrono::microseconds value, const PhaseBaseline& b, const SpikeRule& r);

}  // namespace mcpwatch
