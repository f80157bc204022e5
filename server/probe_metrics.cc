#include "server/probe_metrics.h"

#include <array>
#include <string_view>
#include <utility>

#include "server/label_value.h"
#include "server/probe_series.h"

namespace mcpwatch {

namespace {

using detail::ProbeSeries;

// Label names our families use (or Prometheus adds at scrape time); a configured label by one
// of these names would collide, so it is skipped.
constexpr std::array<std::string_view, 13> kReservedLabels = {
    "target",           "location",  "phase", "class", "state",    "kind",   "name",
    "protocol_version", "transport", "le",    "job",   "instance", "version"};

bool IsReserved(std::string_view name) {
  for (auto reserved : kReservedLabels) {
    if (reserved == name) return true;
  }
  return false;
}

double Seconds(Micros us) {
  return static_cast<double>(us.count()) / 1e6;
}

double Seconds(std::chrono::milliseconds ms) {
  return std::chrono::duration<double>(ms).count();
}

double UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Restoring is idempotent: the counter ends at `total` unless it has already passed it.
void RaiseTo(prometheus::Counter& counter, uint64_t total) {
  const double missing = static_cast<double>(total) - counter.Value();
  if (missing > 0) counter.Increment(missing);
}

}  // namespace

ProbeMetrics::ProbeMetrics(prometheus::Registry& registry, std::string location)
    : families_(std::make_unique<detail::ProbeFamilies>(registry)),
      location_(std::move(location)) {}

// The series stay in the registry: prometheus-cpp's Family::Remove scans the family, so
// dropping every series of 10,000 targets one by one took minutes at daemon exit. The
// registry must therefore not be used for exposition after its ProbeMetrics is gone (the
// daemon destroys both together).
ProbeMetrics::~ProbeMetrics() = default;

prometheus::Labels ProbeMetrics::TargetLabels(const TargetMeta& t) const {
  prometheus::Labels labels = {{"target", t.name}};
  if (!location_.empty()) labels.emplace("location", location_);
  for (const auto& [name, value] : t.labels) {
    if (IsUsableLabelName(name) && !IsReserved(name)) {
      labels.emplace(name, BoundLabelValue(value));
    }
  }
  return labels;
}

ProbeSeries* ProbeMetrics::Find(const std::string& target) {
  auto it = series_.find(target);
  return it == series_.end() ? nullptr : it->second.get();
}

void ProbeMetrics::AddTarget(const TargetMeta& t) {
  prometheus::Labels labels = TargetLabels(t);
  std::lock_guard lock(mu_);
  auto it = series_.find(t.name);
  if (it == series_.end()) {
    series_.emplace(t.name, MakeProbeSeries(*families_, std::move(labels), Seconds(t.interval)));
    return;
  }
  ProbeSeries& old = *it->second;
  if (labels == old.labels) {
    old.interval->Set(Seconds(t.interval));
    return;
  }
  auto moved = MakeProbeSeries(*families_, std::move(labels), Seconds(t.interval));
  MoveProbeSeriesValues(*families_, old, *moved);
  DropProbeSeries(*families_, old);
  it->second = std::move(moved);
}

void ProbeMetrics::RemoveTarget(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = series_.find(name);
  if (it == series_.end()) return;
  DropProbeSeries(*families_, *it->second);
  series_.erase(it);
}

void ProbeMetrics::SetLastRunGauges(ProbeSeries& s, const ProbeResult& r) {
  const Transcript& t = r.transcript;
  s.success->Set(r.Success() ? 1 : 0);
  s.duration->Set(Seconds(t.timings.total));
  s.phase[0]->Set(Seconds(t.timings.dns));
  s.phase[1]->Set(Seconds(t.timings.connect));
  s.phase[2]->Set(Seconds(t.timings.tls));
  for (Step step : kAllSteps) s.phase[detail::GaugePhaseIndex(step)]->Set(0);
  for (const StepRecord& record : t.steps) {
    s.phase[detail::GaugePhaseIndex(record.step)]->Set(Seconds(record.duration));
  }
  // Like blackbox: a run that did not reach tools/list shows 0 (the drift rule ignores zeros).
  s.tools->Set(t.tool_count.value_or(0));
  s.tools_hash->Set(detail::ToolsHashNumber(t.tools_hash));
  if (t.cert_not_after) {
    if (s.cert_expiry == nullptr) s.cert_expiry = &families_->cert_expiry.Add(s.labels);
    s.cert_expiry->Set(UnixSeconds(*t.cert_not_after));
  }
  s.last_run->Set(UnixSeconds(r.started_at));
  // A run whose initialize did not pass keeps the last known identity.
  if (!t.server.name.empty() || !t.server.version.empty() || !t.protocol_version.empty()) {
    SetServerInfoSeries(*families_, s,
                        {BoundLabelValue(t.server.name), BoundLabelValue(t.server.version),
                         BoundLabelValue(t.protocol_version), std::string(ToString(t.transport))});
  }
}

bool ProbeMetrics::ObserveRun(const ProbeResult& r) {
  std::lock_guard lock(mu_);
  ProbeSeries* s = Find(r.target);
  if (s == nullptr) return false;
  SetLastRunGauges(*s, r);
  s->runs[static_cast<size_t>(r.verdict.cls)]->Increment();
  const PhaseDurations durations = DurationsOf(r);
  for (BaselinePhase p : kAllBaselinePhases) {
    const auto& value = durations[static_cast<size_t>(p)];
    if (!value) continue;
    // A refused connection is fast, not healthy: failed runs stay out of the total histogram.
    if (p == BaselinePhase::kTotal && !r.Success()) continue;
    s->histogram[static_cast<size_t>(p)]->Observe(Seconds(*value));
  }
  return true;
}

bool ProbeMetrics::SetState(const std::string& target, TargetState state) {
  std::lock_guard lock(mu_);
  ProbeSeries* s = Find(target);
  if (s == nullptr) return false;
  for (TargetState st : kAllTargetStates) {
    s->state[static_cast<size_t>(st)]->Set(st == state ? 1 : 0);
  }
  return true;
}

bool ProbeMetrics::SetBaseline(const std::string& target, BaselinePhase p,
                               std::optional<std::chrono::microseconds> median) {
  std::lock_guard lock(mu_);
  ProbeSeries* s = Find(target);
  if (s == nullptr) return false;
  prometheus::Gauge*& gauge = s->baseline[static_cast<size_t>(p)];
  if (!median) {
    if (gauge != nullptr) families_->baseline.Remove(gauge);
    gauge = nullptr;
    return true;
  }
  if (gauge == nullptr) {
    gauge = &families_->baseline.Add(detail::With(s->labels, "phase", ToString(p)));
  }
  gauge->Set(Seconds(*median));
  return true;
}

bool ProbeMetrics::CountEvent(const std::string& target, EventKind k) {
  std::lock_guard lock(mu_);
  ProbeSeries* s = Find(target);
  if (s == nullptr) return false;
  s->events[static_cast<size_t>(k)]->Increment();
  return true;
}

bool ProbeMetrics::SetMaintenance(const std::string& target, bool on) {
  std::lock_guard lock(mu_);
  ProbeSeries* s = Find(target);
  if (s == nullptr) return false;
  s->maintenance->Set(on ? 1 : 0);
  return true;
}

bool ProbeMetrics::RestoreRunCount(const std::string& target, FailureClass c, uint64_t total) {
  std::lock_guard lock(mu_);
  ProbeSeries* s = Find(target);
  if (s == nullptr) return false;
  RaiseTo(*s->runs[static_cast<size_t>(c)], total);
  return true;
}

bool ProbeMetrics::RestoreEventCount(const std::string& target, EventKind k, uint64_t total) {
  std::lock_guard lock(mu_);
  ProbeSeries* s = Find(target);
  if (s == nullptr) return false;
  RaiseTo(*s->events[static_cast<size_t>(k)], total);
  return true;
}

bool ProbeMetrics::RestoreLastRun(const ProbeResult& r) {
  std::lock_guard lock(mu_);
  ProbeSeries* s = Find(r.target);
  if (s == nullptr) return false;
  SetLastRunGauges(*s, r);
  return true;
}

}  // namespace mcpwatch
