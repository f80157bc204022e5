// The verdict of a probe run: a pure function from what was observed (a Transcript) to exactly
// one failure class (DESIGN §5) — the first failure in step order, else latency_spike, else ok —
// with a one-line explanation an on-call engineer can act on, and for latency a diagnosis of
// which phases moved.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "checks/baseline.h"
#include "checks/probe_result.h"
#include "checks/transcript.h"

namespace mcpwatch {

struct LatencyPolicy {
  // Absolute limits per BaselinePhase (initialize, tools_list, tool_call, total); zero = none.
  // They decide while a phase has no ready baseline: one-shot probes and cold starts.
  std::array<std::chrono::microseconds, 4> max_latency{};
  // The target's own baselines (the daemon fills these from history).
  std::array<std::optional<PhaseBaseline>, 4> baselines{};
  SpikeRule rule;
};

Verdict Classify(const Transcript& t, const LatencyPolicy& policy);

// Human label of a step for messages: "initialize", "notifications/initialized", "tools/list",
// "tools/call", "ping", "session close".
std::string_view StepLabel(Step s);
// The same in an era: a modern (2026-07-28) run's initialize step is "server/discover".
std::string_view StepLabel(Step s, ProtocolEra era);

}  // namespace mcpwatch
