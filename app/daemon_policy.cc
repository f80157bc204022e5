#include "app/daemon_policy.h"

#include "alerts/build_snapshot.h"

namespace mcpwatch {

TrackerPolicy TrackerPolicyFor(const Config& config, const TargetConfig& target) {
  const DetectionConfig& d = config.detection;
  TrackerPolicy p;
  auto idx = [](BaselinePhase ph) { return static_cast<std::size_t>(ph); };
  p.max_latency[idx(BaselinePhase::kTotal)] = target.max_latency.total;
  p.max_latency[idx(BaselinePhase::kInitialize)] = target.max_latency.initialize;
  p.max_latency[idx(BaselinePhase::kToolsList)] = target.max_latency.tools_list;
  p.max_latency[idx(BaselinePhase::kToolCall)] = target.max_latency.tool_call;
  p.spike.factor = d.spike_factor;
  p.spike.margin = d.spike_margin;
  p.spike.min_samples = d.baseline_min_samples;
  p.baseline.window = std::chrono::duration_cast<std::chrono::seconds>(d.baseline_window);
  p.state.window = d.window;
  p.state.down_after = d.down_after;
  p.state.hard_down_after = d.hard_down_after;
  p.state.up_after = d.up_after;
  p.state.degraded_after = d.degraded_after;
  p.state.confirm_after = d.confirm_after;
  p.crash_loop.flips = d.crash_loop_flips;
  p.crash_loop.window = std::chrono::duration_cast<std::chrono::seconds>(d.crash_loop_window);
  p.regression.before =
      std::chrono::duration_cast<std::chrono::seconds>(d.deploy_regression_before);
  p.regression.after = std::chrono::duration_cast<std::chrono::seconds>(d.deploy_regression_after);
  p.cert_thresholds.clear();
  for (auto t : d.cert_expiry_warn) {
    p.cert_thresholds.push_back(std::chrono::duration_cast<std::chrono::hours>(t));
  }
  p.rollout.grace = std::chrono::duration_cast<std::chrono::seconds>(d.rolling_deploy_grace);
  p.rollout.migration_window = std::chrono::duration_cast<std::chrono::seconds>(d.migration_window);
  p.recent_events = alerts::RulesEventMemory();  // what the alert rules read of its events
  return p;
}

SchedulerOptions SchedulerOptionsFor(const Config& config) {
  SchedulerOptions o;
  o.max_inflight = static_cast<std::size_t>(std::max(1, config.scheduler.max_inflight));
  o.jitter = config.scheduler.jitter;
  return o;
}

storage::WriterOptions WriterOptionsFor(const Config& config) {
  storage::WriterOptions o;
  o.retention.raw_retention =
      std::chrono::duration_cast<std::chrono::hours>(config.storage.raw_retention);
  o.retention.rollup_retention =
      std::chrono::duration_cast<std::chrono::hours>(config.storage.rollup_retention);
  o.queue_capacity = static_cast<size_t>(config.storage.queue_capacity);
  return o;
}

bool TargetInMaintenance(const Config& config, const TargetConfig& target,
                         std::chrono::system_clock::time_point now) {
  return InMaintenance(config.maintenance, now) || InMaintenance(target.maintenance, now);
}

}  // namespace mcpwatch
