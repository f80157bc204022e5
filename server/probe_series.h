// The prometheus-cpp families behind ProbeMetrics and one target's set of series in them.
// Internal to server/: ProbeMetrics owns both and does the locking.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "checks/baseline.h"
#include "checks/event.h"
#include "checks/failure_class.h"
#include "checks/step.h"
#include "checks/target_state.h"

namespace mcpwatch::detail {

// probe_mcp_duration_seconds{phase}: resolve, connect, tls, then every step in order.
inline constexpr size_t kNetworkPhaseCount = 3;
inline constexpr size_t kGaugePhaseCount = kNetworkPhaseCount + kAllSteps.size();
std::string_view GaugePhaseName(size_t index);
size_t GaugePhaseIndex(Step s);

// probe_mcp_tools_hash: the first 12 hex digits of the SHA-256 as a number (48 bits, exact in a
// double); 0 when there is no (valid) hash.
double ToolsHashNumber(std::string_view hex);

prometheus::Labels With(prometheus::Labels labels, std::string_view name, std::string_view value);

struct ProbeFamilies {
  explicit ProbeFamilies(prometheus::Registry& r);  // registers (or merges) every family

  prometheus::Family<prometheus::Gauge>& success;
  prometheus::Family<prometheus::Gauge>& duration;
  prometheus::Family<prometheus::Gauge>& phase;
  prometheus::Family<prometheus::Histogram>& histogram;
  prometheus::Family<prometheus::Counter>& runs;
  prometheus::Family<prometheus::Gauge>& state;
  prometheus::Family<prometheus::Gauge>& server_info;
  prometheus::Family<prometheus::Gauge>& tools;
  prometheus::Family<prometheus::Gauge>& tools_hash;
  prometheus::Family<prometheus::Gauge>& baseline;
  prometheus::Family<prometheus::Gauge>& cert_expiry;
  prometheus::Family<prometheus::Gauge>& last_run;
  prometheus::Family<prometheus::Gauge>& interval;
  prometheus::Family<prometheus::Gauge>& maintenance;
  prometheus::Family<prometheus::Counter>& events;
};

// Pointers into the families (owned by them); indexed by the enums' values.
struct ProbeSeries {
  prometheus::Labels labels;  // target, location, configured labels
  prometheus::Gauge* success = nullptr;
  prometheus::Gauge* duration = nullptr;
  std::array<prometheus::Gauge*, kGaugePhaseCount> phase{};
  std::array<prometheus::Histogram*, kAllBaselinePhases.size()> histogram{};
  std::array<prometheus::Counter*, kAllFailureClasses.size()> runs{};
  std::array<prometheus::Gauge*, kAllTargetStates.size()> state{};
  prometheus::Gauge* tools = nullptr;
  prometheus::Gauge* tools_hash = nullptr;
  prometheus::Gauge* last_run = nullptr;
  prometheus::Gauge* interval = nullptr;
  prometheus::Gauge* maintenance = nullptr;
  std::array<prometheus::Counter*, kAllEventKinds.size()> events{};
  std::array<prometheus::Gauge*, kAllBaselinePhases.size()> baseline{};  // null until known
  prometheus::Gauge* cert_expiry = nullptr;       // null until a certificate was seen
  prometheus::Gauge* server_info = nullptr;       // null until an initialize passed
  std::array<std::string, 4> server_info_values;  // name, version, protocol_version, transport
};

// Creates (or, for labels already present, finds) every pre-initialised series of a target:
// all phases, classes, states and kinds at 0, state "unknown" at 1.
std::unique_ptr<ProbeSeries> MakeProbeSeries(ProbeFamilies& f, prometheus::Labels labels,
                                             double interval_seconds);
void DropProbeSeries(ProbeFamilies& f, ProbeSeries& s);
// After a label change: `to` continues with every value of `from` (counters and histograms
// included), and the optional series that `from` had are created for `to`.
void MoveProbeSeriesValues(ProbeFamilies& f, const ProbeSeries& from, ProbeSeries& to);
// Replaces the server_info series when any of its values changed.
void SetServerInfoSeries(ProbeFamilies& f, ProbeSeries& s, std::array<std::string, 4> values);

}  // namespace mcpwatch::detail
