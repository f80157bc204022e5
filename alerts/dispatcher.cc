#include "alerts/dispatcher.h"

#include <pthread.h>

#include <algorithm>

#include "alerts/log.h"
#include "alerts/notice.h"
#include "storage/migrations.h"

namespace mcpwatch::alerts {

namespace {

using Steady = std::chrono::steady_clock;

const NotifierConfig* FindNotifier(const std::vector<NotifierConfig>& notifiers,
                                   const std::string& name) {
  auto it = std::find_if(notifiers.begin(), notifiers.end(),
                         [&](const NotifierConfig& n) { return n.name == name; });
  return it == notifiers.end() ? nullptr : &*it;
}

std::optional<nlohmann::json> ParseNotice(const std::string& payload) {
  try {
    return nlohmann::json::parse(payload);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

tl::expected<std::unique_ptr<Dispatcher>, std::string> Dispatcher::Start(
    storage::HistoryWriter& writer, DispatcherOptions options) {
  auto db = storage::OpenForReading(options.database);
  if (!db) return tl::make_unexpected(db.error());
  std::unique_ptr<Dispatcher> d(new Dispatcher(writer, std::move(*db), std::move(options)));
  d->thread_ = std::thread([raw = d.get()] { raw->Loop(); });
  return d;
}

Dispatcher::Dispatcher(storage::HistoryWriter& writer, storage::Database db,
                       DispatcherOptions options)
    : writer_(writer), db_(std::move(db)), options_(std::move(options)) {
  notifiers_ = std::move(options_.notifiers);
  for (const NotifierConfig& n : notifiers_) stats_.notifiers[n.name];
}

Dispatcher::~Dispatcher() {
  Stop();
}

void Dispatcher::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  wake_.notify_all();
}

void Dispatcher::Reconfigure(std::vector<NotifierConfig> notifiers) {
  std::lock_guard lock(mu_);
  notifiers_ = std::move(notifiers);
  for (const NotifierConfig& n : notifiers_) stats_.notifiers[n.name];
}

void Dispatcher::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

DispatcherStats Dispatcher::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Dispatcher::Loop() {
  pthread_setname_np(pthread_self(), "mcpw-notify");
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
    }
    Poll(std::chrono::system_clock::now());
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, options_.poll_interval, [this] { return woken_ || stopping_; });
    woken_ = false;
    if (stopping_) return;
  }
}

RenderContext Dispatcher::Context(int64_t id, TimePoint now) const {
  RenderContext context;
  context.delivery_id = id;
  context.now = now;
  context.env = options_.env;
  context.generator_url = options_.generator_url;
  context.alertmanager_ends_after = 3 * options_.alertmanager_resend;
  return context;
}

void Dispatcher::Poll(TimePoint now) {
  std::vector<NotifierConfig> notifiers;
  {
    std::lock_guard lock(mu_);
    notifiers = notifiers_;
  }
  ForgetCommitted();
  auto due = DueRows(db_, now, options_.batch);
  if (!due) {
    Log()->warn("outbox read failed error={}", due.error());
    std::lock_guard lock(mu_);
    ++stats_.read_errors;
    return;
  }
  for (const OutboxRow& row : *due) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    if (AlreadyHandled(row)) continue;
    Deliver(row, notifiers);
  }
  auto pending = PendingCount(db_);
  {
    std::lock_guard lock(mu_);
    if (pending) stats_.pending = *pending;
  }
  Steady::time_point tick = Steady::now();
  if (tick >= next_refresh_) {
    next_refresh_ = tick + options_.alertmanager_resend;
    RefreshAlertmanager(now, notifiers);
  }
  if (tick >= next_prune_) {
    next_prune_ = tick + std::chrono::hours(1);
    TimePoint before = now - options_.keep_delivered;
    writer_.Submit([before](storage::Database& db) -> tl::expected<void, std::string> {
      auto pruned = PruneDelivered(db, before);
      if (!pruned) return tl::make_unexpected(pruned.error());
      return {};
    });
  }
}

bool Dispatcher::AlreadyHandled(const OutboxRow& row) {
  auto it = handled_.find(row.id);
  return it != handled_.end() && row.attempts < it->second;
}

void Dispatcher::ForgetCommitted() {
  for (auto it = handled_.begin(); it != handled_.end();) {
    auto row = RowById(db_, it->first);
    bool committed = row && (!*row || (*row)->attempts >= it->second);
    it = committed ? handled_.erase(it) : std::next(it);
  }
}

void Dispatcher::Deliver(const OutboxRow& row, const std::vector<NotifierConfig>& notifiers) {
  const NotifierConfig* notifier = FindNotifier(notifiers, row.notifier);
  if (notifier == nullptr) {
    Record(row, "notifier " + row.notifier + " is no longer configured", false);
    return;
  }
  auto notice = ParseNotice(row.payload);
  if (!notice) {
    Record(row, "the stored payload is not JSON", true);
    return;
  }
  auto request =
      RenderRequest(*notifier, *notice, Context(row.id, std::chrono::system_clock::now()));
  if (!request) {
    Record(row, request.error(), true);
    return;
  }
  auto outcome = PostRequest(*request);
  if (!outcome) {
    Record(row, outcome.error(), true);
  } else if (outcome->status < 200 || outcome->status >= 300) {
    Record(row, "HTTP " + std::to_string(outcome->status) + ": " + outcome->body_excerpt, true);
  } else {
    Record(row, "", true);
    Log()->info("notification delivered notifier={} alert={} target={} status={} id={}",
                row.notifier, NoticeString(*notice, "alert"), NoticeString(*notice, "target"),
                NoticeString(*notice, "status"), row.id);
  }
}

void Dispatcher::Record(const OutboxRow& row, const std::string& error, bool known_notifier) {
  const int attempts = row.attempts + 1;
  const TimePoint now = std::chrono::system_clock::now();
  handled_[row.id] = attempts;
  if (error.empty()) {
    writer_.Submit(
        [id = row.id, now](storage::Database& db) { return MarkDelivered(db, id, now); });
  } else {
    TimePoint next = now + Backoff(attempts);
    Log()->warn("notification failed notifier={} id={} attempts={} error={}", row.notifier, row.id,
                attempts, error);
    writer_.Submit([id = row.id, attempts, next, error](storage::Database& db) {
      return MarkFailed(db, id, attempts, next, error);
    });
  }
  if (!known_notifier) return;
  std::lock_guard lock(mu_);
  NotifierCounts& counts = stats_.notifiers[row.notifier];
  ++(error.empty() ? counts.delivered : counts.failed);
}

void Dispatcher::RefreshAlertmanager(TimePoint now, const std::vector<NotifierConfig>& notifiers) {
  for (const NotifierConfig& notifier : notifiers) {
    if (notifier.type != NotifierType::kAlertmanager) continue;
    auto rows = LatestFiringDelivered(db_, notifier.name);
    if (!rows) {
      Log()->warn("outbox read failed error={}", rows.error());
      continue;
    }
    if (rows->empty()) continue;
    // Every firing alert of this notifier in one POST, as Prometheus sends them.
    nlohmann::json alerts = nlohmann::json::array();
    for (const OutboxRow& row : *rows) {
      auto notice = ParseNotice(row.payload);
      if (!notice) continue;
      for (auto& alert : AlertmanagerBody(*notice, Context(row.id, now))) alerts.push_back(alert);
    }
    if (alerts.empty()) continue;
    OutgoingRequest request;
    request.url = AlertmanagerAlertsUrl(notifier);
    request.headers = {"Content-Type: application/json"};
    request.body = alerts.dump();
    request.timeout = notifier.timeout;
    auto outcome = PostRequest(request);
    if (!outcome || outcome->status < 200 || outcome->status >= 300) {
      Log()->warn("alertmanager refresh failed notifier={} alerts={} error={}", notifier.name,
                  alerts.size(),
                  outcome ? "HTTP " + std::to_string(outcome->status) : outcome.error());
    }
  }
}

}  // namespace mcpwatch::alerts
