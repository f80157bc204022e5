#include "alerts/alerts_view.h"

#include <algorithm>

#include "alerts/alert_state.h"
#include "alerts/notice.h"
#include "alerts/outbox.h"
#include "alerts/rules.h"
#include "checks/event.h"
#include "storage/migrations.h"
#include "storage/run_row.h"

namespace mcpwatch::alerts {

namespace {

using nlohmann::json;

nlohmann::json ParseOrNull(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::exception&) {
    return nullptr;
  }
}

// The newest notice payload of an alert, if any.
tl::expected<json, std::string> NewestNotice(storage::Database& db, const std::string& key) {
  auto q = db.Prepare("SELECT payload FROM outbox WHERE dedup_key = ? ORDER BY id DESC LIMIT 1");
  if (!q) return tl::make_unexpected(q.error());
  q->Bind(key);
  auto has = q->Step();
  if (!has) return tl::make_unexpected(has.error());
  return *has ? ParseOrNull(q->Text(0)) : json();
}

json OptTime(const std::optional<TimePoint>& t) {
  return t ? json(FormatTimestamp(*t)) : json();
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : Pad(row[i], widths[i] + 2);
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

tl::expected<AlertsView, std::string> ReadAlertsView(storage::Database& db,
                                                     const AlertingConfig& config, int limit) {
  AlertsView view;
  auto rows = LoadAlerts(db);
  if (!rows) return tl::make_unexpected(rows.error());
  std::vector<RuleSpec> specs = EffectiveRules(config);
  for (const AlertRow& row : *rows) {
    if (row.state != AlertStatus::kFiring && row.state != AlertStatus::kPending) continue;
    ActiveAlertView a;
    a.alert = row.rule;
    a.target = row.target;
    a.state = std::string(ToString(row.state));
    a.since = row.since;
    a.fired_at = row.fired_at;
    a.last_notified_at = row.last_notified_at;
    auto rule = ParseRuleId(row.rule);
    if (rule) {
      a.severity = std::string(ToString(specs[static_cast<size_t>(*rule)].severity));
      a.dedup_key = DedupKey(*rule, row.target);
    }
    if (row.state == AlertStatus::kFiring && !a.dedup_key.empty()) {
      auto notice = NewestNotice(db, a.dedup_key);
      if (!notice) return tl::make_unexpected(notice.error());
      if (!NoticeIsResolved(*notice) && !NoticeString(*notice, "severity").empty()) {
        a.severity = NoticeString(*notice, "severity");
        a.description = NoticeString(*notice, "description");
      }
    }
    view.alerts.push_back(std::move(a));
  }
  std::stable_sort(view.alerts.begin(), view.alerts.end(), [](const auto& x, const auto& y) {
    return (x.state == "firing") > (y.state == "firing");
  });
  auto undelivered = Undelivered(db, limit);
  if (!undelivered) return tl::make_unexpected(undelivered.error());
  for (const OutboxRow& row : *undelivered) {
    json notice = ParseOrNull(row.payload);
    UndeliveredView u;
    u.id = row.id;
    u.notifier = row.notifier;
    u.alert = NoticeString(notice, "alert");
    u.target = NoticeString(notice, "target");
    u.status = NoticeString(notice, "status");
    u.transition = row.transition;
    u.delivery = row.attempts == 0 ? "pending" : "failing";
    u.attempts = row.attempts;
    u.created_at = row.created_at;
    u.next_attempt_at = row.next_attempt_at;
    u.last_error = row.last_error;
    view.undelivered.push_back(std::move(u));
  }
  return view;
}

tl::expected<AlertsView, std::string> ReadAlertsView(const Config& config, int limit) {
  auto db = storage::OpenForReading(config.database);
  if (!db) return tl::make_unexpected(db.error());
  return ReadAlertsView(*db, config.alerting, limit);
}

json ToJson(const AlertsView& view) {
  json alerts = json::array();
  for (const ActiveAlertView& a : view.alerts) {
    alerts.push_back({{"alert", a.alert},
                      {"target", a.target},
                      {"state", a.state},
                      {"severity", a.severity},
                      {"since", FormatTimestamp(a.since)},
                      {"fired_at", OptTime(a.fired_at)},
                      {"last_notified_at", OptTime(a.last_notified_at)},
                      {"description", a.description},
                      {"dedup_key", a.dedup_key}});
  }
  json undelivered = json::array();
  for (const UndeliveredView& u : view.undelivered) {
    undelivered.push_back({{"id", u.id},
                           {"notifier", u.notifier},
                           {"alert", u.alert},
                           {"target", u.target},
                           {"status", u.status},
                           {"transition", u.transition},
                           {"delivery", u.delivery},
                           {"attempts", u.attempts},
                           {"created_at", FormatTimestamp(u.created_at)},
                           {"next_attempt_at", FormatTimestamp(u.next_attempt_at)},
                           {"last_error", u.last_error}});
  }
  return {{"alerts", alerts}, {"undelivered", undelivered}};
}

std::string FormatText(const AlertsView& view) {
  std::string out;
  if (view.alerts.empty()) {
    out += "no alerts\n";
  } else {
    std::vector<std::vector<std::string>> rows = {
        {"ALERT", "TARGET", "STATE", "SEVERITY", "SINCE", "DESCRIPTION"}};
    for (const ActiveAlertView& a : view.alerts) {
      rows.push_back(
          {a.alert, a.target, a.state, a.severity, FormatTimestamp(a.since), a.description});
    }
    out += Table(rows);
  }
  out += "\n";
  if (view.undelivered.empty()) {
    out += "no undelivered notifications\n";
  } else {
    std::vector<std::vector<std::string>> rows = {
        {"ID", "NOTIFIER", "ALERT", "TARGET", "STATUS", "DELIVERY", "ATTEMPTS", "NEXT", "ERROR"}};
    for (const UndeliveredView& u : view.undelivered) {
      rows.push_back({std::to_string(u.id), u.notifier, u.alert, u.target, u.status, u.delivery,
                      std::to_string(u.attempts), FormatTimestamp(u.next_attempt_at),
                      u.last_error});
    }
    out += Table(rows);
  }
  return out;
}

}  // namespace mcpwatch::alerts
