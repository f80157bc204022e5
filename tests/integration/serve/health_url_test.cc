// Issue 11, item 5 end to end: a target with a health_url gets its own health endpoint fetched
// beside every run. Health green while the tool calls fail is a diagnosis on the run and the
// state change, a gauge and a HealthGreenMcpFailing alert; a draining health endpoint (503 with
// Retry-After) is named too.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/integration/alerts/receiver.h"
#include "tests/integration/serve/detection_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using mcpwatch::alerts::test::Receiver;
using nlohmann::json;

namespace {

std::string HealthUrl(const Fixture& f) {
  return "http://127.0.0.1:" + std::to_string(f.port()) + "/health";
}

json NewestRun(const std::string& config, const std::string& target) {
  auto r = RunProcess({McpwatchBinary(), "history", target, "--config", config, "--json"}, 30s);
  json runs = json::parse(r.out, nullptr, false);
  return runs.is_array() && !runs.empty() ? runs[0] : json();
}

}  // namespace

TEST_CASE("health green while the tool calls fail is a diagnosis, a gauge and an alert",
          "[health]") {
  // The tool call's configured arguments do not fit (echo wants sku): every run fails at the
  // tool call while GET /health stays 200, as a SELECT 1 check would.
  Fixture broken{{"--echo-arg", "sku"}};
  Fixture healthy;
  Receiver rx(FreePort());
  TempDir dir;
  const int port = FreePort();
  const std::string call = "tool_call: {name: echo, arguments: {message: hi}}";
  std::string config =
      WriteConfig(dir, port,
                  {{"broken", broken.Url(), call + "\n    health_url: " + HealthUrl(broken)},
                   {"healthy", healthy.Url(), call + "\n    health_url: " + HealthUrl(healthy)},
                   {"plain", healthy.Url(), call}});
  AppendYaml(config,
             "alerting:\n  notifiers:\n    - {name: ops, type: webhook, url: " + rx.Url("/hook") +
                 ", timeout: 2s}\n  routes: [{notify: [ops]}]\n"
                 "  rules: [{name: HealthGreenMcpFailing, for: 0s}]");
  Subprocess daemon = StartDaemon(config);

  REQUIRE(PollUntil([&] { return StateOf(MetricsText(port), "broken") == "down"; }, 20s));
  const std::string m = MetricsText(port);
  CHECK(Metric(m, "probe_mcp_health_status_code", {{"target", "broken"}}) == 200.0);
  CHECK(Metric(m, "probe_mcp_health_status_code", {{"target", "healthy"}}) == 200.0);
  CHECK_FALSE(Metric(m, "probe_mcp_health_status_code", {{"target", "plain"}}).has_value());
  CHECK(StateOf(m, "healthy") == "up");

  json run = NewestRun(config, "broken");
  INFO(run.dump(2));
  CHECK(run["class"] == "tool_error");
  CHECK(run["health"]["status_code"] == 200);
  CHECK_THAT(run["diagnosis"].get<std::string>(),
             Catch::Contains("health endpoint green (HTTP 200) while MCP fails (tool_error)"));
  json ok_run = NewestRun(config, "healthy");
  CHECK(ok_run["health"]["status_code"] == 200);
  CHECK(ok_run["diagnosis"] == "");  // they agree: nothing to say
  CHECK(NewestRun(config, "plain")["health"].is_null());

  auto changes = EventsOfKind(StoredEvents(config), "state_change", "broken");
  REQUIRE_FALSE(changes.empty());
  CHECK(changes[0]["details"]["to"] == "down");
  CHECK_THAT(changes[0]["details"]["reason"].get<std::string>(),
             Catch::Contains("health endpoint green (HTTP 200)"));

  REQUIRE(PollUntil(
      [&] {
        for (const auto& req : rx.RequestsTo("/hook")) {
          json b = json::parse(req.body, nullptr, false);
          if (!b.is_discarded() && b.value("alert", "") == "HealthGreenMcpFailing" &&
              b.value("target", "") == "broken" && b.value("status", "") == "firing") {
            return true;
          }
        }
        return false;
      },
      20s));
  for (const auto& req : rx.RequestsTo("/hook")) {
    json b = json::parse(req.body, nullptr, false);
    if (b.value("alert", "") != "HealthGreenMcpFailing") continue;
    CHECK(b["target"] == "broken");  // never the healthy or the plain target
    CHECK_THAT(b["description"].get<std::string>(),
               Catch::Contains("own health endpoint answers HTTP 200 while its MCP runs fail"));
  }
}

TEST_CASE("a health endpoint answering 503 with Retry-After is named as draining", "[health]") {
  Fixture draining{{"--health-status", "503", "--health-retry-after", "30"}};
  TempDir dir;
  const int port = FreePort();
  std::string config =
      WriteConfig(dir, port, {{"svc", draining.Url(), "health_url: " + HealthUrl(draining)}});
  Subprocess daemon = StartDaemon(config);
  REQUIRE(PollUntil([&] { return UpAfterOkRuns(port, "svc"); }, 20s));
  json run = NewestRun(config, "svc");
  INFO(run.dump(2));
  CHECK(run["class"] == "ok");
  CHECK(run["health"]["status_code"] == 503);
  CHECK(run["diagnosis"] == "health 503 (draining, Retry-After 30)");
  CHECK(Metric(MetricsText(port), "probe_mcp_health_status_code", {{"target", "svc"}}) == 503.0);

  // The one-shot probe fetches it too.
  auto probe = RunProcess(
      {McpwatchBinary(), "probe", draining.Url(), "--health-url", HealthUrl(draining), "--json"},
      30s);
  INFO(probe.out << probe.err);
  json j = json::parse(probe.out, nullptr, false);
  REQUIRE(j.is_object());
  CHECK(j["health"]["status_code"] == 503);
  CHECK(j["health"]["retry_after"] == "30");
  CHECK(j["diagnosis"] == "health 503 (draining, Retry-After 30)");
}
