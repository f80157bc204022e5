// HistoryReader: read-only queries over the history on its own connection, safe while the
// daemon's writer commits (WAL readers never block the writer, nor it them). Every query is
// bounded by a time window and/or a LIMIT.
//
// Thread-safety: one reader per thread (it owns a connection); open as many as needed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "checks/failure_class.h"
#include "storage/database.h"
#include "storage/run_row.h"

namespace mcpwatch::storage {

inline constexpr int kMaxQueryLimit = 10'000;  // larger limits are clamped to this

struct TargetStatus {
  std::string target;
  std::optional<FailureClass> last_class;  // nullopt: never probed
  std::optional<TimePoint> last_run_at;
  int64_t runs_24h = 0;              // runs outside maintenance in (now - 24 h, now]
  std::optional<double> uptime_24h;  // successes / runs_24h, in [0, 1]
  std::optional<Micros> p95_24h;     // p95 of total over those runs that succeeded
  std::string state = "unknown";     // target_state, "unknown" when none stored
  std::optional<TimePoint> state_since;
  // The newest run's diagnosis: for a failure, the deploy or drift that caused it (issue 11);
  // for a latency spike, where the time went. "" when it has none.
  std::string diagnosis;
};

struct RunCount {
  std::string target;
  FailureClass cls = FailureClass::kOk;
  int64_t total = 0;
};

struct EventCount {
  std::string target;  // "" for events not about one target
  std::string kind;
  int64_t total = 0;
};

struct LatencySample {
  TimePoint started_at{};
  Micros total{0};
  std::vector<StepRow> steps;
};

struct EventRecord {
  int64_t id = 0;
  std::string target;  // "" for an event not about one target
  TimePoint at{};
  std::string kind;
  std::string details;  // JSON object
};

struct SnapshotRecord {
  int64_t id = 0;
  std::string target;
  std::string hash;
  std::string tools;  // canonical JSON
  std::string server_version;
  TimePoint first_seen{};
  bool accepted = false;
};

struct TargetStateRecord {
  std::string target;
  std::string state;
  TimePoint since{};
  std::string details;
};

class HistoryReader {
 public:
  // Opens read-only; refuses a database whose schema is not this binary's (OpenForReading).
  static tl::expected<HistoryReader, std::string> Open(const std::filesystem::path& path);

  // Runs of `target` started at or after `since`, newest first.
  tl::expected<std::vector<RunRow>, std::string> History(std::string_view target, TimePoint since,
                                                         int limit);
  // One row per known target, by name, computed from one consistent snapshot.
  tl::expected<std::vector<TargetStatus>, std::string> Status(TimePoint now);
  // probe_mcp_runs_total as stored: survives retention and restarts.
  tl::expected<std::vector<RunCount>, std::string> RunCounts();
  // The newest run of every target (to restore gauges at start-up).
  tl::expected<std::vector<RunRow>, std::string> LastRuns();
  // Runs of class ok (no spikes) since `since`, oldest first, for baselines.
  tl::expected<std::vector<LatencySample>, std::string> SuccessfulLatencies(
      std::string_view target, TimePoint since, int limit = kMaxQueryLimit);
  // The classes of `target`'s runs started at or after `since`, newest first (restoring the
  // state machine's window without reading whole rows).
  tl::expected<std::vector<FailureClass>, std::string> RecentClasses(std::string_view target,
                                                                     TimePoint since, int limit);
  // Newest first; an empty `target` means every target.
  tl::expected<std::vector<EventRecord>, std::string> Events(std::string_view target,
                                                             TimePoint since, int limit);
  // How many events of each kind every target has, over the whole events table (exact, for
  // probe_mcp_events_total at start-up; one aggregate query, no rows returned per event).
  tl::expected<std::vector<EventCount>, std::string> EventCounts();
  tl::expected<std::optional<SnapshotRecord>, std::string> LatestSnapshot(std::string_view target);
  tl::expected<std::optional<SnapshotRecord>, std::string> AcceptedSnapshot(
      std::string_view target);
  // Every stored state-machine state (to restore it at start-up).
  tl::expected<std::vector<TargetStateRecord>, std::string> TargetStates();

  // For queries this class does not offer (e.g. the alert engine's own tables).
  Database& db() { return db_; }

 private:
  explicit HistoryReader(Database db) : db_(std::move(db)) {}
  tl::expected<std::optional<SnapshotRecord>, std::string> Snapshot(std::string_view sql,
                                                                    std::string_view target);
  tl::expected<std::vector<TargetStatus>, std::string> StatusInSnapshot(TimePoint now);

  Database db_;
};

}  // namespace mcpwatch::storage
