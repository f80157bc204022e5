// Issue 11, item 4 end to end: a target whose operator declared its rate limit gets bursts of
// slightly more calls than the limit on the check's own schedule. A limiter that enforces
// (the fixture's --rate-limit) raises nothing and shows probe_mcp_rate_limit_enforced 1; one
// that fails open (no limiter) is confirmed by a second burst, then becomes one
// rate_limit_not_enforced event, the gauge at 0 and a RateLimitNotEnforced alert.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/integration/alerts/receiver.h"
#include "tests/integration/serve/detection_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using mcpwatch::alerts::test::Receiver;
using nlohmann::json;

TEST_CASE(
    "a rate limiter that fails open is one rate_limit_not_enforced event and an alert, while an "
    "enforcing one raises nothing",
    "[rate_limit]") {
  // Both allow 5 tools/call per 2 s; only one of them enforces it. The regular runs (one call a
  // second) stay under the limit.
  Fixture enforcing{{"--rate-limit", "5", "--rate-window-ms", "2000"}};
  Fixture open;
  Receiver rx(FreePort());
  TempDir dir;
  const int port = FreePort();
  const std::string check =
      "tool_call: {name: echo, arguments: {message: hi}}\n"
      "    rate_limit_check: {limit: 5, window: 2s, every: 3s, tool: echo, "
      "arguments: {message: burst}}";
  std::string config = WriteConfig(
      dir, port, {{"limited", enforcing.Url(), check}, {"open", open.Url(), check}}, "2s", "1s");
  AppendYaml(config, "alerting:\n  notifiers:\n    - {name: ops, type: webhook, url: " +
                         rx.Url("/hook") + ", timeout: 2s}\n  routes: [{notify: [ops]}]");
  Subprocess daemon = StartDaemon(config);

  // The first burst comes one `every` after start; the open limiter needs a confirmation burst
  // one window later.
  REQUIRE(PollUntil(
      [&] {
        std::string m = MetricsText(port);
        return Metric(m, "probe_mcp_rate_limit_enforced", {{"target", "open"}}) == 0.0 &&
               Metric(m, "probe_mcp_rate_limit_enforced", {{"target", "limited"}}) == 1.0;
      },
      30s, 500ms));
  // The event reaches the history through the writer thread, just after the gauge moved.
  json events;
  REQUIRE(PollUntil(
      [&] {
        events = StoredEvents(config);
        return !EventsOfKind(events, "rate_limit_not_enforced", "open").empty();
      },
      10s, 250ms));
  INFO(events.dump(2));
  auto open_events = EventsOfKind(events, "rate_limit_not_enforced", "open");
  REQUIRE(open_events.size() == 1);
  const json& d = open_events[0]["details"];
  CHECK(d["limit"] == 5);
  CHECK(d["sent"] == 7);  // 5 + at least 2 more
  CHECK(d["limited"] == 0);
  CHECK(d["passed"] == 7);
  CHECK(d["finding"] == "not_enforcing");
  CHECK_THAT(d["summary"].get<std::string>(),
             Catch::StartsWith("rate limiter not enforcing: 7 of 7"));
  CHECK(EventsOfKind(events, "rate_limit_not_enforced", "limited").empty());
  std::string m = MetricsText(port);
  CHECK(Metric(m, "probe_mcp_events_total",
               {{"target", "open"}, {"kind", "rate_limit_not_enforced"}}) == 1.0);
  // Targets without such an event carry no series for the opt-in kind.
  CHECK_FALSE(Metric(m, "probe_mcp_events_total",
                     {{"target", "limited"}, {"kind", "rate_limit_not_enforced"}})
                  .has_value());
  // The bursts are not runs, and the regular runs were never limited: both targets stay up.
  CHECK(StateOf(m, "limited") == "up");
  CHECK(StateOf(m, "open") == "up");
  CHECK(RunsOf(RunsByClass(m, "limited"), "rate_limited") == 0);

  REQUIRE(PollUntil(
      [&] {
        for (const auto& req : rx.RequestsTo("/hook")) {
          json b = json::parse(req.body, nullptr, false);
          if (!b.is_discarded() && b.value("alert", "") == "RateLimitNotEnforced" &&
              b.value("target", "") == "open") {
            return true;
          }
        }
        return false;
      },
      10s));
  for (const auto& req : rx.RequestsTo("/hook")) {
    json b = json::parse(req.body, nullptr, false);
    if (b.value("alert", "") == "RateLimitNotEnforced") CHECK(b["target"] == "open");
  }
}
