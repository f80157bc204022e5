// Webhook, Slack and PagerDuty deliveries through a real outbox to a local receiver, and the
// durability of the outbox across a receiver outage and a dispatcher restart.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "tests/integration/alerts/harness.h"
#include "tests/integration/alerts/receiver.h"

namespace mcpwatch::alerts::test {
namespace {

using mcpwatch::test::Eventually;
using nlohmann::json;

TEST_CASE("webhook, slack and pagerduty each get exactly one firing and one resolved",
          "[alerts][delivery]") {
  Receiver receiver;
  AlertingConfig config;
  NotifierConfig hook = MakeNotifier("ops", NotifierType::kWebhook, receiver.Url("/hook"));
  hook.secret_env = "HOOK_SECRET";
  NotifierConfig chat = MakeNotifier("chat", NotifierType::kSlack);
  chat.webhook_url_env = "SLACK_URL";
  NotifierConfig pager = MakeNotifier("pager", NotifierType::kPagerDuty, receiver.Url("/pd"));
  pager.routing_key_env = "PD_KEY";
  config.notifiers = {hook, chat, pager};
  RouteConfig route;
  route.notify = {"ops", "chat", "pager"};
  config.routes = {route};
  Pipeline p(config, FakeEnv({{"HOOK_SECRET", "s3cret"},
                              {"SLACK_URL", receiver.Url("/slack")},
                              {"PD_KEY", "routing-key-1"}}));
  p.StartDispatcher();

  const TimePoint base = SysClock::now() - minutes(10);
  CHECK(p.Tick(false, base).transitions.empty());
  REQUIRE(p.Tick(true, base + minutes(1)).transitions.size() == 1);
  REQUIRE(Eventually([&] { return receiver.Requests().size() == 3; }, seconds(10)));
  CHECK(p.Tick(true, base + minutes(2)).transitions.empty());  // still down: nothing new
  REQUIRE(p.Tick(false, base + minutes(3)).transitions.size() == 1);
  REQUIRE(Eventually([&] { return receiver.Requests().size() == 6; }, seconds(10)));
  REQUIRE(Eventually([&] { return p.Pending() == 0; }, seconds(5)));
  std::this_thread::sleep_for(milliseconds(500));  // nothing else trickles in
  REQUIRE(receiver.Requests().size() == 6);

  auto hooks = receiver.RequestsTo("/hook");
  REQUIRE(hooks.size() == 2);
  for (const ReceivedRequest& r : hooks) {
    CHECK(r.method == "POST");
    CHECK(r.headers.at("x-mcpwatch-signature") == "sha256=" + HmacSha256Hex("s3cret", r.body));
    CHECK_FALSE(r.headers.at("x-mcpwatch-delivery").empty());
  }
  json fired = json::parse(hooks[0].body);
  json resolved = json::parse(hooks[1].body);
  CHECK(fired["status"] == "firing");
  CHECK(fired["alert"] == "TargetDown");
  CHECK(fired["target"] == "shop");
  CHECK(fired["class"] == "connection_refused");
  CHECK(resolved["status"] == "resolved");
  CHECK(resolved["dedup_key"] == fired["dedup_key"]);
  CHECK(hooks[0].headers.at("x-mcpwatch-delivery") != hooks[1].headers.at("x-mcpwatch-delivery"));

  auto slack = receiver.RequestsTo("/slack");
  REQUIRE(slack.size() == 2);
  CHECK_THAT(json::parse(slack[0].body)["text"].get<std::string>(),
             Catch::Matchers::Contains("[FIRING] TargetDown on shop"));
  CHECK_THAT(json::parse(slack[1].body)["text"].get<std::string>(),
             Catch::Matchers::Contains("[RESOLVED]"));

  auto pd = receiver.RequestsTo("/pd");
  REQUIRE(pd.size() == 2);
  json trigger = json::parse(pd[0].body);
  CHECK(trigger["event_action"] == "trigger");
  CHECK(trigger["routing_key"] == "routing-key-1");
  CHECK(trigger["dedup_key"] == fired["dedup_key"]);
  CHECK(json::parse(pd[1].body)["event_action"] == "resolve");

  DispatcherStats stats = p.dispatcher->Stats();
  for (const char* name : {"ops", "chat", "pager"}) {
    INFO(name);
    CHECK(stats.notifiers.at(name).delivered == 2);
    CHECK(stats.notifiers.at(name).failed == 0);
  }
}

TEST_CASE("a receiver outage keeps rows pending with attempts, they are delivered once after",
          "[alerts][durability]") {
  const int port = mcpwatch::test::FreePort();
  AlertingConfig config;
  config.notifiers = {MakeNotifier("ops", NotifierType::kWebhook,
                                   "http://127.0.0.1:" + std::to_string(port) + "/hook")};
  RouteConfig route;
  route.notify = {"ops"};
  config.routes = {route};
  Pipeline p(config, FakeEnv({}));
  p.StartDispatcher();

  const TimePoint base = SysClock::now() - minutes(10);
  Evaluation fire = p.Tick(true, base);
  REQUIRE(fire.transitions.size() == 1);
  auto attempts = [&] {
    storage::Database db = p.Reader();
    auto rows = Undelivered(db, 10);
    REQUIRE(rows);
    return rows->empty() ? std::make_pair(0, std::string())
                         : std::make_pair(rows->at(0).attempts, rows->at(0).last_error);
  };
  REQUIRE(Eventually([&] { return attempts().first >= 2; }, seconds(10)));
  CHECK_FALSE(attempts().second.empty());
  CHECK(p.Pending() == 1);
  CHECK(p.dispatcher->Stats().notifiers.at("ops").failed >= 2);
  CHECK(p.dispatcher->Stats().notifiers.at("ops").delivered == 0);

  Receiver receiver(port);
  REQUIRE(Eventually([&] { return receiver.Requests().size() == 1; }, seconds(15)));
  REQUIRE(Eventually([&] { return p.Pending() == 0; }, seconds(5)));

  // A restart: a new dispatcher on the same database, the same notices enqueued again, and an
  // engine restored from the alerts table. Nothing is delivered twice.
  p.RestartDispatcher();
  REQUIRE(SubmitEvaluation(*p.writer, fire, p.config, SysClock::now()));
  REQUIRE(p.writer->Flush());
  storage::Database db = p.Reader();
  auto rows = LoadAlerts(db);
  REQUIRE(rows);
  AlertEngine restored(p.config, SysClock::now());
  restored.Restore(*rows);
  CHECK(restored.Evaluate({Shop(true, base + minutes(1))}, base + minutes(1)).transitions.empty());
  p.dispatcher->Wake();
  std::this_thread::sleep_for(milliseconds(1500));
  CHECK(receiver.Requests().size() == 1);
  CHECK(p.Pending() == 0);
  json body = json::parse(receiver.Requests()[0].body);
  CHECK(body["status"] == "firing");
  CHECK_FALSE(receiver.Requests()[0].headers.count("x-mcpwatch-signature"));
}

TEST_CASE("a non-2xx answer is a failed attempt with the status in last_error",
          "[alerts][delivery]") {
  Receiver receiver(0, 503);
  AlertingConfig config;
  config.notifiers = {MakeNotifier("ops", NotifierType::kWebhook, receiver.Url("/hook"))};
  RouteConfig route;
  route.notify = {"ops"};
  config.routes = {route};
  Pipeline p(config, FakeEnv({}));
  p.StartDispatcher();
  p.Tick(true, SysClock::now() - minutes(1));
  REQUIRE(Eventually(
      [&] {
        storage::Database db = p.Reader();
        auto rows = Undelivered(db, 10);
        return rows && rows->size() == 1 && rows->at(0).attempts >= 1 &&
               rows->at(0).last_error.rfind("HTTP 503", 0) == 0;
      },
      seconds(10)));
  CHECK(p.Pending() == 1);
}

TEST_CASE("a receiver echoing the request gets no credential into the outcome",
          "[alerts][delivery]") {
  Receiver receiver(0, 400, true);
  const json notice = {{"dedup_key", "TargetDown/shop"},
                       {"alert", "TargetDown"},
                       {"target", "shop"},
                       {"status", "firing"}};
  RenderContext context;
  context.env = FakeEnv({{"HOOK_SECRET", "hook-canary-1f2e"},
                         {"SLACK_URL", receiver.Url("/slack/slack-canary-3d4c")},
                         {"PD_KEY", "pd-canary-5b6a"}});
  NotifierConfig hook = MakeNotifier("ops", NotifierType::kWebhook, receiver.Url("/hook"));
  hook.secret_env = "HOOK_SECRET";
  NotifierConfig chat = MakeNotifier("chat", NotifierType::kSlack);
  chat.webhook_url_env = "SLACK_URL";
  NotifierConfig pager = MakeNotifier("pager", NotifierType::kPagerDuty, receiver.Url("/pd"));
  pager.routing_key_env = "PD_KEY";
  for (const NotifierConfig& n : {hook, chat, pager}) {
    INFO(n.name);
    auto request = RenderRequest(n, notice, context);
    REQUIRE(request);
    request->headers.push_back("X-Echo-Check: " + request->secrets.front());
    auto outcome = PostRequest(*request);
    REQUIRE(outcome);
    CHECK(outcome->status == 400);
    CHECK(outcome->body_excerpt.rfind("you sent: POST ", 0) == 0);
    CHECK_THAT(outcome->body_excerpt, Catch::Matchers::Contains("x-echo-check: [redacted]"));
    for (const char* canary : {"hook-canary-1f2e", "slack-canary-3d4c", "pd-canary-5b6a"}) {
      CHECK_THAT(outcome->body_excerpt, !Catch::Matchers::Contains(canary));
    }
  }
  // What the receiver saw still carries each destination's own credential where it must.
  REQUIRE(receiver.RequestsTo("/slack/slack-canary-3d4c").size() == 1);
  REQUIRE(receiver.RequestsTo("/pd").size() == 1);
  CHECK(json::parse(receiver.RequestsTo("/pd")[0].body)["routing_key"] == "pd-canary-5b6a");
}

}  // namespace
}  // namespace mcpwatch::alerts::test
