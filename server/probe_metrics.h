// Per-target metrics (DESIGN §8, a contract) on a prometheus::Registry, blackbox_exporter style:
// last-run gauges next to counters and histograms that survive any scrape interval.
//
// Every series carries `target` (the configured name), `location` when the instance has one, and
// the target's configured labels (names that clash with ours are skipped). Label values come
// from closed enums, configured names, or bounded server-reported text (server_info only).
//
// Thread-safety: every method may be called from any thread (one mutex guards the per-target
// series; prometheus-cpp families and metrics are themselves thread-safe for scrapes).
// Calls about a target that was never added (or was removed) are ignored and return false, so
// an ad-hoc probe can never create series.
#pragma once

#include <prometheus/labels.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "checks/baseline.h"
#include "checks/event.h"
#include "checks/failure_class.h"
#include "checks/probe_result.h"
#include "checks/target_state.h"

namespace mcpwatch {

namespace detail {
struct ProbeFamilies;
struct ProbeSeries;
}  // namespace detail

struct TargetMeta {
  std::string name;
  std::chrono::milliseconds interval{0};
  std::map<std::string, std::string> labels;  // from config; added to every series
};

class ProbeMetrics {
 public:
  // `location` "" means no location label. The families are registered at once (merged when
  // the registry already has them).
  ProbeMetrics(prometheus::Registry& registry, std::string location);
  ~ProbeMetrics();
  ProbeMetrics(const ProbeMetrics&) = delete;
  ProbeMetrics& operator=(const ProbeMetrics&) = delete;

  // Creates every series of the target at its initial value (all classes, phases, states and
  // event kinds at 0, state unknown = 1). Adding a known target again updates its interval; if
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

  // Start-up restore from SQLite: counters continue from the stored totals (raised to `total`,
  // never lowered, so calling twice is harmless), gauges show the last stored run.
  bool RestoreRunCount(const std::string& target, FailureClass c, uint64_t total);
  bool RestoreEventCount(const std::string& target, EventKind k, uint64_t total);
  bool RestoreLastRun(const ProbeResult& r);  // gauges only: no counters, no histograms

 private:
  prometheus::Labels TargetLabels(const TargetMeta& t) const;
  void SetLastRunGauges(detail::ProbeSeries& s, const ProbeResult& r);
  detail::ProbeSeries* Find(const std::string& target);

  std::unique_ptr<detail::ProbeFamilies> families_;
  const std::string location_;

  std::mutex mu_;  // guards series_ and every series in it
  std::unordered_map<std::string, std::unique_ptr<detail::ProbeSeries>> series_;
};

}  // namespace mcpwatch
