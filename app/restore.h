// Start-up: everything the daemon knows is rebuilt from SQLite, so a restart loses nothing —
// baselines, target states, detector memory, and the metrics' counters and last-run gauges.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tl/expected.hpp>

#include "checks/probe_result.h"
#include "checks/target_tracker.h"
#include "storage/reader.h"

namespace mcpwatch {

// A stored run turned back into a ProbeResult (steps and timings; no tool JSON).
ProbeResult FromRunRow(const storage::RunRow& row);

struct RestoredCounts {
  std::map<std::pair<std::string, FailureClass>, int64_t> runs;
  std::map<std::pair<std::string, EventKind>, int64_t> events;
  std::map<std::string, ProbeResult> last_runs;
};

// Feeds each tracker its history: baseline samples within its window (the newest ones, at most
// as many as its ring keeps), the stored state with the recent classes, the last run and tool
// list, and the recent events it remembers (TrackerPolicy::recent_events). Counts are exact over
// the whole history. Reads per target are bounded by what the tracker keeps, so start-up time
// grows with the number of targets, not the history's age.
tl::expected<RestoredCounts, std::string> RestoreFromHistory(
    storage::HistoryReader& reader, std::map<std::string, std::unique_ptr<TargetTracker>>& trackers,
    std::chrono::system_clock::time_point now, std::chrono::milliseconds baseline_window);

}  // namespace mcpwatch
