#include "app/daemon_alerts.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "alerts/outbox.h"
#include "checks/probe_json.h"
#include "server/self_metrics.h"

namespace mcpwatch {

using namespace alerts;

namespace {
constexpr auto kEventMemory = std::chrono::hours(1);
constexpr auto kAcceptCheck = std::chrono::seconds(10);
}  // namespace

DaemonAlerts::DaemonAlerts(const Config& config, storage::HistoryWriter& writer,
                           storage::HistoryReader& reader)
    : config_(config.alerting),
      writer_(writer),
      reader_(reader),
      engine_(config.alerting, std::chrono::system_clock::now()) {}

DaemonAlerts::~DaemonAlerts() { Stop(); }

tl::expected<std::unique_ptr<DaemonAlerts>, std::string> DaemonAlerts::Start(
    const Config& config, storage::HistoryWriter& writer, storage::HistoryReader& reader,
    int http_port) {
  std::unique_ptr<DaemonAlerts> a(new DaemonAlerts(config, writer, reader));
  auto rows = LoadAlerts(reader.db());
  if (!rows) return tl::unexpected("reading alert state: " + rows.error());
  a->engine_.Restore(*rows);
  // Recent events count for the event-driven rules (DeployRegression, CrashLoop, SchemaDrift).
  auto now = std::chrono::system_clock::now();
  auto events = reader.Events("", now - kEventMemory, storage::kMaxQueryLimit);
  if (events) {
    for (const auto& e : *events) {
      auto kind = ParseEventKind(e.kind);
      if (!kind || !alerts::RulesReadEvent(*kind)) continue;
      Event ev{e.target, *kind, e.at, nlohmann::json::parse(e.details, nullptr, false)};
      auto& kept = a->memory_[e.target].events;  // the query answers newest first
      kept.insert(kept.begin(), std::move(ev));
    }
  }
  DispatcherOptions options;
  options.database = config.database;
  options.notifiers = config.alerting.notifiers;
  options.generator_url = "http://" + config.listen_host + ":" + std::to_string(http_port) + "/";
  auto dispatcher = Dispatcher::Start(writer, std::move(options));
  if (!dispatcher) return tl::unexpected("starting the notifier: " + dispatcher.error());
  a->dispatcher_ = std::move(*dispatcher);
  return a;
}

void DaemonAlerts::OnRun(const ProbeResult& result, const std::vector<Event>& events) {
  Memory& m = memory_[result.target];
  auto kept = std::make_shared<ProbeResult>(result);
  // Notices carry ToJson(run), which has the tool count and hash but not the tool list itself
  // (kilobytes per target, kept by the tracker already).
  std::string().swap(kept->transcript.tools_canonical);
  m.last_run = std::move(kept);
  for (const Event& e : events) {
    if (!alerts::RulesReadEvent(e.kind)) continue;
    m.events.push_back(e);
    if (e.kind == EventKind::kSchemaDrift) m.schema_accepted = false;
  }
  auto horizon = result.started_at - kEventMemory;
  m.events.erase(m.events.begin(),
                 std::find_if(m.events.begin(), m.events.end(),
                              [&](const Event& e) { return e.at >= horizon; }));
}

void DaemonAlerts::Evaluate(std::vector<alerts::TargetSnapshot> targets,
                            std::chrono::system_clock::time_point now, SelfMetrics& metrics) {
  bool check_accept = std::chrono::steady_clock::now() >= next_accept_check_;
  if (check_accept) next_accept_check_ = std::chrono::steady_clock::now() + kAcceptCheck;
  for (TargetSnapshot& t : targets) {
    Memory& m = memory_[t.name];
    if (check_accept && !m.schema_accepted) {
      auto latest = reader_.LatestSnapshot(t.name);
      if (latest && *latest && (*latest)->accepted) m.schema_accepted = true;
    }
    t.schema_accepted = m.schema_accepted;
    t.recent_events.assign(m.events.begin(), m.events.end());
    if (m.last_run) {
      const ProbeResult& r = *m.last_run;
      t.last_class = r.verdict.cls;
      t.last_run_at = r.started_at;
      t.cert_not_after = r.transcript.cert_not_after;
      t.last_error = r.verdict.error;
      t.last_diagnosis = r.verdict.diagnosis;
      t.last_run = m.last_run;
    }
  }
  Evaluation evaluation = engine_.Evaluate(targets, now);
  for (const auto& tr : evaluation.transitions) {
    spdlog::warn("alert {} rule={} target={}", ToString(tr.kind), ToString(tr.rule), tr.target);
  }
  if (SubmitEvaluation(writer_, evaluation, config_, now) && !evaluation.transitions.empty()) {
    dispatcher_->Wake();
  }
  for (const auto& [rule, n] : engine_.FiringCounts()) {
    metrics.SetAlertsFiring(std::string(ToString(rule)), n);
  }
  DispatcherStats stats = dispatcher_->Stats();
  metrics.SetOutboxPending(stats.pending);
  for (const auto& [name, counts] : stats.notifiers) {
    NotifierCounts& seen = exported_[name];
    for (; seen.delivered < counts.delivered; ++seen.delivered) metrics.CountNotification(name, true);
    for (; seen.failed < counts.failed; ++seen.failed) metrics.CountNotification(name, false);
  }
}

void DaemonAlerts::Reconfigure(const Config& config) {
  config_ = config.alerting;
  engine_.Reconfigure(config.alerting);
  dispatcher_->Reconfigure(config.alerting.notifiers);
}

void DaemonAlerts::Stop() {
  if (dispatcher_) dispatcher_->Stop();
}

}  // namespace mcpwatch
