// The one place a TargetSnapshot is assembled: from the target's tracker (state, recent classes,
// last run, recent events), its configuration (name, labels, interval) and two facts the daemon
// knows at the evaluation (maintenance, schema acceptance).
#pragma once

#include "alerts/target_snapshot.h"
#include "checks/target_tracker.h"
#include "config/config.h"

namespace mcpwatch::alerts {

// What a tracker must remember for the rules to read its snapshot: the event kinds
// RulesReadEvent accepts, for the longest window a rule looks back over (an hour).
EventMemory RulesEventMemory();

// Copies the tracker's recent events; shares its last run.
TargetSnapshot BuildSnapshot(const TargetTracker& tracker, const TargetConfig& target,
                             bool in_maintenance, bool schema_accepted);

}  // namespace mcpwatch::alerts
