#include "server/probe_metrics.h"

#include <array>
#include <span>
#include <utility>
#include <vector>

#include "server/label_value.h"
#include "server/probe_values.h"
#include "server/text_exposition.h"

namespace mcpwatch {

namespace detail {

// probe_mcp_phase_duration_seconds for one (target, phase): per-bucket counts (+Inf last).
struct PhaseHistogram {
  std::array<uint64_t, kPhaseBuckets.size() + 1> counts{};
  double sum = 0;
  uint64_t count = 0;

  void Observe(double seconds) {
    size_t i = 0;
    while (i < kPhaseBuckets.size() && seconds > kPhaseBuckets[i]) ++i;
    ++counts[i];
    sum += seconds;
    ++count;
  }
};

// Everything exported about one target. Optional values are series that exist only once the
// fact is known (identity, certificate, baselines).
struct TargetSeries {
  LabelList labels;  // target, location, configured labels; sorted by name
  double success = 0;
  double duration = 0;
  std::array<double, kGaugePhaseCount> phase{};
  std::array<PhaseHistogram, kAllBaselinePhases.size()> histogram{};
  std::array<uint64_t, kAllFailureClasses.size()> runs{};
  TargetState state = TargetState::kUnknown;
  double tools = 0;
  double tools_hash = 0;
  double last_run = 0;
  double interval = 0;
  bool maintenance = false;
  bool auth = false;
  std::array<uint64_t, kAllEventKinds.size()> events{};
  std::array<std::optional<double>, kAllBaselinePhases.size()> baseline{};
  std::optional<double> cert_expiry;
  std::optional<double> health_status;        // only for targets with a health_url (issue 11)
  std::optional<double> rate_limit_enforced;  // only after a rate_limit_check burst concluded
  std::optional<double> rollout_draining;     // only with detection.rolling_deploy.grace > 0
  std::optional<double> deploy_downtime;      // only once a rolling deploy completed
  std::optional<double> auth_refresh_expiry;
  // name, version, protocol_version, transport
  std::optional<std::array<std::string, 4>> server_info;
};

}  // namespace detail

namespace {

using detail::TargetSeries;

// Label names our families use (or Prometheus adds at scrape time); a configured label by one
// of these names would collide, so it is skipped.
constexpr std::array<std::string_view, 14> kReservedLabels = {
    "target", "location",         "shard",     "phase", "class", "state",    "kind",
    "name",   "protocol_version", "transport", "le",    "job",   "instance", "version"};

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
void RaiseTo(uint64_t& counter, uint64_t total) {
  if (total > counter) counter = total;
}

void SetLastRunGauges(TargetSeries& s, const ProbeResult& r) {
  const Transcript& t = r.transcript;
  s.success = r.Success() ? 1 : 0;
  s.duration = Seconds(t.timings.total);
  s.phase.fill(0);
  s.phase[0] = Seconds(t.timings.dns);
  s.phase[1] = Seconds(t.timings.connect);
  s.phase[2] = Seconds(t.timings.tls);
  for (const StepRecord& record : t.steps) {
    s.phase[detail::GaugePhaseIndex(record.step)] = Seconds(record.duration);
  }
  // Like blackbox: a run that did not reach tools/list shows 0 (the drift rule ignores zeros).
  s.tools = t.tool_count.value_or(0);
  s.tools_hash = detail::ToolsHashNumber(t.tools_hash);
  if (t.cert_not_after) s.cert_expiry = UnixSeconds(*t.cert_not_after);
  if (t.health) s.health_status = t.health->http_status;
  s.last_run = UnixSeconds(r.started_at);
  // A run whose initialize did not pass keeps the last known identity.
  if (!t.server.name.empty() || !t.server.version.empty() || !t.protocol_version.empty()) {
    s.server_info = {BoundLabelValue(t.server.name), BoundLabelValue(t.server.version),
                     BoundLabelValue(t.protocol_version), std::string(ToString(t.transport))};
  }
}

// One family of the exposition: its header and how one target's samples are written.
struct FamilySpec {
  std::string_view name;
  std::string_view help;
  std::string_view type;
  void (*write)(std::string& out, std::string_view name, const TargetSeries& s);
};

void Plain(std::string& out, std::string_view name, const TargetSeries& s, double value) {
  AppendSample(out, name, s.labels, {}, value);
}

// The writer of a family with one unlabelled sample per target: the record's `kField`.
template <auto kField>
void WriteField(std::string& out, std::string_view name, const TargetSeries& s) {
  Plain(out, name, s, static_cast<double>(s.*kField));
}

void WithLabel(std::string& out, std::string_view name, const TargetSeries& s,
               std::string_view label, std::string_view value, double sample) {
  const LabelRef extra[] = {{label, value}};
  AppendSample(out, name, s.labels, extra, sample);
}

void WriteHistograms(std::string& out, std::string_view name, const TargetSeries& s) {
  const std::string bucket = std::string(name) + "_bucket";
  const std::string sum = std::string(name) + "_sum";
  const std::string count = std::string(name) + "_count";
  for (BaselinePhase p : kAllBaselinePhases) {
    const detail::PhaseHistogram& h = s.histogram[static_cast<size_t>(p)];
    const LabelRef phase[] = {{"phase", ToString(p)}};
    uint64_t cumulative = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
      cumulative += h.counts[i];
      const std::string_view le =
          i < detail::kPhaseBucketLabels.size() ? detail::kPhaseBucketLabels[i] : "+Inf";
      AppendSample(out, bucket, s.labels, phase, static_cast<double>(cumulative), le);
    }
    AppendSample(out, sum, s.labels, phase, h.sum);
    AppendSample(out, count, s.labels, phase, static_cast<double>(h.count));
  }
}

// The families in the order they were always exposed.
constexpr std::array<FamilySpec, 20> kFamilies = {{
    {"probe_success", "1 if the last MCP probe run passed every step", "gauge",
     WriteField<&TargetSeries::success>},
    {"probe_duration_seconds", "Wall time of the last probe run", "gauge",
     WriteField<&TargetSeries::duration>},
    {"probe_mcp_duration_seconds", "Duration of each phase of the last run (0 when not reached)",
     "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       for (size_t i = 0; i < s.phase.size(); ++i) {
         WithLabel(out, n, s, "phase", detail::GaugePhaseName(i), s.phase[i]);
       }
     }},
    {"probe_mcp_phase_duration_seconds",
     "Durations of passed phases, and of successful runs (total)", "histogram", WriteHistograms},
    {"probe_mcp_runs_total", "Probe runs by failure class", "counter",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       for (FailureClass c : kAllFailureClasses) {
         const auto count = s.runs[static_cast<size_t>(c)];
         if (IsAuthHealth(c) && !s.auth && count == 0) continue;
         WithLabel(out, n, s, "class", ToString(c), static_cast<double>(count));
       }
     }},
    {"probe_mcp_state", "1 for the target's current state", "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       for (TargetState st : kAllTargetStates) {
         WithLabel(out, n, s, "state", ToString(st), st == s.state ? 1 : 0);
       }
     }},
    {"probe_mcp_server_info", "Server identity from the last successful initialize", "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       if (!s.server_info) return;
       const auto& v = *s.server_info;
       const LabelRef extra[] = {
           {"name", v[0]}, {"protocol_version", v[2]}, {"transport", v[3]}, {"version", v[1]}};
       AppendSample(out, n, s.labels, extra, 1);
     }},
    {"probe_mcp_tools", "Tools offered in the last run's tools/list", "gauge",
     WriteField<&TargetSeries::tools>},
    {"probe_mcp_tools_hash", "First 48 bits of the SHA-256 of the canonical tool list", "gauge",
     WriteField<&TargetSeries::tools_hash>},
    {"probe_mcp_latency_baseline_seconds", "Median latency of recent healthy runs per phase",
     "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       for (BaselinePhase p : kAllBaselinePhases) {
         const auto& value = s.baseline[static_cast<size_t>(p)];
         if (value) WithLabel(out, n, s, "phase", ToString(p), *value);
       }
     }},
    {"probe_ssl_earliest_cert_expiry",
     "notAfter of the earliest-expiring certificate, unix seconds", "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       if (s.cert_expiry) Plain(out, n, s, *s.cert_expiry);
     }},
    {"probe_mcp_health_status_code",
     "HTTP status of the target's own health endpoint in the last run (0: no answer); only "
     "with health_url",
     "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       if (s.health_status) Plain(out, n, s, *s.health_status);
     }},
    {"probe_mcp_rate_limit_enforced",
     "1 if the last conclusive rate_limit_check burst was limited, 0 if a burst over the "
     "declared limit passed twice in a row; only with rate_limit_check",
     "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       if (s.rate_limit_enforced) Plain(out, n, s, *s.rate_limit_enforced);
     }},
    {"probe_mcp_rollout_draining",
     "1 while a rolling deploy drains within its grace (failures held back); only with "
     "detection.rolling_deploy.grace",
     "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       if (s.rollout_draining) Plain(out, n, s, *s.rollout_draining);
     }},
    {"probe_mcp_last_deploy_downtime_seconds",
     "Measured downtime of the last rolling deploy (first failure to the new version)", "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       if (s.deploy_downtime) Plain(out, n, s, *s.deploy_downtime);
     }},
    {"probe_mcp_last_run_timestamp_seconds", "Start of the last run, unix seconds", "gauge",
     WriteField<&TargetSeries::last_run>},
    {"probe_mcp_interval_seconds", "Configured probe interval", "gauge",
     WriteField<&TargetSeries::interval>},
    {"probe_mcp_maintenance", "1 while in a maintenance window", "gauge",
     WriteField<&TargetSeries::maintenance>},
    {"probe_mcp_events_total", "Detected events by kind", "counter",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       for (EventKind k : kAllEventKinds) {
         const uint64_t count = s.events[static_cast<size_t>(k)];
         if (IsOptInEventKind(k) && count == 0) continue;
         WithLabel(out, n, s, "kind", ToString(k), static_cast<double>(count));
       }
     }},
    {"probe_mcp_auth_refresh_expiry_timestamp_seconds",
     "When the OAuth refresh token held for the target expires, unix seconds", "gauge",
     [](std::string& out, std::string_view n, const TargetSeries& s) {
       if (s.auth_refresh_expiry) Plain(out, n, s, *s.auth_refresh_expiry);
     }},
}};

// Targets rendered per lock hold, and the size at which a piece goes to the sink.
constexpr size_t kTargetsPerSlice = 64;
constexpr size_t kPieceBytes = 64 * 1024;

}  // namespace

ProbeMetrics::ProbeMetrics(std::string location, std::string shard)
    : location_(std::move(location)), shard_(std::move(shard)) {}

ProbeMetrics::~ProbeMetrics() = default;

template <typename Change>
bool ProbeMetrics::Update(const std::string& target, Change change) {
  std::lock_guard lock(mu_);
  auto it = series_.find(target);
  if (it == series_.end()) return false;
  change(*it->second);
  return true;
}

void ProbeMetrics::AddTarget(const TargetMeta& t) {
  std::map<std::string, std::string> sorted = {{"target", t.name}};
  if (!location_.empty()) sorted.emplace("location", location_);
  if (!shard_.empty()) sorted.emplace("shard", shard_);
  for (const auto& [name, value] : t.labels) {
    if (IsUsableLabelName(name) && !IsReserved(name)) sorted.emplace(name, BoundLabelValue(value));
  }
  LabelList labels(sorted.begin(), sorted.end());

  std::lock_guard lock(mu_);
  auto& slot = series_[t.name];
  if (!slot) slot = std::make_shared<TargetSeries>();
  // A label change moves every value to the new label set: the record is the same.
  slot->labels = std::move(labels);
  slot->interval = Seconds(t.interval);
  slot->auth = t.auth;
}

void ProbeMetrics::RemoveTarget(const std::string& name) {
  std::lock_guard lock(mu_);
  series_.erase(name);
}

bool ProbeMetrics::ObserveRun(const ProbeResult& r) {
  return Update(r.target, [&](TargetSeries& s) {
    SetLastRunGauges(s, r);
    ++s.runs[static_cast<size_t>(r.verdict.cls)];
    const PhaseDurations durations = DurationsOf(r);
    for (BaselinePhase p : kAllBaselinePhases) {
      const auto& value = durations[static_cast<size_t>(p)];
      if (!value) continue;
      // A refused connection is fast, not healthy: failed runs stay out of the total histogram.
      if (p == BaselinePhase::kTotal && !r.Success()) continue;
      s.histogram[static_cast<size_t>(p)].Observe(Seconds(*value));
    }
  });
}

bool ProbeMetrics::SetState(const std::string& target, TargetState state) {
  return Update(target, [&](TargetSeries& s) { s.state = state; });
}

bool ProbeMetrics::SetBaseline(const std::string& target, BaselinePhase p,
                               std::optional<std::chrono::microseconds> median) {
  return Update(target, [&](TargetSeries& s) {
    auto& value = s.baseline[static_cast<size_t>(p)];
    if (median) {
      value = Seconds(*median);
    } else {
      value.reset();
    }
  });
}

bool ProbeMetrics::CountEvent(const std::string& target, EventKind k) {
  return Update(target, [&](TargetSeries& s) { ++s.events[static_cast<size_t>(k)]; });
}

bool ProbeMetrics::SetAuthRefreshExpiry(const std::string& target,
                                        std::optional<std::chrono::system_clock::time_point> at) {
  return Update(target, [&](TargetSeries& s) {
    s.auth_refresh_expiry.reset();
    if (at) s.auth_refresh_expiry = UnixSeconds(*at);
  });
}

bool ProbeMetrics::SetRateLimitEnforced(const std::string& target, bool enforced) {
  return Update(target, [&](TargetSeries& s) { s.rate_limit_enforced = enforced ? 1.0 : 0.0; });
}

bool ProbeMetrics::SetRolloutDraining(const std::string& target, bool draining) {
  return Update(target, [&](TargetSeries& s) { s.rollout_draining = draining ? 1.0 : 0.0; });
}

bool ProbeMetrics::SetDeployDowntime(const std::string& target, std::chrono::milliseconds d) {
  return Update(target, [&](TargetSeries& s) { s.deploy_downtime = Seconds(d); });
}

bool ProbeMetrics::SetMaintenance(const std::string& target, bool on) {
  return Update(target, [&](TargetSeries& s) { s.maintenance = on; });
}

bool ProbeMetrics::RestoreRunCount(const std::string& target, FailureClass c, uint64_t total) {
  return Update(target, [&](TargetSeries& s) { RaiseTo(s.runs[static_cast<size_t>(c)], total); });
}

bool ProbeMetrics::RestoreEventCount(const std::string& target, EventKind k, uint64_t total) {
  return Update(target, [&](TargetSeries& s) { RaiseTo(s.events[static_cast<size_t>(k)], total); });
}

bool ProbeMetrics::RestoreLastRun(const ProbeResult& r) {
  return Update(r.target, [&](TargetSeries& s) { SetLastRunGauges(s, r); });
}

void ProbeMetrics::Expose(const ExpositionSink& sink) const {
  // The records stay alive through the scrape even if a reload removes their target meanwhile.
  std::vector<std::shared_ptr<const TargetSeries>> targets;
  {
    std::lock_guard lock(mu_);
    targets.reserve(series_.size());
    for (const auto& [name, series] : series_) targets.push_back(series);
  }
  std::string piece;
  piece.reserve(kPieceBytes + 16 * 1024);
  const auto flush = [&] {
    if (piece.empty()) return;
    sink(piece);
    piece.clear();
  };
  for (const FamilySpec& family : kFamilies) {
    AppendFamilyHeader(piece, family.name, family.help, family.type);
    for (size_t begin = 0; begin < targets.size(); begin += kTargetsPerSlice) {
      const size_t end = std::min(targets.size(), begin + kTargetsPerSlice);
      {
        std::lock_guard lock(mu_);
        for (size_t i = begin; i < end; ++i) family.write(piece, family.name, *targets[i]);
      }
      if (piece.size() >= kPieceBytes) flush();
    }
  }
  flush();
}

std::string ProbeMetrics::ExpositionText() const {
  std::string text;
  Expose([&](std::string_view piece) { text += piece; });
  return text;
}

}  // namespace mcpwatch
