// Issue 11, item 2 end to end: a deploy that breaks the configured tool call is named as the
// cause of the failures in the alert of every notifier (webhook, Slack), in `mcpwatch status`
// (text and --json) and /api/v1/targets, and still after the daemon restarts, from the stored
// deploy and drift events.
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/alerts/receiver.h"
#include "tests/integration/serve/detection_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using mcpwatch::alerts::test::Receiver;
using nlohmann::json;

namespace {

constexpr const char* kCause = "tool calls failing since deploy 1.0.0 → 2.0.0 at ";

std::string WriteCauseConfig(const TempDir& dir, int port, const std::string& url, int rx_port) {
  std::string config =
      WriteConfig(dir, port, {{"svc", url, "tool_call: {name: echo, arguments: {message: hi}}"}});
  const std::string rx = "http://127.0.0.1:" + std::to_string(rx_port);
  AppendYaml(config, "alerting:\n  notifiers:\n    - {name: ops, type: webhook, url: " + rx +
                         "/hook, timeout: 2s}\n    - {name: chat, type: slack, "
                         "webhook_url_env: SLACK_URL, timeout: 2s}\n  routes: [{notify: [ops, "
                         "chat]}]\n  rules: [{name: ToolCallsFailing, for: 0s}]");
  return config;
}

Subprocess StartWithSlack(const std::string& config, int rx_port) {
  Subprocess p =
      Subprocess::Start({McpwatchBinary(), "serve", "--config", config},
                        {"SLACK_URL=http://127.0.0.1:" + std::to_string(rx_port) + "/slack"});
  if (!p.WaitForLine("ready targets=", 20s)) {
    throw std::runtime_error("daemon did not become ready: " + p.Stdout() + p.Stderr());
  }
  return p;
}

// The bodies a receiver path got for the firing ToolCallsFailing alert.
std::vector<json> FiringBodies(const Receiver& rx, const std::string& path) {
  std::vector<json> out;
  for (const auto& req : rx.RequestsTo(path)) {
    json b = json::parse(req.body, nullptr, false);
    if (b.is_discarded()) continue;
    const bool hook =
        b.value("alert", "") == "ToolCallsFailing" && b.value("status", "") == "firing";
    const bool slack = b.value("text", "").find("[FIRING] ToolCallsFailing") != std::string::npos;
    if (hook || slack) out.push_back(b);
  }
  return out;
}

json StatusRow(const std::string& config) {
  auto r = RunProcess({McpwatchBinary(), "status", "--config", config, "--json"}, 30s);
  json rows = json::parse(r.out, nullptr, false);
  return rows.is_array() && rows.size() == 1 ? rows[0] : json();
}

bool NamesCause(const json& v) {
  return v.is_string() && v.get<std::string>().rfind(kCause, 0) == 0;
}

}  // namespace

TEST_CASE(
    "the cause of failures after a deploy reaches every notifier, status and the API, and "
    "survives a restart",
    "[detection][deploy]") {
  RestartableFixture server({"--server-version", "1.0.0", "--tools", "echo,add"});
  Receiver rx(FreePort());
  TempDir dir;
  const int port = FreePort();
  const std::string config = WriteCauseConfig(dir, port, server.Url(), rx.port());
  std::optional<Subprocess> daemon(StartWithSlack(config, rx.port()));
  REQUIRE(PollUntil([&] { return UpAfterOkRuns(port, "svc"); }, 20s));

  server.Stop();
  server.Start({"--server-version", "2.0.0", "--tools", "echo", "--echo-arg", "sku"});
  REQUIRE(PollUntil(
      [&] { return !FiringBodies(rx, "/hook").empty() && !FiringBodies(rx, "/slack").empty(); },
      30s));
  const json hook = FiringBodies(rx, "/hook").front();
  INFO(hook.dump(2));
  CHECK_THAT(hook["description"].get<std::string>(), Catch::Contains(kCause) &&
                                                         Catch::Contains("add removed") &&
                                                         Catch::Contains("Last error: "));
  CHECK(NamesCause(hook["diagnosis"]));
  const json slack = FiringBodies(rx, "/slack").front();
  CHECK_THAT(slack["text"].get<std::string>(), Catch::Contains(kCause));
  CHECK_THAT(slack["blocks"][0]["text"]["text"].get<std::string>(), Catch::Contains(kCause));

  json row = StatusRow(config);
  INFO(row.dump());
  CHECK(row["last_class"] == "tool_error");
  CHECK(NamesCause(row["diagnosis"]));
  auto text = RunProcess({McpwatchBinary(), "status", "--config", config}, 30s);
  CHECK_THAT(text.out, Catch::Contains(std::string("  ↳ ") + kCause));
  json api = json::parse(
      HttpGet("http://127.0.0.1:" + std::to_string(port) + "/api/v1/targets").body, nullptr, false);
  REQUIRE(api.is_array());
  REQUIRE(api.size() == 1);
  CHECK(api[0]["diagnosis"] == row["diagnosis"]);

  // A restart: the trackers start from the stored history, and the runs after it still name
  // the deploy (the cause comes back from the stored events, it does not vanish).
  daemon->Signal(SIGTERM);
  REQUIRE(daemon->Wait(30s).has_value());
  daemon.reset();
  const int before = TotalRuns(dir.File("history.db"));
  daemon.emplace(StartWithSlack(config, rx.port()));
  REQUIRE(PollUntil([&] { return TotalRuns(dir.File("history.db")) >= before + 2; }, 20s));
  auto runs = json::parse(
      RunProcess({McpwatchBinary(), "history", "svc", "--config", config, "--json"}, 30s).out);
  REQUIRE(runs.size() >= 2);
  INFO(runs[0].dump());
  CHECK(runs[0]["class"] == "tool_error");
  CHECK(NamesCause(runs[0]["diagnosis"]));
  CHECK(NamesCause(StatusRow(config)["diagnosis"]));
}
