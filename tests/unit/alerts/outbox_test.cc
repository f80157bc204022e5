#include "alerts/outbox.h"

#include <catch2/catch.hpp>

#include "alerts/alerts_view.h"
#include "alerts/notice.h"
#include "storage/migrations.h"
#include "tests/unit/alerts/alert_test_util.h"

namespace mcpwatch::alerts {
namespace {

using namespace test;
using nlohmann::json;

AlertingConfig RoutedConfig() {
  AlertingConfig c;
  c.notifiers = {Notifier("ops", NotifierType::kWebhook, "http://127.0.0.1:9/hook"),
                 Notifier("chat", NotifierType::kSlack)};
  c.routes = {{{{"severity", "critical"}}, {"ops"}, true}, {{}, {"chat"}, false}};
  return c;
}

struct Store {
  ScratchDir dir;
  std::unique_ptr<storage::HistoryWriter> writer;
  storage::Database reader;

  static storage::Database OpenWriter(const std::filesystem::path& path) {
    auto db = storage::OpenForWriting(path);
    REQUIRE(db);
    return std::move(*db);
  }
  static storage::Database OpenReader(const std::filesystem::path& path) {
    auto db = storage::OpenForReading(path);
    REQUIRE(db);
    return std::move(*db);
  }
  Store()
      : writer(storage::HistoryWriter::Start(OpenWriter(dir / "h.db"))),
        reader(OpenReader(dir / "h.db")) {}

  void Commit(const Evaluation& e, const AlertingConfig& c, TimePoint now) {
    REQUIRE(SubmitEvaluation(*writer, e, c, now));
    REQUIRE(writer->Flush());
  }
  void Write(storage::WriteFn fn) {
    REQUIRE(writer->Submit(std::move(fn)));
    REQUIRE(writer->Flush());
  }
};

Evaluation FireDown(AlertEngine& engine, TimePoint now) {
  TargetSnapshot down = DownTarget(FailureClass::kConnectionRefused, "shop", now);
  return engine.Evaluate({down}, now);
}

TEST_CASE("backoff doubles from 1 s and stops at 10 min", "[outbox]") {
  CHECK(Backoff(0) == seconds(1));
  CHECK(Backoff(1) == seconds(1));
  CHECK(Backoff(2) == seconds(2));
  CHECK(Backoff(5) == seconds(16));
  CHECK(Backoff(10) == seconds(512));
  CHECK(Backoff(11) == minutes(10));
  CHECK(Backoff(1000) == minutes(10));
}

TEST_CASE("an evaluation writes its alert rows and one row per routed notifier, once", "[outbox]") {
  Store store;
  AlertingConfig config = RoutedConfig();
  AlertEngine engine(config, kT0 - hours(1));
  Evaluation fire = FireDown(engine, kT0);
  REQUIRE(fire.transitions.size() == 1);
  store.Commit(fire, config, kT0);
  store.Commit(fire, config, kT0 + seconds(5));  // the same notices again: ignored

  auto due = DueRows(store.reader, kT0, 100);
  REQUIRE(due);
  REQUIRE(due->size() == 2);
  CHECK((*due)[0].notifier == "ops");
  CHECK((*due)[1].notifier == "chat");
  for (const OutboxRow& row : *due) {
    CHECK(row.dedup_key == DedupKey(RuleId::kTargetDown, "shop"));
    CHECK(row.transition == fire.transitions[0].key);
    CHECK(row.attempts == 0);
    CHECK(json::parse(row.payload) == MakeNotice(fire.transitions[0]));
  }
  CHECK(PendingCount(store.reader) == 2);

  auto alerts = LoadAlerts(store.reader);
  REQUIRE(alerts);
  REQUIRE(alerts->size() == 1);
  CHECK((*alerts)[0] == fire.rows[0]);

  // Restore from the stored rows: the same alert does not fire again.
  AlertEngine restarted(config, kT0 + minutes(1));
  restarted.Restore(*alerts);
  CHECK(FireDown(restarted, kT0 + minutes(1)).transitions.empty());
}

TEST_CASE("invalid UTF-8 from a probed server is replaced, not a lost write", "[outbox]") {
  Store store;
  AlertingConfig config = RoutedConfig();
  AlertEngine engine(config, kT0 - hours(1));
  TargetSnapshot down = DownTarget(FailureClass::kToolError, "shop", kT0);
  down.recent_classes = {FailureClass::kToolError, FailureClass::kToolError};
  down.last_error = "tool_call: \xff\xfe broken";
  store.Commit(engine.Evaluate({down}, kT0), config, kT0);
  auto due = DueRows(store.reader, kT0, 100);
  REQUIRE(due);
  REQUIRE(due->size() == 2);
  json notice = json::parse(due->at(0).payload);
  CHECK(notice["alert"] == "ToolCallsFailing");
  CHECK_THAT(notice["error"].get<std::string>(), Catch::Matchers::EndsWith(" broken"));
  CHECK(store.writer->Stats().write_errors == 0);
}

TEST_CASE("failed rows back off with attempts and error, delivered rows leave the queue",
          "[outbox]") {
  Store store;
  AlertingConfig config = RoutedConfig();
  AlertEngine engine(config, kT0 - hours(1));
  store.Commit(FireDown(engine, kT0), config, kT0);
  auto due = DueRows(store.reader, kT0, 100);
  REQUIRE(due);
  REQUIRE(due->size() == 2);
  const int64_t ops = (*due)[0].id;
  const int64_t chat = (*due)[1].id;

  store.Write([&](storage::Database& db) {
    return MarkFailed(db, ops, 1, kT0 + seconds(1), "HTTP 500: boom");
  });
  store.Write([&](storage::Database& db) { return MarkDelivered(db, chat, kT0); });
  CHECK(DueRows(store.reader, kT0, 100)->empty());
  auto retry = DueRows(store.reader, kT0 + seconds(1), 100);
  REQUIRE(retry->size() == 1);
  CHECK(retry->at(0).attempts == 1);
  CHECK(retry->at(0).last_error == "HTTP 500: boom");
  CHECK(PendingCount(store.reader) == 1);
  auto delivered = RowById(store.reader, chat);
  REQUIRE(delivered);
  REQUIRE(*delivered);
  CHECK((*delivered)->delivered_at == kT0);
  CHECK((*delivered)->attempts == 1);

  // Marking a delivered row failed changes nothing.
  store.Write([&](storage::Database& db) { return MarkFailed(db, chat, 9, kT0, "late"); });
  CHECK(RowById(store.reader, chat)->value().attempts == 1);

  // The newest delivered non-resolve row per alert is what the Alertmanager refresh re-sends.
  auto latest = LatestFiringDelivered(store.reader, "chat");
  REQUIRE(latest);
  REQUIRE(latest->size() == 1);
  CHECK(latest->at(0).id == chat);
  CHECK(LatestFiringDelivered(store.reader, "ops")->empty());
}

TEST_CASE("the alerts view lists firing and pending alerts and undelivered notices",
          "[outbox][view]") {
  Store store;
  AlertingConfig config = RoutedConfig();
  AlertEngine engine(config, kT0 - hours(1));
  TargetSnapshot down = DownTarget(FailureClass::kConnectionRefused, "shop", kT0);
  TargetSnapshot slow = UpTarget("slow", kT0);
  slow.state = TargetState::kDegraded;
  store.Commit(engine.Evaluate({down, slow}, kT0), config, kT0);
  auto first = DueRows(store.reader, kT0, 1);
  REQUIRE(first->size() == 1);
  store.Write([&](storage::Database& db) {
    return MarkFailed(db, first->at(0).id, 3, kT0 + seconds(4), "connection refused");
  });

  auto view = ReadAlertsView(store.reader, config);
  REQUIRE(view);
  REQUIRE(view->alerts.size() == 2);
  CHECK(view->alerts[0].alert == "TargetDown");
  CHECK(view->alerts[0].state == "firing");
  CHECK(view->alerts[0].severity == "critical");
  CHECK(view->alerts[0].description == "shop is down since " + FormatTimestamp(kT0 - minutes(1)) +
                                           " (last class connection_refused): initialize: "
                                           "connection_refused");
  CHECK(view->alerts[1].alert == "LatencySpike");
  CHECK(view->alerts[1].state == "pending");
  CHECK(view->alerts[1].severity == "warning");
  REQUIRE(view->undelivered.size() == 2);
  CHECK(view->undelivered[0].delivery == "failing");
  CHECK(view->undelivered[0].attempts == 3);
  CHECK(view->undelivered[0].last_error == "connection refused");
  CHECK(view->undelivered[1].delivery == "pending");

  json j = ToJson(*view);
  CHECK(j["alerts"].size() == 2);
  CHECK(j["undelivered"][0]["last_error"] == "connection refused");
  std::string text = FormatText(*view);
  CHECK_THAT(text, Catch::Matchers::Contains("TargetDown"));
  CHECK_THAT(text, Catch::Matchers::Contains("connection refused"));
  CHECK(FormatText(AlertsView{}) == "no alerts\n\nno undelivered notifications\n");
}

TEST_CASE("pruning keeps undelivered rows and each alert's newest row", "[outbox]") {
  Store store;
  AlertingConfig config = RoutedConfig();
  AlertEngine engine(config, kT0 - hours(1));
  store.Commit(FireDown(engine, kT0), config, kT0);
  TargetSnapshot up = UpTarget("shop", kT0 + minutes(5));
  store.Commit(engine.Evaluate({up}, kT0 + minutes(5)), config, kT0 + minutes(5));
  auto rows = Undelivered(store.reader, 100);
  REQUIRE(rows->size() == 4);
  store.Write([&](storage::Database& db) -> tl::expected<void, std::string> {
    for (const OutboxRow& r : *rows) {
      if (r.notifier == "ops") {
        if (auto done = MarkDelivered(db, r.id, kT0); !done) return done;
      }
    }
    return {};
  });
  int64_t pruned = -1;
  store.Write([&](storage::Database& db) -> tl::expected<void, std::string> {
    auto n = PruneDelivered(db, kT0 + hours(1));
    if (!n) return tl::make_unexpected(n.error());
    pruned = *n;
    return {};
  });
  CHECK(pruned == 1);  // ops' firing row; its resolve is the newest and stays
  CHECK(Undelivered(store.reader, 100)->size() == 2);
}

}  // namespace
}  // namespace mcpwatch::alerts
