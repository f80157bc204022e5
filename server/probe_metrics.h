// Per-target metrics (DESIGN §8, a contract), blackbox_exporter style: last-run gauges next to
// counters and histograms that survive any scrape interval.
//
// The values live in one compact record per target (about 1 KB) and are rendered straight into
// the text format at scrape time. prometheus-cpp's object per series cost about 220 bytes for
// each of the ~106 series of a target: 231 MiB at 10,000 targets before a single probe ran, and a
// 35 s scrape (docs/benchmarks.md). The daemon's own mcpwatch_* metrics stay on prometheus-cpp.
//
// Every series carries `target` (the configured name), `location` when the instance has one, and
// the target's configured labels (names that clash with ours are skipped). Label values come
// from closed enums, configured names, or bounded server-reported text (server_info only).
//
// Thread-safety: every method may be called from any thread; one mutex guards the records, and a
// scrape holds it only while rendering a slice of targets.
// Calls about a target that was never added (or was removed) are ignored and return false, so
// an ad-hoc probe can never create series.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "checks/baseline.h"
#include "checks/event.h"
#include "checks/failure_class.h"
#include "checks/probe_result.h"
#include "checks/target_state.h"
#include "server/text_exposition.h"

namespace mcpwatch {

namespace detail {
struct TargetSeries;
}  // namespace detail

struct TargetMeta {
  std::string name;
  std::chrono::milliseconds interval{0};
  std::map<std::string, std::string> labels;  // from config; added to every series
  // The target has auth: configured, so its runs can end in the auth health classes; only
  // then are those pre-initialised (a plain target keeps its lean series count).
  bool auth = false;
};

class ProbeMetrics {
 public:
  // Labels on every series of this instance: `location` and `shard` ("" means no such label).
  explicit ProbeMetrics(std::string location, std::string shard = "");
  ~ProbeMetrics();
  ProbeMetrics(const ProbeMetrics&) = delete;
  ProbeMetrics& operator=(const ProbeMetrics&) = delete;

  // Creates every series of the target at its initial value (all classes — the auth health
  // classes only for a target with auth — phases, states and event kinds at 0, state
  // unknown = 1). Adding a known target again updates its interval; if
  // its labels changed, its series move to the new label set with their values kept.
  void AddTarget(const TargetMeta& t);
  void RemoveTarget(const std::string& name);  // e.g. gone after a config reload

  // The gauges of the run (RestoreLastRun) plus probe_mcp_runs_total{class} and the phase
  // histograms (passed steps only; total only for a successful run).
  bool ObserveRun(const ProbeResult& r);
  bool SetState(const std::string& target, TargetState s);
  // nullopt: no baseline yet (cold start), the phase's series is removed.
  bool SetBaseline(const std::string& target, BaselinePhase p,
                   std::optional<std::chrono::microseconds> median);
  bool CountEvent(const std::string& target, EventKind k);
  bool SetMaintenance(const std::string& target, bool on);
  // When the OAuth refresh token the prober holds for the target expires (AuthRefreshExpiring's
  // input); nullopt: no such series (no auth, or the authorization server did not say).
  bool SetAuthRefreshExpiry(const std::string& target,
                            std::optional<std::chrono::system_clock::time_point> at);
  // probe_mcp_rate_limit_enforced (issue 11): absent until a rate_limit_check burst concluded.
  bool SetRateLimitEnforced(const std::string& target, bool enforced);
  // probe_mcp_rollout_draining and probe_mcp_last_deploy_downtime_seconds (issue 11): absent
  // until set.
  bool SetRolloutDraining(const std::string& target, bool draining);
  bool SetDeployDowntime(const std::string& target, std::chrono::milliseconds downtime);

  // Start-up restore from SQLite: counters continue from the stored totals (raised to `total`,
  // never lowered, so calling twice is harmless), gauges show the last stored run.
  bool RestoreRunCount(const std::string& target, FailureClass c, uint64_t total);
  bool RestoreEventCount(const std::string& target, EventKind k, uint64_t total);
  bool RestoreLastRun(const ProbeResult& r);  // gauges only: no counters, no histograms

  // Every per-target family in the text format, targets in name order, handed to `sink` in
  // pieces of 64 KiB to a few hundred KiB. The lock is held per slice of 64 targets, so runs
  // are recorded while a long scrape is under way.
  void Expose(const ExpositionSink& sink) const;
  std::string ExpositionText() const;  // the same, as one string

 private:
  // Applies `change(TargetSeries&)` to the target's record under the lock; false (and nothing
  // changed) for a target that was never added.
  template <typename Change>
  bool Update(const std::string& target, Change change);

  const std::string location_;
  const std::string shard_;

  mutable std::mutex mu_;  // guards series_ and every record in it
  std::map<std::string, std::shared_ptr<detail::TargetSeries>, std::less<>> series_;
};

}  // namespace mcpwatch
