// The modern (2026-07-28, stateless) era over real loopback sockets: `mcpwatch probe --json`
// against `mcp_fixture --protocol-era modern`. Every failure keeps today's classes; the
// handshake-only steps (initialized, ping, close) are absent, never failed.
#include <fstream>

#include "tests/integration/probe/faults_support.h"
#include "tests/support/paths.h"

using namespace mcpwatch::test;

namespace {

const std::vector<std::string> kModern = {"--protocol-era", "modern"};

std::vector<std::string> ModernWith(std::vector<std::string> flags) {
  flags.insert(flags.begin(), kModern.begin(), kModern.end());
  return flags;
}

}  // namespace

TEST_CASE("modern: a tool returning isError is tool_error, exit 5", "[faults][modern]") {
  Fixture fx(ModernWith({"--tools", "echo,fail"}));
  auto o = RunProbe(fx.Url(), {"--tool", "fail"});
  ExpectVerdict(o, "tool_error", 5, {"tools/call", "isError", "simulated tool failure"});
  CHECK(o.j["era"] == "modern");
  CHECK(o.Step("tools_list")["ok"] == true);
  CHECK(o.Step("ping").is_null());
}

TEST_CASE("modern: server/discover answering a JSON-RPC error is initialize_failure, exit 6",
          "[faults][modern]") {
  Fixture fx(ModernWith({"--fault", "init-error"}));
  auto o = RunProbe(fx.Url());
  ExpectVerdict(o, "initialize_failure", 6,
                {"server/discover", "JSON-RPC error -32603: database unavailable"});
  CHECK(o.Step("initialize")["jsonrpc_code"] == -32603);
  CHECK(o.j["steps"].size() == 1);
  CHECK(o.j["server"]["name"] == "");
}

TEST_CASE(
    "modern: server/discover without 2026-07-28 in supportedVersions is "
    "initialize_failure",
    "[faults][modern]") {
  Fixture fx(ModernWith({"--protocol-version", "2027-01-01"}));
  auto o = RunProbe(fx.Url());
  ExpectVerdict(o, "initialize_failure", 6,
                {"server/discover", "supportedVersions [\"2027-01-01\"]", "2026-07-28"});
}

TEST_CASE("modern: a tool answering input_required with no configured answer is tool_error",
          "[faults][modern]") {
  Fixture fx(ModernWith({"--fault", "input-required"}));
  auto o = RunProbe(fx.Url(), {"--tool", "echo", "--args", R"({"message":"hi"})"});
  ExpectVerdict(o, "tool_error", 5,
                {"tools/call", "tool asked for input", "no input_responses answer is configured"});
}

TEST_CASE("modern: tools/list errors and HTTP statuses keep today's classes", "[faults][modern]") {
  SECTION("JSON-RPC error on tools/list") {
    Fixture fx(ModernWith({"--fault", "tools-list-error"}));
    auto o = RunProbe(fx.Url());
    ExpectVerdict(o, "tools_list_failure", 6, {"tools/list", "JSON-RPC error -32603"});
  }
  SECTION("pages of tools/list each carry the modern _meta and headers") {
    Fixture fx(ModernWith({"--tools", "echo,add,fail,sleep", "--tools-page-size", "1"}));
    auto o = RunProbe(fx.Url());
    ExpectVerdict(o, "ok", 0, {});
    CHECK(o.j["tools"]["count"] == 4);
  }
  SECTION("503 on the tool call is unavailable, no session_error") {
    Fixture fx(ModernWith({"--fault", "status:503", "--fault-step", "tool_call"}));
    auto o = RunProbe(fx.Url(), {"--tool", "echo", "--args", R"({"message":"hi"})"});
    ExpectVerdict(o, "unavailable", 6, {"tools/call", "HTTP 503"});
  }
}

TEST_CASE("modern: the prober sends only stateless POSTs with the modern headers",
          "[faults][modern]") {
  TempDir dir;
  Fixture fx(ModernWith({"--requests-log", dir.File("requests.jsonl")}));
  auto o = RunProbe(fx.Url(), {"--tool", "add", "--args", R"({"a":2,"b":3})"});
  ExpectVerdict(o, "ok", 0, {});
  std::ifstream log(dir.File("requests.jsonl"));
  std::vector<std::string> methods;
  std::string line;
  while (std::getline(log, line)) {
    const auto entry = nlohmann::json::parse(line);
    INFO(line);
    CHECK(entry["method"] == "POST");
    CHECK(entry["mcp_session_id"].is_null());
    methods.push_back(entry["jsonrpc_method"].get<std::string>());
    CHECK(entry["mcp_protocol_version"] == "2026-07-28");
  }
  // server/discover first (no initialize to learn the era), and no notifications/initialized,
  // ping, GET stream or DELETE.
  CHECK(methods == std::vector<std::string>{"server/discover", "tools/list", "tools/call"});
}

TEST_CASE("modern: the text report shows the era and only the steps that exist",
          "[faults][modern]") {
  Fixture fx(kModern);
  auto r = RunProcess({McpwatchBinary(), "probe", fx.Url()}, std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("protocol 2026-07-28 (modern"));
  CHECK_THAT(r.out, Catch::Contains("server/discover"));
  CHECK_THAT(r.out, Catch::Contains("verdict: ok"));
  CHECK_THAT(r.out, !Catch::Contains("FAIL"));
  CHECK_THAT(r.out, !Catch::Contains("\n  ping "));
  CHECK_THAT(r.out, !Catch::Contains("notifications/initialized"));
  CHECK_THAT(r.out, !Catch::Contains("session close"));
}

TEST_CASE("modern: input_required answered from input_responses completes the tool call",
          "[faults][modern]") {
  Fixture fx(ModernWith({"--fault", "input-required"}));
  auto o = RunProbe(
      fx.Url(),
      With(kEchoFlags, {"--input-responses", R"({"confirm":{"action":"accept","content":{}}})"}));
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.Step("tool_call")["ok"] == true);
}

TEST_CASE("modern: an answer for another input request still leaves the tool asking",
          "[faults][modern]") {
  Fixture fx(ModernWith({"--fault", "input-required"}));
  auto o = RunProbe(fx.Url(), With(kEchoFlags, {"--input-responses", R"({"other":{}})"}));
  ExpectVerdict(o, "tool_error", 5, {"tool asked for input \"confirm\" (elicitation/create)"});
}
