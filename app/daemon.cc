#include "app/daemon.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "alerts/alert_pipeline.h"
#include "alerts/build_snapshot.h"
#include "app/active_checks.h"
#include "app/daemon_policy.h"
#include "app/oauth_probe.h"
#include "app/restore.h"
#include "app/supervisor.h"
#include "app/token_manager.h"
#include "auth/token_file.h"
#include "base/timestamp.h"
#include "base/url.h"
#include "base/version.h"
#include "checks/classifier.h"
#include "checks/era_detection.h"
#include "checks/redaction.h"
#include "prober/prober.h"
#include "prober/scheduler.h"
#include "server/http_server.h"
#include "server/probe_metrics.h"
#include "server/self_metrics.h"
#include "storage/full_disk_switch.h"
#include "storage/migrations.h"
#include "storage/records.h"
#include "storage/writer.h"

namespace mcpwatch {

namespace {
constexpr auto kHousekeeping = std::chrono::seconds(1);
constexpr int kMaxIdleConnections = 64;
constexpr auto kMinWatchdogPeriod = std::chrono::milliseconds(100);

// /readyz's reason and the supervisor's STATUS= while the history cannot be written.
std::optional<std::string> StorageDegradedReason(const storage::WriterStats& stats) {
  if (!stats.degraded) return std::nullopt;
  const storage::StorageDegraded& d = *stats.degraded;
  return "history writes failing since " + FormatTimestamp(d.since) + ": " + d.error + "; " +
         std::to_string(stats.held_rows) + " runs held in memory (capacity " +
         std::to_string(stats.queue_capacity) + "), " + std::to_string(d.runs_dropped) + " dropped";
}

// Gives the token manager the targets and waits (bounded by the longest timeout) for the
// first token of each new OAuth target, so its first run is not refused for want of one.
void StartTokens(TokenManager& tokens, const Config& config) {
  std::chrono::milliseconds longest{0};
  bool any = false;
  for (const auto& t : config.targets) {
    if (!t.auth) continue;
    any = true;
    longest = std::max(longest, t.spec.timeout);
  }
  tokens.SetTargets(config.targets);
  if (any) {
    tokens.WaitForFirstAttempts(std::chrono::steady_clock::now() + longest +
                                std::chrono::seconds(2));
  }
}

}  // namespace

struct Daemon::Impl {
  Config config;  // loop thread (after Start)
  std::unique_ptr<storage::HistoryWriter> writer;
  std::unique_ptr<TokenManager> tokens;  // OAuth targets' tokens, on their own thread
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<ProbeMetrics> metrics;
  std::unique_ptr<SelfMetrics> self;
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<Prober> prober;
  std::unique_ptr<LoopSchedulerHost> scheduler_host;  // outlives the scheduler
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<ActiveChecks> active;         // opt-in checks beside the runs (issue 11)
  std::map<std::string, TargetConfig> targets;  // loop thread
  std::map<std::string, std::unique_ptr<TargetTracker>> trackers;  // loop thread
  std::map<std::string, ProbeHint> hints;  // loop thread: era and transport runs learned
  // loop thread: the credential generation each OAuth target's run in flight presents
  std::map<std::string, uint64_t> token_generations;
  std::thread loop_thread;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<storage::HistoryReader> reader;  // loop thread
  std::unique_ptr<alerts::AlertPipeline> alerts;
  std::atomic<bool> ready{false};
  std::atomic<bool> draining{false};
  std::mutex names_mu;  // guards names: read by HTTP workers
  std::vector<std::string> names;
  std::atomic<std::size_t> inflight{0};
  uint64_t housekeeping_ticks = 0;  // loop thread
  bool storage_degraded = false;    // loop thread: what the supervisor's STATUS= last said
  std::string status;               // the STATUS= line while all is well

  tl::expected<ProbeSpec, std::string> Prepare(const std::string& name);
  void OnResult(const std::string& name, std::chrono::system_clock::time_point started,
                Transcript t);
  void Persist(const TrackerOutput& out, bool maintenance);
  void NoteAuth(const std::string& name, Transcript& t);
  void StoreEvent(const Event& e);
  void OnActiveCheckEvent(Event e);
  void ApplyTargets(Config config);
  void Housekeeping();
  std::optional<ProbeResult> ProbeNow(const std::string& name, std::chrono::milliseconds timeout);
};

tl::expected<ProbeSpec, std::string> Daemon::Impl::Prepare(const std::string& name) {
  auto it = targets.find(name);
  if (it == targets.end()) return tl::unexpected("unknown target " + name);
  auto token = ResolveBearerToken(it->second);
  if (!token) return tl::unexpected("bearer token: " + token.error());
  ProbeSpec spec = it->second.spec;
  spec.bearer_token = *token;
  spec.secrets = SpecSecrets(spec, it->second.secret_headers);
  if (auto view = tokens->Current(name)) {
    // No credential yet: the run goes without one, and if the server refuses it the
    // manager's problem says why (OnResult).
    if (const auto& cred = view->credential) {
      if (cred->dpop_key) {
        spec.request_headers = [cred](std::string_view method, std::string_view url) {
          return cred->Headers(method, url);
        };
      } else {
        spec.bearer_token = cred->access_token;
      }
    }
    spec.secrets.insert(spec.secrets.end(), view->secrets.begin(), view->secrets.end());
    token_generations[name] = view->generation;
  }
  if (auto hint = hints.find(name); hint != hints.end()) spec.hint = hint->second;
  return spec;
}

void Daemon::Impl::OnResult(const std::string& name, std::chrono::system_clock::time_point started,
                            Transcript t) {
  auto target = targets.find(name);
  auto tracker = trackers.find(name);
  if (target == targets.end() || tracker == trackers.end()) return;  // removed by a reload
  // A 429 in the shadow of our own rate_limit_check burst is the limit the burst just used up,
  // not a failure of the target: the run is dropped and counted as skipped (issue 11).
  if (active->Shadows(name) && std::any_of(t.steps.begin(), t.steps.end(), [](const StepRecord& s) {
        return s.http_status == 429;
      })) {
    self->CountSkipped(SkipReason::kOwnBurst);
    spdlog::info("run dropped target={} reason=own_burst", name);
    return;
  }
  bool maintenance = TargetInMaintenance(config, target->second, started);
  if (target->second.auth) NoteAuth(name, t);
  TrackerOutput out = tracker->second->Observe(RedactUrl(target->second.spec.url), started,
                                               std::move(t), maintenance);
  const bool deployed = std::any_of(out.events.begin(), out.events.end(),
                                    [](const Event& e) { return e.kind == EventKind::kDeploy; });
  hints[name] = NextHint(hints[name], out.result.transcript, deployed);
  if (deployed) active->NoteDeploy(name);
  Persist(out, maintenance);
  metrics->ObserveRun(out.result);
  metrics->SetMaintenance(name, maintenance);
  metrics->SetState(name, tracker->second->state());
  for (BaselinePhase p : kAllBaselinePhases) {
    std::optional<std::chrono::microseconds> median;
    if (tracker->second->baseline_ready(p)) median = tracker->second->baseline(p).median;
    metrics->SetBaseline(name, p, median);
  }
  for (const Event& e : out.events) {
    metrics->CountEvent(name, e.kind);
    if (e.kind == EventKind::kDeploy && e.details.contains("downtime_ms")) {
      metrics->SetDeployDowntime(
          name, std::chrono::milliseconds(e.details.value("downtime_ms", int64_t{0})));
    }
  }
  if (config.detection.rolling_deploy_grace.count() > 0) {
    metrics->SetRolloutDraining(name, tracker->second->draining());
  }
  alerts->OnEvents(out.events);
  if (out.request_confirmation) scheduler->RunSoon(name, config.detection.confirm_after);
  if (!out.result.Success()) {
    spdlog::info("run failed target={} class={} error=\"{}\"", name,
                 ToString(out.result.verdict.cls), out.result.verdict.error);
  }
}

void Daemon::Impl::NoteAuth(const std::string& name, Transcript& t) {
  const StepRecord* refused = ChallengedStep(t);
  if (refused == nullptr) return;
  // Why we hold no usable token, as the manager knows it now: the classifier reports the
  // server's refusal under that auth health class.
  auto view = tokens->Current(name);
  if (!view) return;
  t.auth_problem = view->problem;
  tokens->OnRefused(name, token_generations[name], refused->http_status, refused->www_authenticate,
                    refused->dpop_nonce);
}

void Daemon::Impl::Persist(const TrackerOutput& out, bool maintenance) {
  const ProbeResult& r = out.result;
  writer->Enqueue(r, maintenance);
  std::string name = r.target;
  if (out.tools_changed) {
    std::string hash = r.transcript.tools_hash, tools = r.transcript.tools_canonical;
    std::string version = r.transcript.server.version;
    auto at = r.started_at;
    writer->Submit([=](storage::Database& db) -> tl::expected<void, std::string> {
      auto saved = storage::SaveSnapshotIfChanged(db, name, hash, tools, version, at);
      if (!saved) return tl::unexpected(saved.error());
      return {};
    });
  }
  for (const Event& e : out.events) StoreEvent(e);
}

void Daemon::Impl::StoreEvent(const Event& e) {
  std::string name = e.target;
  std::string kind(ToString(e.kind));
  std::string details = e.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto at = e.at;
  writer->Submit(
      [=](storage::Database& db) { return storage::InsertEvent(db, name, at, kind, details); });
  if (e.kind == EventKind::kStateChange) {
    std::string state = e.details.value("to", "unknown");
    std::string reason = e.details.value("reason", "");
    writer->Submit([=](storage::Database& db) {
      return storage::SetTargetState(db, name, state, at, reason);
    });
  }
  spdlog::warn("event target={} kind={} details={}", name, kind, details);
}

// An event from an opt-in check: stored, counted and handed to alerting like a run's.
void Daemon::Impl::OnActiveCheckEvent(Event e) {
  auto tracker = trackers.find(e.target);
  if (tracker == trackers.end()) return;  // removed by a reload
  StoreEvent(e);
  metrics->CountEvent(e.target, e.kind);
  tracker->second->RestoreEvent(e);  // remembered for the alert rules, as Observe's are
  alerts->OnEvents({e});
}

void Daemon::Impl::ApplyTargets(Config next) {
  std::map<std::string, TargetConfig> new_targets;
  std::vector<ScheduledTarget> schedule;
  for (const auto& t : next.targets) {
    // A target whose URL or transport changed may be another server: learn its era again.
    if (auto old = targets.find(t.name);
        old != targets.end() &&
        (old->second.spec.url != t.spec.url || old->second.spec.transport != t.spec.transport)) {
      hints.erase(t.name);
    }
    new_targets.emplace(t.name, t);
    schedule.push_back({t.name, t.interval});
    auto it = trackers.find(t.name);
    if (it == trackers.end()) {
      trackers.emplace(t.name, std::make_unique<TargetTracker>(t.name, TrackerPolicyFor(next, t)));
    } else {
      it->second->SetPolicy(TrackerPolicyFor(next, t));
    }
    metrics->AddTarget({t.name, t.interval, t.labels, t.auth.has_value()});
  }
  for (auto it = trackers.begin(); it != trackers.end();) {
    if (new_targets.contains(it->first)) {
      ++it;
      continue;
    }
    metrics->RemoveTarget(it->first);
    hints.erase(it->first);
    token_generations.erase(it->first);
    it = trackers.erase(it);
  }
  {
    std::lock_guard lock(names_mu);
    names.clear();
    for (const auto& [name, t] : new_targets) names.push_back(name);
  }
  targets = std::move(new_targets);
  config = std::move(next);
  if (alerts) alerts->Reconfigure(config);
  scheduler->SetTargets(schedule);
  active->SetTargets(targets);
  self->SetTargets(static_cast<int64_t>(targets.size()));
}

void Daemon::Impl::Housekeeping() {
  // Runs allocate and free transcripts, JSON and SQLite rows on three threads; glibc keeps freed
  // pages inside its heaps. Handing them back once a minute keeps RSS at what is live (a few ms
  // of work at 10,000 targets).
  if (++housekeeping_ticks % 60 == 0) malloc_trim(0);
  inflight = prober->inflight();
  active->Tick(config.detection.deploy_regression_after);
  self->SetInflight(static_cast<int64_t>(prober->inflight()));
  const storage::WriterStats store = writer->Stats();
  self->UpdateStore(store);
  if (store.degraded.has_value() != storage_degraded) {
    storage_degraded = store.degraded.has_value();
    supervisor::NotifyStatus(storage_degraded ? "degraded: " + *StorageDegradedReason(store)
                                              : status);
  }
  auto now = std::chrono::system_clock::now();
  std::vector<alerts::TargetSnapshot> snapshots;
  snapshots.reserve(targets.size());
  for (const auto& [name, t] : targets) {
    snapshots.push_back(alerts::BuildSnapshot(
        *trackers.at(name), t, TargetInMaintenance(config, t, now), alerts->SchemaAccepted(name)));
    if (t.auth) {
      if (auto view = tokens->Current(name)) {
        snapshots.back().auth_refresh_expires_at = view->refresh_expires_at;
        metrics->SetAuthRefreshExpiry(name, view->refresh_expires_at);
      }
    }
  }
  alerts::AlertingMetrics exported = alerts->Evaluate(snapshots, now);
  for (const auto& [rule, n] : exported.firing) {
    self->SetAlertsFiring(std::string(ToString(rule)), n);
  }
  self->SetOutboxPending(exported.outbox_pending);
  for (const auto& [notifier, counts] : exported.notified) {
    for (uint64_t i = 0; i < counts.delivered; ++i) self->CountNotification(notifier, true);
    for (uint64_t i = 0; i < counts.failed; ++i) self->CountNotification(notifier, false);
  }
}

std::optional<ProbeResult> Daemon::Impl::ProbeNow(const std::string& name,
                                                  std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<std::optional<ProbeResult>>>();
  auto future = promise->get_future();
  loop->Post([this, name, promise] {
    auto target = targets.find(name);
    if (target == targets.end()) return promise->set_value(std::nullopt);
    auto started = std::chrono::system_clock::now();
    // Judged like a cold start: the absolute limits only, and not fed into the history.
    LatencyPolicy policy;
    policy.max_latency = TrackerPolicyFor(config, target->second).max_latency;
    std::string url = RedactUrl(target->second.spec.url);
    const bool auth = target->second.auth.has_value();
    bool known = scheduler->RunNow(name, [=, this](Transcript t) {
      if (auth) NoteAuth(name, t);
      ProbeResult r;
      r.target = name;
      r.url = url;
      r.started_at = started;
      r.transcript = std::move(t);
      r.verdict = Classify(r.transcript, policy);
      promise->set_value(std::move(r));
    });
    if (!known) promise->set_value(std::nullopt);
  });
  if (future.wait_for(timeout + std::chrono::seconds(3)) != std::future_status::ready) {
    return std::nullopt;
  }
  return future.get();
}

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Daemon::~Daemon() {
  if (impl_ && impl_->loop_thread.joinable()) Shutdown();
}

int Daemon::http_port() const {
  return impl_->http ? impl_->http->port() : 0;
}

tl::expected<std::unique_ptr<Daemon>, std::string> Daemon::Start(Config config) {
  auto impl = std::make_unique<Impl>();
  Impl& d = *impl;
  auto full_disk = storage::InstallFullDiskSwitchFromEnv();
  if (!full_disk) return tl::unexpected(full_disk.error());
  if (*full_disk) {
    spdlog::warn("test switch {} is set: database writes fail as on a full disk while {} exists",
                 storage::kFullDiskSwitchEnv, **full_disk);
  }
  auto db = storage::OpenForWriting(config.database);
  if (!db) return tl::unexpected(db.error());
  // The supervisor hears READY=1 only after this line and the restore (the seed's order).
  auto schema = storage::SchemaVersion(*db);
  if (!schema)
    return tl::unexpected("reading the schema version of " + config.database + ": " +
                          schema.error());
  spdlog::info("migrations applied schema_version={} database={}", *schema, config.database);
  d.writer = storage::HistoryWriter::Start(std::move(*db), WriterOptionsFor(config));
  TokenManager::Options token_options;
  token_options.token_file = TokenFilePath(config.database);
  d.tokens = TokenManager::Start(std::move(token_options));
  StartTokens(*d.tokens, config);
  d.metrics = std::make_unique<ProbeMetrics>(
      config.location, config.shard.enabled() ? std::to_string(config.shard.index) : "");
  d.self = std::make_unique<SelfMetrics>(*d.registry, std::string(kVersion));

  auto loop = EventLoop::Create(kMaxIdleConnections);
  if (!loop) return tl::unexpected(loop.error());
  d.loop = std::move(*loop);
  d.prober = std::make_unique<Prober>(*d.loop);
  SchedulerHooks hooks;
  Impl* self = impl.get();
  hooks.prepare = [self](const std::string& n) { return self->Prepare(n); };
  hooks.on_result = [self](const std::string& n, std::chrono::system_clock::time_point s,
                           Transcript t) { self->OnResult(n, s, std::move(t)); };
  hooks.on_lag = [self](double s) { self->self->ObserveLag(s); };
  hooks.on_skip = [self](SkipReason r) { self->self->CountSkipped(r); };
  d.scheduler_host = std::make_unique<LoopSchedulerHost>(*d.loop, *d.prober);
  d.scheduler = std::make_unique<Scheduler>(*d.scheduler_host, SchedulerOptionsFor(config), hooks);
  ActiveChecks::Hooks active_hooks;
  active_hooks.prepare = [self](const std::string& n) { return self->Prepare(n); };
  active_hooks.state = [self](const std::string& n) {
    auto it = self->trackers.find(n);
    return it == self->trackers.end() ? TargetState::kUnknown : it->second->state();
  };
  active_hooks.on_event = [self](Event e) { self->OnActiveCheckEvent(std::move(e)); };
  active_hooks.on_rate_limit = [self](const std::string& n, bool enforced) {
    self->metrics->SetRateLimitEnforced(n, enforced);
  };
  d.active = std::make_unique<ActiveChecks>(*d.prober, std::move(active_hooks));

  // Rebuild what we know from history before the first run.
  for (const auto& t : config.targets) {
    d.trackers.emplace(t.name,
                       std::make_unique<TargetTracker>(t.name, TrackerPolicyFor(config, t)));
    d.metrics->AddTarget({t.name, t.interval, t.labels, t.auth.has_value()});
  }
  auto reader = storage::HistoryReader::Open(config.database);
  if (!reader) return tl::unexpected(reader.error());
  auto now = std::chrono::system_clock::now();
  auto restore_start = std::chrono::steady_clock::now();
  auto restored = RestoreFromHistory(*reader, d.trackers, now, config.detection.baseline_window);
  if (!restored)
    return tl::unexpected("restoring from " + config.database + ": " + restored.error());
  for (const auto& [key, total] : restored->runs) {
    d.metrics->RestoreRunCount(key.first, key.second, static_cast<uint64_t>(total));
  }
  for (const auto& [key, total] : restored->events) {
    d.metrics->RestoreEventCount(key.first, key.second, static_cast<uint64_t>(total));
  }
  for (const auto& [name, run] : restored->last_runs) {
    d.metrics->RestoreLastRun(run);
    // A restart costs no era detection either: the newest stored run's era still holds.
    d.hints[name] = NextHint({}, run.transcript, false);
  }
  for (const auto& [name, tracker] : d.trackers) d.metrics->SetState(name, tracker->state());
  restored = {};
  spdlog::info("history restored targets={} took_ms={}", d.trackers.size(),
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - restore_start)
                   .count());
  // The restore decoded every target's recent runs (1.3 M rows at 10,000 targets with full
  // baselines); give the freed heap back instead of carrying it for the daemon's lifetime.
  malloc_trim(0);

  HttpHooks http_hooks;
  http_hooks.ready = [self] { return self->ready.load(); };
  http_hooks.draining = [self] { return self->draining.load(); };
  http_hooks.degraded = [self] { return StorageDegradedReason(self->writer->Stats()); };
  http_hooks.target_names = [self] {
    std::lock_guard lock(self->names_mu);
    return self->names;
  };
  http_hooks.more_metrics = [self](const ExpositionSink& sink) { self->metrics->Expose(sink); };
  http_hooks.probe_now = [self](const std::string& n, std::chrono::milliseconds timeout) {
    return self->ProbeNow(n, timeout);
  };
  auto http = HttpServer::Start(config.listen_host, config.listen_port, d.registry, config.database,
                                http_hooks);
  if (!http)
    return tl::unexpected("listen " + config.listen_host + ":" +
                          std::to_string(config.listen_port) + ": " + http.error());
  d.http = std::move(*http);

  d.reader = std::make_unique<storage::HistoryReader>(std::move(*reader));
  auto pipeline = alerts::AlertPipeline::Start(config, *d.writer, *d.reader, d.http->port());
  if (!pipeline) return tl::unexpected(pipeline.error());
  d.alerts = std::move(*pipeline);
  d.ApplyTargets(config);
  d.self->SetConfigReload(true, now);
  d.status = "probing " + std::to_string(config.targets.size()) + " targets, listening on " +
             config.listen_host + ":" + std::to_string(d.http->port());
  d.loop_thread = std::thread([self] {
    pthread_setname_np(pthread_self(), "mcpw-probe");
    std::function<void()> housekeeping;
    housekeeping = [self, &housekeeping] {
      self->Housekeeping();
      self->loop->AddTimer(EventLoop::Clock::now() + kHousekeeping, housekeeping);
    };
    housekeeping();
    // WATCHDOG=1 from this loop proves the loop turns; sent at half the interval, as systemd
    // advises, so one late tick does not get us killed.
    std::function<void()> watchdog;
    if (auto interval = supervisor::WatchdogInterval()) {
      auto period = std::max<EventLoop::Clock::duration>(*interval / 2, kMinWatchdogPeriod);
      watchdog = [self, period, &watchdog] {
        supervisor::NotifyWatchdog();
        self->loop->AddTimer(EventLoop::Clock::now() + period, watchdog);
      };
      watchdog();
    }
    self->loop->Run();
  });
  d.ready = true;
  spdlog::info("ready targets={} shard={} listen={}:{} database={}", config.targets.size(),
               config.shard.enabled()
                   ? config.shard.ToString() + " of " + std::to_string(config.targets_in_file)
                   : "none",
               config.listen_host, d.http->port(), config.database);
  supervisor::NotifyReady(d.status);
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

void Daemon::Reload(Config config) {
  Impl* d = impl_.get();
  StartTokens(*d->tokens, config);
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  d->loop->Post([d, done, config = std::move(config)]() mutable {
    d->ApplyTargets(std::move(config));
    done->set_value();
  });
  future.wait();
  d->self->SetConfigReload(true, std::chrono::system_clock::now());
  spdlog::info("config reloaded targets={}", d->targets.size());
  d->loop->Post([d] {
    d->status = "config reloaded: probing " + std::to_string(d->targets.size()) + " targets";
    if (!d->storage_degraded) supervisor::NotifyStatus(d->status);
  });
}

void Daemon::ReloadFailed() {
  impl_->self->SetConfigReload(false, std::chrono::system_clock::now());
  supervisor::NotifyStatus("config reload rejected; running the previous config");
}

int Daemon::Shutdown() {
  Impl* d = impl_.get();
  if (!d->loop_thread.joinable()) return 0;
  supervisor::NotifyStopping("shutting down: draining runs in flight");
  d->ready = false;  // /healthz and /readyz answer 503 "draining" from now on
  d->draining = true;
  spdlog::info("shutting down: draining runs in flight");
  d->loop->Post([d] {
    d->scheduler->StopScheduling();
    d->active->Stop();
  });
  std::chrono::milliseconds longest{0};
  for (const auto& t : d->config.targets) longest = std::max(longest, t.spec.timeout);
  auto drain_until = std::chrono::steady_clock::now() + longest + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < drain_until) {
    auto check = std::make_shared<std::promise<std::size_t>>();
    auto f = check->get_future();
    d->loop->Post([d, check] { check->set_value(d->prober->inflight()); });
    if (f.wait_for(std::chrono::seconds(1)) == std::future_status::ready && f.get() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  d->loop->Stop();
  d->loop_thread.join();
  d->tokens.reset();
  d->http->Stop();
  d->alerts->Stop();
  d->writer->Stop();  // flush, checkpoint the WAL into the main file, close
  auto stats = d->writer->Stats();
  spdlog::info("stopped rows_written={} rows_lost={}", stats.rows_written, stats.rows_lost);
  return stats.rows_lost == 0 ? 0 : 1;
}

}  // namespace mcpwatch
