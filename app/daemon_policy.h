// Config → the detectors' and scheduler's settings (one place, so serve and tests agree).
#pragma once

#include "checks/target_tracker.h"
#include "config/config.h"
#include "prober/scheduler.h"
#include "storage/writer.h"

namespace mcpwatch {

TrackerPolicy TrackerPolicyFor(const Config& config, const TargetConfig& target);
SchedulerOptions SchedulerOptionsFor(const Config& config);
storage::WriterOptions WriterOptionsFor(const Config& config);
bool TargetInMaintenance(const Config& config, const TargetConfig& target,
                         std::chrono::system_clock::time_point now);

}  // namespace mcpwatch
