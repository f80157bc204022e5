// The alert pipeline wired as the daemon wires it, over a temp SQLite database: engine ->
// SubmitEvaluation (writer) -> outbox -> Dispatcher -> HTTP.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alerts/alert_state.h"
#include "alerts/dispatcher.h"
#include "alerts/outbox.h"
#include "storage/migrations.h"
#include "storage/writer.h"
#include "tests/support/support.h"

namespace mcpwatch::alerts::test {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using SysClock = std::chrono::system_clock;

inline NotifierConfig MakeNotifier(std::string name, NotifierType type, std::string url = "") {
  NotifierConfig n;
  n.name = std::move(name);
  n.type = type;
  n.url = std::move(url);
  n.timeout = seconds(2);
  return n;
}

inline EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

// One target, "shop", up or down by connection_refused as of `at`.
inline TargetSnapshot Shop(bool down, TimePoint at) {
  TargetSnapshot t;
  t.name = "shop";
  t.labels = {{"team", "payments"}};
  t.state = down ? TargetState::kDown : TargetState::kUp;
  t.state_since = at;
  t.last_class = down ? FailureClass::kConnectionRefused : FailureClass::kOk;
  t.recent_classes = {*t.last_class, *t.last_class};
  t.last_run_at = at;
  t.last_error = down ? "initialize: connection refused" : "";
  auto run = std::make_shared<ProbeResult>();
  run->target = t.name;
  run->started_at = at;
  run->transcript.timings.total = std::chrono::milliseconds(1);
  run->verdict.cls = *t.last_class;
  run->verdict.error = t.last_error;
  t.last_run = std::move(run);
  return t;
}

struct Pipeline {
  mcpwatch::test::TempDir dir;
  std::string db_path = dir.File("history.db");
  AlertingConfig config;
  std::unique_ptr<storage::HistoryWriter> writer;
  std::unique_ptr<AlertEngine> engine;
  std::unique_ptr<Dispatcher> dispatcher;
  DispatcherOptions options;

  explicit Pipeline(AlertingConfig c, EnvLookup env) : config(std::move(c)) {
    auto db = storage::OpenForWriting(db_path);
    REQUIRE(db);
    writer = storage::HistoryWriter::Start(std::move(*db));
    engine = std::make_unique<AlertEngine>(config, SysClock::now() - minutes(30));
    options.database = db_path;
    options.notifiers = config.notifiers;
    options.poll_interval = milliseconds(100);
    options.env = std::move(env);
  }
  ~Pipeline() {
    if (dispatcher) dispatcher->Stop();
    writer->Stop();
  }

  void StartDispatcher() {
    auto d = Dispatcher::Start(*writer, options);
    REQUIRE(d);
    dispatcher = std::move(*d);
  }
  void RestartDispatcher() {
    dispatcher->Stop();
    dispatcher.reset();
    StartDispatcher();
  }

  // What the daemon does every evaluation tick.
  Evaluation Tick(bool down, TimePoint at) {
    Evaluation e = engine->Evaluate({Shop(down, at)}, at);
    REQUIRE(SubmitEvaluation(*writer, e, config, SysClock::now()));
    REQUIRE(writer->Flush());
    dispatcher->Wake();
    return e;
  }

  storage::Database Reader() const {
    auto db = storage::OpenForReading(db_path);
    REQUIRE(db);
    return std::move(*db);
  }
  int64_t Pending() const {
    storage::Database db = Reader();
    auto n = PendingCount(db);
    REQUIRE(n);
    return *n;
  }
};

}  // namespace mcpwatch::alerts::test
