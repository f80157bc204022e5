#include "alerts/alert_pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "alerts/outbox.h"

namespace mcpwatch::alerts {

namespace {
constexpr auto kAcceptCheck = std::chrono::seconds(10);
}  // namespace

AlertPipeline::AlertPipeline(const Config& config, storage::HistoryWriter& writer,
                             storage::HistoryReader& reader)
    : config_(config.alerting),
      writer_(writer),
      reader_(reader),
      engine_(config.alerting, std::chrono::system_clock::now()) {}

AlertPipeline::~AlertPipeline() {
  Stop();
}

tl::expected<std::unique_ptr<AlertPipeline>, std::string> AlertPipeline::Start(
    const Config& config, storage::HistoryWriter& writer, storage::HistoryReader& reader,
    int http_port) {
  std::unique_ptr<AlertPipeline> a(new AlertPipeline(config, writer, reader));
  auto rows = LoadAlerts(reader.db());
  if (!rows) return tl::unexpected("reading alert state: " + rows.error());
  a->engine_.Restore(*rows);
  DispatcherOptions options;
  options.database = config.database;
  options.notifiers = config.alerting.notifiers;
  options.generator_url = "http://" + config.listen_host + ":" + std::to_string(http_port) + "/";
  auto dispatcher = Dispatcher::Start(writer, std::move(options));
  if (!dispatcher) return tl::unexpected("starting the notifier: " + dispatcher.error());
  a->dispatcher_ = std::move(*dispatcher);
  return a;
}

void AlertPipeline::OnEvents(const std::vector<Event>& events) {
  for (const Event& e : events) {
    if (e.kind == EventKind::kSchemaDrift) {
      unaccepted_[e.target] = std::chrono::steady_clock::now() + kAcceptCheck;
    }
  }
}

bool AlertPipeline::SchemaAccepted(const std::string& target) {
  auto it = unaccepted_.find(target);
  if (it == unaccepted_.end()) return true;
  auto now = std::chrono::steady_clock::now();
  if (now < it->second) return false;
  auto latest = reader_.LatestSnapshot(target);
  if (latest && *latest && (*latest)->accepted) {
    unaccepted_.erase(it);
    return true;
  }
  it->second = now + kAcceptCheck;
  return false;
}

AlertingMetrics AlertPipeline::Evaluate(const std::vector<TargetSnapshot>& targets, TimePoint now) {
  Evaluation evaluation = engine_.Evaluate(targets, now);
  for (const auto& tr : evaluation.transitions) {
    spdlog::warn("alert {} rule={} target={}", ToString(tr.kind), ToString(tr.rule), tr.target);
  }
  if (SubmitEvaluation(writer_, evaluation, config_, now) && !evaluation.transitions.empty()) {
    dispatcher_->Wake();
  }
  AlertingMetrics metrics;
  metrics.firing = engine_.FiringCounts();
  DispatcherStats stats = dispatcher_->Stats();
  metrics.outbox_pending = stats.pending;
  for (const auto& [name, counts] : stats.notifiers) {
    NotifierCounts& seen = exported_[name];
    NotifierCounts& fresh = metrics.notified[name];
    if (counts.delivered > seen.delivered) fresh.delivered = counts.delivered - seen.delivered;
    if (counts.failed > seen.failed) fresh.failed = counts.failed - seen.failed;
    seen.delivered = std::max(seen.delivered, counts.delivered);
    seen.failed = std::max(seen.failed, counts.failed);
  }
  return metrics;
}

void AlertPipeline::Reconfigure(const Config& config) {
  config_ = config.alerting;
  engine_.Reconfigure(config.alerting);
  dispatcher_->Reconfigure(config.alerting.notifiers);
}

void AlertPipeline::Stop() {
  if (dispatcher_) dispatcher_->Stop();
}

}  // namespace mcpwatch::alerts
