#include "alerts/notifier.h"

#include <catch2/catch.hpp>
#include <map>

#include "alerts/notice.h"
#include "base/digest.h"
#include "tests/unit/alerts/alert_test_util.h"

namespace mcpwatch::alerts {
namespace {

using namespace test;
using nlohmann::json;

AlertTransition DownTransition(AlertTransitionKind kind) {
  AlertTransition t;
  t.kind = kind;
  t.rule = RuleId::kTargetDown;
  t.target = "shop";
  t.severity = Severity::kCritical;
  t.fired_severity = Severity::kCritical;
  t.dedup_key = DedupKey(RuleId::kTargetDown, "shop");
  t.key = kind == AlertTransitionKind::kResolved ? "resolved:1" : "firing:1";
  t.at = kT0;
  t.started_at = kT0 - minutes(10);
  if (kind == AlertTransitionKind::kResolved) t.ended_at = kT0;
  t.labels = {{"team", "payments"}};
  t.cls = "connection_refused";
  t.description = "shop is down";
  t.state = TargetState::kDown;
  t.error = "connect: refused";
  t.run = {{"timings", {{"total_ms", 1.5}}}, {"steps", json::array()}};
  return t;
}

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

RenderContext Context(EnvLookup env = FakeEnv({})) {
  RenderContext c;
  c.delivery_id = 42;
  c.now = kT0;
  c.env = std::move(env);
  c.generator_url = "http://127.0.0.1:9464/";
  return c;
}

std::optional<std::string> Header(const OutgoingRequest& r, const std::string& name) {
  for (const std::string& h : r.headers) {
    if (h.rfind(name + ": ", 0) == 0) return h.substr(name.size() + 2);
  }
  return std::nullopt;
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2", "[notifier]") {
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(HmacSha256Hex("", "").size() == 64);
}

TEST_CASE("the notice carries the contract fields", "[notifier]") {
  json n = MakeNotice(DownTransition(AlertTransitionKind::kFiring));
  for (const char* key :
       {"status", "alert", "target", "severity", "class", "summary", "started_at", "dedup_key",
        "description", "labels", "state", "error", "diagnosis", "run", "ended_at"}) {
    INFO(key);
    CHECK(n.contains(key));
  }
  CHECK(n["status"] == "firing");
  CHECK(n["alert"] == "TargetDown");
  CHECK(n["class"] == "connection_refused");
  CHECK(n["ended_at"].is_null());
  CHECK(n["run"]["timings"]["total_ms"] == 1.5);
  CHECK_FALSE(n.contains("drift"));
  AlertTransition drift = DownTransition(AlertTransitionKind::kFiring);
  drift.rule = RuleId::kSchemaDrift;
  drift.drift = {{"grade", "breaking"}};
  CHECK(MakeNotice(drift)["drift"]["grade"] == "breaking");
  json resolved = MakeNotice(DownTransition(AlertTransitionKind::kResolved));
  CHECK(resolved["status"] == "resolved");
  CHECK(resolved["ended_at"] == FormatTimestamp(kT0));
}

TEST_CASE("webhook: raw notice body, delivery id, verifiable signature", "[notifier]") {
  NotifierConfig hook = Notifier("ops", NotifierType::kWebhook, "http://127.0.0.1:9/hook");
  hook.secret_env = "HOOK_SECRET";
  json notice = MakeNotice(DownTransition(AlertTransitionKind::kFiring));
  auto r = RenderRequest(hook, notice, Context(FakeEnv({{"HOOK_SECRET", "s3cret"}})));
  REQUIRE(r);
  CHECK(r->url == "http://127.0.0.1:9/hook");
  CHECK(json::parse(r->body) == notice);
  CHECK(Header(*r, "X-Mcpwatch-Delivery") == "42");
  CHECK(Header(*r, "X-Mcpwatch-Signature") == "sha256=" + HmacSha256Hex("s3cret", r->body));
  CHECK(Header(*r, "Content-Type") == "application/json");

  auto missing = RenderRequest(hook, notice, Context());
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error(), Catch::Matchers::Contains("HOOK_SECRET"));

  hook.secret_env.clear();
  auto unsigned_request = RenderRequest(hook, notice, Context());
  REQUIRE(unsigned_request);
  CHECK_FALSE(Header(*unsigned_request, "X-Mcpwatch-Signature"));
  CHECK_FALSE(RenderRequest(hook, json::array(), Context()));
}

// Issue 11: the rule's description carries the cause (a deploy or drift just before the
// failures); every receiver's wording shows it, not only the webhook's raw notice.
TEST_CASE("every notifier's wording carries the cause in the description", "[notifier]") {
  AlertTransition t = DownTransition(AlertTransitionKind::kFiring);
  const std::string cause = "tool calls failing since deploy 1.0.0 → 2.0.0 at 12:03Z";
  t.description = "shop initializes but its synthetic tool call fails (tool_error): " + cause;
  t.diagnosis = cause;
  json notice = MakeNotice(t);
  CHECK_THAT(json::parse(WebhookBody(notice))["description"].get<std::string>(),
             Catch::Matchers::Contains(cause));
  json slack = SlackBody(notice);
  CHECK_THAT(slack["text"].get<std::string>(), Catch::Matchers::EndsWith(cause));
  CHECK_THAT(slack["blocks"][0]["text"]["text"].get<std::string>(),
             Catch::Matchers::Contains(cause));
  json pd = PagerDutyBody(notice, "key");
  CHECK_THAT(pd["payload"]["summary"].get<std::string>(), Catch::Matchers::Contains(cause));
  CHECK(pd["payload"]["custom_details"]["diagnosis"] == cause);
  json am = AlertmanagerBody(notice, Context());
  CHECK_THAT(am[0]["annotations"]["description"].get<std::string>(),
             Catch::Matchers::Contains(cause));
  CHECK(am[0]["annotations"]["diagnosis"] == cause);
}

TEST_CASE("slack: text and blocks from the secret URL", "[notifier]") {
  NotifierConfig chat = Notifier("chat", NotifierType::kSlack);
  chat.webhook_url_env = "SLACK_URL";
  json notice = MakeNotice(DownTransition(AlertTransitionKind::kFiring));
  auto r = RenderRequest(chat, notice, Context(FakeEnv({{"SLACK_URL", "http://127.0.0.1:9/s"}})));
  REQUIRE(r);
  CHECK(r->url == "http://127.0.0.1:9/s");
  json body = json::parse(r->body);
  CHECK_THAT(body["text"].get<std::string>(),
             Catch::Matchers::Contains("[FIRING] TargetDown on shop"));
  REQUIRE(body["blocks"].size() == 2);
  CHECK(body["blocks"][0]["type"] == "section");
  CHECK_THAT(body["blocks"][0]["text"]["text"].get<std::string>(),
             Catch::Matchers::Contains("shop is down"));
  json resolved = SlackBody(MakeNotice(DownTransition(AlertTransitionKind::kResolved)));
  CHECK_THAT(resolved["text"].get<std::string>(), Catch::Matchers::Contains("[RESOLVED]"));
  CHECK_FALSE(RenderRequest(chat, notice, Context()));
}

TEST_CASE("pagerduty: Events API v2 trigger and resolve", "[notifier]") {
  NotifierConfig pager = Notifier("pager", NotifierType::kPagerDuty);
  pager.routing_key_env = "PD_KEY";
  json notice = MakeNotice(DownTransition(AlertTransitionKind::kFiring));
  auto r = RenderRequest(pager, notice, Context(FakeEnv({{"PD_KEY", "R0UT1NG"}})));
  REQUIRE(r);
  CHECK(r->url == kPagerDutyUrl);
  json body = json::parse(r->body);
  CHECK(body["routing_key"] == "R0UT1NG");
  CHECK(body["event_action"] == "trigger");
  CHECK(body["dedup_key"] == notice["dedup_key"]);
  CHECK(body["payload"]["source"] == "shop");
  CHECK(body["payload"]["severity"] == "critical");
  CHECK_THAT(body["payload"]["summary"].get<std::string>(),
             Catch::Matchers::Contains("TargetDown"));
  CHECK(body["payload"]["custom_details"]["error"] == "connect: refused");

  pager.url = "http://127.0.0.1:9/enqueue";
  auto resolve = RenderRequest(pager, MakeNotice(DownTransition(AlertTransitionKind::kResolved)),
                               Context(FakeEnv({{"PD_KEY", "R0UT1NG"}})));
  REQUIRE(resolve);
  CHECK(resolve->url == "http://127.0.0.1:9/enqueue");
  CHECK(json::parse(resolve->body)["event_action"] == "resolve");
  auto no_key = RenderRequest(pager, notice, Context());
  REQUIRE_FALSE(no_key);
  CHECK_THAT(no_key.error(), Catch::Matchers::Contains("PD_KEY"));
}

TEST_CASE("alertmanager: /api/v2/alerts with stable labels and endsAt", "[notifier]") {
  NotifierConfig am = Notifier("am", NotifierType::kAlertmanager, "http://127.0.0.1:9093/");
  auto r = RenderRequest(am, MakeNotice(DownTransition(AlertTransitionKind::kFiring)), Context());
  REQUIRE(r);
  CHECK(r->url == "http://127.0.0.1:9093/api/v2/alerts");
  json body = json::parse(r->body);
  REQUIRE(body.is_array());
  REQUIRE(body.size() == 1);
  const json& a = body[0];
  CHECK(a["labels"] == json{{"alertname", "TargetDown"},
                            {"target", "shop"},
                            {"severity", "critical"},
                            {"team", "payments"}});
  CHECK(a["annotations"]["class"] == "connection_refused");
  CHECK(a["annotations"]["summary"] == "MCP server is down.");
  CHECK(a["startsAt"] == FormatTimestamp(kT0 - minutes(10)));
  CHECK(a["endsAt"] == FormatTimestamp(kT0 + minutes(3)));
  CHECK(a["generatorURL"] == "http://127.0.0.1:9464/");

  json resolved =
      AlertmanagerBody(MakeNotice(DownTransition(AlertTransitionKind::kResolved)), Context());
  CHECK(resolved[0]["endsAt"] == FormatTimestamp(kT0));
  CHECK(resolved[0]["labels"] == a["labels"]);
}

TEST_CASE("each request names its own credentials, to be scrubbed from its outcome", "[notifier]") {
  using Strings = std::vector<std::string>;
  json notice = MakeNotice(DownTransition(AlertTransitionKind::kFiring));
  NotifierConfig hook = Notifier("ops", NotifierType::kWebhook, "http://127.0.0.1:9/hook");
  hook.secret_env = "HOOK_SECRET";
  auto signed_hook = RenderRequest(hook, notice, Context(FakeEnv({{"HOOK_SECRET", "s3cret"}})));
  REQUIRE(signed_hook);
  CHECK(signed_hook->secrets == Strings{"s3cret"});
  hook.secret_env.clear();
  auto unsigned_hook = RenderRequest(hook, notice, Context());
  REQUIRE(unsigned_hook);
  CHECK(unsigned_hook->secrets.empty());

  NotifierConfig chat = Notifier("chat", NotifierType::kSlack);
  chat.webhook_url_env = "SLACK_URL";
  auto slack = RenderRequest(
      chat, notice, Context(FakeEnv({{"SLACK_URL", "https://hooks.example/services/T0/B0/x1"}})));
  REQUIRE(slack);
  CHECK(slack->secrets == Strings{"https://hooks.example/services/T0/B0/x1", "/services/T0/B0/x1"});

  NotifierConfig pager = Notifier("pager", NotifierType::kPagerDuty);
  pager.routing_key_env = "PD_KEY";
  auto pd = RenderRequest(pager, notice, Context(FakeEnv({{"PD_KEY", "R0UT1NG"}})));
  REQUIRE(pd);
  CHECK(pd->secrets == Strings{"R0UT1NG"});

  NotifierConfig am = Notifier("am", NotifierType::kAlertmanager, "http://127.0.0.1:9093/");
  auto to_am = RenderRequest(am, notice, Context());
  REQUIRE(to_am);
  CHECK(to_am->secrets.empty());  // config refuses credentials in URLs
}

}  // namespace
}  // namespace mcpwatch::alerts
