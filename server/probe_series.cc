#include "server/probe_series.h"

#include <utility>
#include <vector>

namespace mcpwatch::detail {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;
using prometheus::Labels;

constexpr std::array<std::string_view, kNetworkPhaseCount> kNetworkPhases = {"resolve", "connect",
                                                                             "tls"};

const Histogram::BucketBoundaries& PhaseBuckets() {
  static const Histogram::BucketBoundaries buckets = {.005, .01, .025, .05, .1, .25,
                                                      .5,   1,   2.5,  5,   10, 30};
  return buckets;
}

Family<Gauge>& GaugeFamily(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

Family<Counter>& CounterFamily(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

void CopyHistogram(const Histogram& from, Histogram& to) {
  const auto data = from.Collect().histogram;
  std::vector<double> increments;  // per bucket, +Inf last, as ObserveMultiple wants them
  uint64_t previous = 0;
  for (const auto& bucket : data.bucket) {
    increments.push_back(static_cast<double>(bucket.cumulative_count - previous));
    previous = bucket.cumulative_count;
  }
  to.ObserveMultiple(increments, data.sample_sum);
}

Labels ServerInfoLabels(const Labels& base, const std::array<std::string, 4>& values) {
  Labels labels = base;
  labels.insert({{"name", values[0]},
                 {"version", values[1]},
                 {"protocol_version", values[2]},
                 {"transport", values[3]}});
  return labels;
}

}  // namespace

double ToolsHashNumber(std::string_view hex) {
  if (hex.size() < 12) return 0;
  uint64_t value = 0;
  for (char c : hex.substr(0, 12)) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return 0;
    }
    value = value * 16 + static_cast<uint64_t>(digit);
  }
  return static_cast<double>(value);
}

std::string_view GaugePhaseName(size_t index) {
  return index < kNetworkPhaseCount ? kNetworkPhases[index]
                                    : ToString(kAllSteps[index - kNetworkPhaseCount]);
}

size_t GaugePhaseIndex(Step s) {
  for (size_t i = 0; i < kAllSteps.size(); ++i) {
    if (kAllSteps[i] == s) return kNetworkPhaseCount + i;
  }
  return kNetworkPhaseCount;  // unreachable: kAllSteps lists every step
}

Labels With(Labels labels, std::string_view name, std::string_view value) {
  labels.emplace(std::string(name), std::string(value));
  return labels;
}

ProbeFamilies::ProbeFamilies(prometheus::Registry& r)
    : success(GaugeFamily(r, "probe_success", "1 if the last MCP probe run passed every step")),
      duration(GaugeFamily(r, "probe_duration_seconds", "Wall time of the last probe run")),
      phase(GaugeFamily(r, "probe_mcp_duration_seconds",
                        "Duration of each phase of the last run (0 when not reached)")),
      histogram(prometheus::BuildHistogram()
                    .Name("probe_mcp_phase_duration_seconds")
                    .Help("Durations of passed phases, and of successful runs (total)")
                    .Register(r)),
      runs(CounterFamily(r, "probe_mcp_runs_total", "Probe runs by failure class")),
      state(GaugeFamily(r, "probe_mcp_state", "1 for the target's current state")),
      server_info(GaugeFamily(r, "probe_mcp_server_info",
                              "Server identity from the last successful initialize")),
      tools(GaugeFamily(r, "probe_mcp_tools", "Tools offered in the last run's tools/list")),
      tools_hash(GaugeFamily(r, "probe_mcp_tools_hash",
                             "First 48 bits of the SHA-256 of the canonical tool list")),
      baseline(GaugeFamily(r, "probe_mcp_latency_baseline_seconds",
                           "Median latency of recent healthy runs per phase")),
      cert_expiry(GaugeFamily(r, "probe_ssl_earliest_cert_expiry",
                              "notAfter of the earliest-expiring certificate, unix seconds")),
      last_run(GaugeFamily(r, "probe_mcp_last_run_timestamp_seconds",
                           "Start of the last run, unix seconds")),
      interval(GaugeFamily(r, "probe_mcp_interval_seconds", "Configured probe interval")),
      maintenance(GaugeFamily(r, "probe_mcp_maintenance", "1 while in a maintenance window")),
      events(CounterFamily(r, "probe_mcp_events_total", "Detected events by kind")) {}

std::unique_ptr<ProbeSeries> MakeProbeSeries(ProbeFamilies& f, Labels labels,
                                             double interval_seconds) {
  auto s = std::make_unique<ProbeSeries>();
  s->labels = std::move(labels);
  s->success = &f.success.Add(s->labels);
  s->duration = &f.duration.Add(s->labels);
  for (size_t i = 0; i < kGaugePhaseCount; ++i) {
    s->phase[i] = &f.phase.Add(With(s->labels, "phase", GaugePhaseName(i)));
  }
  for (BaselinePhase p : kAllBaselinePhases) {
    s->histogram[static_cast<size_t>(p)] =
        &f.histogram.Add(With(s->labels, "phase", ToString(p)), PhaseBuckets());
  }
  for (FailureClass c : kAllFailureClasses) {
    s->runs[static_cast<size_t>(c)] = &f.runs.Add(With(s->labels, "class", ToString(c)));
  }
  for (TargetState st : kAllTargetStates) {
    s->state[static_cast<size_t>(st)] = &f.state.Add(With(s->labels, "state", ToString(st)));
  }
  s->state[static_cast<size_t>(TargetState::kUnknown)]->Set(1);
  s->tools = &f.tools.Add(s->labels);
  s->tools_hash = &f.tools_hash.Add(s->labels);
  s->last_run = &f.last_run.Add(s->labels);
  s->interval = &f.interval.Add(s->labels);
  s->interval->Set(interval_seconds);
  s->maintenance = &f.maintenance.Add(s->labels);
  for (EventKind k : kAllEventKinds) {
    s->events[static_cast<size_t>(k)] = &f.events.Add(With(s->labels, "kind", ToString(k)));
  }
  return s;
}

void DropProbeSeries(ProbeFamilies& f, ProbeSeries& s) {
  const auto drop = [](auto& family, auto*& metric) {
    if (metric != nullptr) family.Remove(metric);
    metric = nullptr;
  };
  drop(f.success, s.success);
  drop(f.duration, s.duration);
  for (Gauge*& g : s.phase) drop(f.phase, g);
  for (Histogram*& h : s.histogram) drop(f.histogram, h);
  for (Counter*& c : s.runs) drop(f.runs, c);
  for (Gauge*& g : s.state) drop(f.state, g);
  drop(f.tools, s.tools);
  drop(f.tools_hash, s.tools_hash);
  drop(f.last_run, s.last_run);
  drop(f.interval, s.interval);
  drop(f.maintenance, s.maintenance);
  for (Counter*& c : s.events) drop(f.events, c);
  for (Gauge*& g : s.baseline) drop(f.baseline, g);
  drop(f.cert_expiry, s.cert_expiry);
  drop(f.server_info, s.server_info);
}

void MoveProbeSeriesValues(ProbeFamilies& f, const ProbeSeries& from, ProbeSeries& to) {
  const auto copy = [](const Gauge* src, Gauge* dst) { dst->Set(src->Value()); };
  copy(from.success, to.success);
  copy(from.duration, to.duration);
  for (size_t i = 0; i < from.phase.size(); ++i) copy(from.phase[i], to.phase[i]);
  for (size_t i = 0; i < from.histogram.size(); ++i) {
    CopyHistogram(*from.histogram[i], *to.histogram[i]);
  }
  for (size_t i = 0; i < from.runs.size(); ++i) to.runs[i]->Increment(from.runs[i]->Value());
  for (size_t i = 0; i < from.state.size(); ++i) copy(from.state[i], to.state[i]);
  copy(from.tools, to.tools);
  copy(from.tools_hash, to.tools_hash);
  copy(from.last_run, to.last_run);
  copy(from.maintenance, to.maintenance);
  for (size_t i = 0; i < from.events.size(); ++i) {
    to.events[i]->Increment(from.events[i]->Value());
  }
  for (size_t i = 0; i < from.baseline.size(); ++i) {
    if (from.baseline[i] == nullptr) continue;
    to.baseline[i] = &f.baseline.Add(With(to.labels, "phase", ToString(kAllBaselinePhases[i])));
    copy(from.baseline[i], to.baseline[i]);
  }
  if (from.cert_expiry != nullptr) {
    to.cert_expiry = &f.cert_expiry.Add(to.labels);
    copy(from.cert_expiry, to.cert_expiry);
  }
  if (from.server_info != nullptr) SetServerInfoSeries(f, to, from.server_info_values);
}

void SetServerInfoSeries(ProbeFamilies& f, ProbeSeries& s, std::array<std::string, 4> values) {
  if (s.server_info != nullptr && values == s.server_info_values) return;
  if (s.server_info != nullptr) f.server_info.Remove(s.server_info);
  s.server_info = &f.server_info.Add(ServerInfoLabels(s.labels, values));
  s.server_info->Set(1);
  s.server_info_values = std::move(values);
}

}  // namespace mcpwatch::detail
