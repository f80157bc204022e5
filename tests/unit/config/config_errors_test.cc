// Every kind of config mistake, each reported with its exact position and wording.
#include <catch2/catch.hpp>

#include "tests/unit/config/config_test_util.h"

namespace mcpwatch {
namespace {

using testing::ErrorsOf;

struct ErrorCase {
  const char* what;
  const char* yaml;
  const char* error;    // the one error expected, as ToString prints it
  bool prefix = false;  // error is only the start (the rest comes from the C++ library)
};

// A valid target block most cases build on (lines 1-3).
#define TARGET "targets:\n  - name: shop\n    url: https://mcp.example.com/mcp\n"

const ErrorCase kCases[] = {
    {"unknown key with suggestion", TARGET "    intreval: 30s\n",
     "t.yaml:4:5: unknown key \"intreval\" in target \"shop\" (did you mean \"interval\"?)"},
    {"unknown key without suggestion", TARGET "    colour: blue\n",
     "t.yaml:4:5: unknown key \"colour\" in target \"shop\""},
    {"unknown top-level key", "listne: 127.0.0.1:1\n" TARGET,
     "t.yaml:1:1: unknown key \"listne\" at top level (did you mean \"listen\"?)"},
    {"duplicate key", TARGET "    interval: 30s\n    interval: 40s\n",
     "t.yaml:5:5: duplicate key \"interval\" in target \"shop\""},
    {"wrong type: list for a string", TARGET "    transport: [sse]\n",
     "t.yaml:4:16: \"transport\" in target \"shop\" must be a string, not a list"},
    {"wrong type: string for a map", TARGET "    labels: payments\n",
     "t.yaml:4:13: \"labels\" in target \"shop\" must be a mapping, not \"payments\""},
    {"wrong type: targets not a list", "targets: {name: shop}\n",
     "t.yaml:1:10: targets must be a list, not a mapping"},
    {"wrong type: integer", "scheduler: {max_inflight: many}\n" TARGET,
     "t.yaml:1:27: \"max_inflight\" in scheduler must be a whole number from 1 to 100000, not "
     "\"many\""},
    {"wrong type: boolean",
     TARGET "alerting:\n  notifiers: [{name: a, type: webhook, url: \"http://127.0.0.1:1/\"}]\n"
            "  routes: [{notify: [a], continue: perhaps}]\n",
     "t.yaml:6:36: \"continue\" in routes[0] must be true or false, not \"perhaps\""},
    {"bad duration", TARGET "    interval: 10\n",
     "t.yaml:4:15: bad duration for \"interval\" in target \"shop\": \"10\" has no unit (use e.g. "
     "10s)"},
    {"bad duration in detection", "detection: {confirm_after: 5 s}\n" TARGET,
     "t.yaml:1:28: bad duration for \"confirm_after\" in detection: \"5 s\": spaces are not "
     "allowed (write e.g. 1h30m)"},
    {"duplicate target name", TARGET "  - name: shop\n    url: https://b.example.com/mcp\n",
     "t.yaml:4:11: duplicate target name \"shop\" (first defined at line 2)"},
    {"missing name", "targets:\n  - url: https://mcp.example.com/mcp\n",
     "t.yaml:2:5: missing key \"name\" in targets[0]"},
    {"missing url", "targets:\n  - name: shop\n",
     "t.yaml:2:5: missing key \"url\" in target \"shop\""},
    {"bad target name", "targets:\n  - name: shop floor\n    url: https://a.example/\n",
     "t.yaml:2:11: bad target name \"shop floor\" in targets[0] (use 1 to 64 of A-Z a-z 0-9 _ . "
     "-)"},
    {"bad url scheme", "targets:\n  - name: shop\n    url: ftp://mcp.example.com/mcp\n",
     "t.yaml:3:10: bad url in target \"shop\": scheme \"ftp\" is not supported (use http or "
     "https)"},
    {"url without scheme", "targets:\n  - name: shop\n    url: mcp.example.com/mcp\n",
     "t.yaml:3:10: bad url in target \"shop\": it needs a scheme (http:// or https://)"},
    {"url with userinfo", "targets:\n  - name: shop\n    url: https://bob:hunter2@a.example/mcp\n",
     "t.yaml:3:10: bad url in target \"shop\": credentials in URLs are refused (use headers, "
     "bearer_token_env or bearer_token_file)"},
    {"bad transport", TARGET "    transport: websocket\n",
     "t.yaml:4:16: bad transport \"websocket\" in target \"shop\" (use auto, streamable-http or "
     "sse)"},
    {"timeout >= interval", TARGET "    interval: 10s\n    timeout: 10s\n",
     "t.yaml:5:14: timeout (10s) must be less than interval (10s) in target \"shop\""},
    {"timeout >= inherited interval",
     "defaults: {interval: 5s, timeout: 1s}\n" TARGET "    timeout: 6s\n",
     "t.yaml:5:14: timeout (6s) must be less than interval (5s) in target \"shop\""},
    {"timeout >= interval in defaults", "defaults: {interval: 5s, timeout: 5s}\n" TARGET,
     "t.yaml:1:35: timeout (5s) must be less than interval (5s) in defaults"},
    {"zero interval", TARGET "    interval: 0\n",
     "t.yaml:4:15: \"interval\" in target \"shop\" must be more than 0"},
    {"bad regex", TARGET "    tool_call: {name: get_item, expect_text: \"price[\"}\n",
     "t.yaml:4:46: bad regex in expect_text in tool_call of target \"shop\": ", true},
    {"tool_call without name", TARGET "    tool_call: {arguments: {id: 1}}\n",
     "t.yaml:4:16: missing key \"name\" in tool_call of target \"shop\""},
    {"bearer env and file", TARGET "    bearer_token_env: TOKEN\n    bearer_token_file: /t\n",
     "t.yaml:5:24: bearer_token_env and bearer_token_file are both set in target \"shop\" "
     "(choose one)"},
    {"bad env var name", TARGET "    bearer_token_env: SHOP-TOKEN\n",
     "t.yaml:4:23: bearer_token_env in target \"shop\": \"SHOP-TOKEN\" is not an environment "
     "variable name ([A-Za-z_][A-Za-z0-9_]*)"},
    {"bad env var name in notifier",
     TARGET "alerting:\n  notifiers: [{name: ops, type: webhook, url: \"http://127.0.0.1:1/\", "
            "secret_env: 1SECRET}]\n",
     "t.yaml:5:82: secret_env in notifier \"ops\": \"1SECRET\" is not an environment variable "
     "name ([A-Za-z_][A-Za-z0-9_]*)"},
    {"bad label name", TARGET "    labels: {team-name: payments}\n",
     "t.yaml:4:13: bad label name \"team-name\" in target \"shop\" (use [a-zA-Z_][a-zA-Z0-9_]*, "
     "not starting with __)"},
    {"bad header name", TARGET "    headers: {\"X Probe\": yes}\n",
     "t.yaml:4:14: bad header name \"X Probe\" in target \"shop\""},
    {"bad listen", "listen: 9464\n" TARGET,
     "t.yaml:1:9: bad listen address \"9464\": expected host:port, e.g. 127.0.0.1:9464"},
    {"unbracketed IPv6 listen", "listen: \"::1:9464\"\n" TARGET,
     "t.yaml:1:9: bad listen address \"::1:9464\": put an IPv6 address in brackets, e.g. "
     "[::1]:9464"},
    {"listen port out of range", "listen: 127.0.0.1:70000\n" TARGET,
     "t.yaml:1:9: bad listen address \"127.0.0.1:70000\": the port must be a number from 0 to "
     "65535"},
    {"missing targets", "listen: 127.0.0.1:9464\n",
     "t.yaml:1:1: missing key \"targets\" at top level (a list of targets to probe)"},
    {"YAML syntax error", "targets: [\n  {name: shop\n",
     "t.yaml:3:1: YAML syntax error: end of map flow not found"},
    {"empty file", "", "t.yaml: the config file is empty (it needs at least targets)"},
    // fuzz_config's input: yaml-cpp 0.7's LoadAll never returned on it, eating all memory.
    {"a stray comma", ",{,", "t.yaml:1:1: YAML syntax error: unexpected ','"},
    {"only a comma", ",\n", "t.yaml:1:1: YAML syntax error: unexpected ','"},
    {"top level not a map", "- a\n- b\n",
     "t.yaml:1:1: the config file's top level must be a mapping, not a list"},
    {"two documents", TARGET "---\n" TARGET,
     "t.yaml:5:1: the config file must hold a single YAML document"},
    {"down_after beyond window", "detection: {window: 3, down_after: 4}\n" TARGET,
     "t.yaml:1:36: \"down_after\" in detection (4) cannot exceed window (3)"},
    {"unknown detection key", "detection: {spike_facter: 2}\n" TARGET,
     "t.yaml:1:13: unknown key \"spike_facter\" in detection (did you mean \"spike_factor\"?)"},
    {"unknown max_latency key", TARGET "    max_latency: {tool: 2s}\n",
     "t.yaml:4:19: unknown key \"tool\" in max_latency in target \"shop\" (did you mean "
     "\"total\"?)"},
    {"maintenance without start", TARGET "    maintenance: [{duration: 1h}]\n",
     "t.yaml:4:19: maintenance window in maintenance[0] in target \"shop\" needs either start "
     "(one-off, RFC 3339) or cron_weekdays with start_time (weekly), not neither"},
    {"maintenance bad timestamp",
     TARGET "    maintenance: [{start: \"2026-12-01 02:00\", duration: 1h}]\n",
     "t.yaml:4:27: bad start in maintenance[0] in target \"shop\": \"2026-12-01 02:00\" is not an "
     "RFC 3339 timestamp (expected HH:MM:SS; e.g. 2026-12-01T02:00:00Z)"},
    {"maintenance bad weekday",
     "maintenance: [{cron_weekdays: [sat, caturday], start_time: \"03:00\", duration: "
     "1h}]\n" TARGET,
     "t.yaml:1:31: unknown weekday \"caturday\" in maintenance[0] at top level (use mon, tue, "
     "wed, thu, fri, sat, sun)"},
    {"maintenance bad start_time",
     "maintenance: [{cron_weekdays: [sat], start_time: \"25:00\", duration: 1h}]\n" TARGET,
     "t.yaml:1:50: start_time \"25:00\" in maintenance[0] at top level must be HH:MM (24-hour), "
     "e.g. \"03:00\""},
    {"maintenance named timezone",
     "maintenance: [{cron_weekdays: [sat], start_time: \"03:00\", duration: 1h, timezone: "
     "Europe/Berlin}]\n" TARGET,
     "t.yaml:1:83: timezone \"Europe/Berlin\" is not supported (use UTC or a fixed offset such as "
     "+01:00) in maintenance[0] at top level"},
};

TEST_CASE("each config mistake is reported with its position", "[config][errors]") {
  for (const ErrorCase& c : kCases) {
    INFO(c.what);
    INFO(c.yaml);
    const std::vector<std::string> errors = ErrorsOf(c.yaml);
    if (c.prefix) {
      REQUIRE(errors.size() == 1);
      CHECK(errors[0].starts_with(c.error));
      CHECK(errors[0].size() > std::string_view(c.error).size());
    } else {
      CHECK(errors == std::vector<std::string>{c.error});
    }
  }
}

}  // namespace
}  // namespace mcpwatch
