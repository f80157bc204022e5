// The legacy HTTP+SSE transport (2024-11-05) under faults: `mcpwatch probe --transport sse`
// against mcp_fixture's /sse endpoint, same classes and exit codes as Streamable HTTP.
#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

ProbeOutcome ProbeSse(const Fixture& fx, std::vector<std::string> args = {}) {
  args.insert(args.begin(), {"--transport", "sse", "--timeout", "3s"});
  return RunProbe(fx.SseUrl(), args);
}

}  // namespace

TEST_CASE("faults legacy: a healthy /sse endpoint is ok over the sse transport", "[faults]") {
  Fixture fx;
  auto o = ProbeSse(
      fx, {"--tool", "echo", "--args", R"({"message":"hi"})", "--expect-text", "Echo: hi"});
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["transport"] == "sse");
  CHECK(o.Step("tool_call")["ok"] == true);
}

TEST_CASE("faults legacy: the auto transport picks sse for an /sse URL", "[faults]") {
  Fixture fx;
  auto o = RunProbe(fx.SseUrl());
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["transport"] == "sse");
}

TEST_CASE("faults legacy: each fault keeps its class over the legacy transport", "[faults]") {
  struct Case {
    std::vector<std::string> flags;
    std::string cls;
    int exit_code;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {{"--fault", "status:503"}, "unavailable", 6, {"initialize", "HTTP 503", "Retry-After 7"}},
      {{"--fault", "status:401"}, "auth_failure", 3, {"initialize", "HTTP 401"}},
      {{"--fault", "init-error"},
       "initialize_failure",
       6,
       {"initialize", "JSON-RPC error -32603: database unavailable"}},
      {{"--fault", "truncated-json"}, "protocol_error", 6, {"initialize", "not valid JSON"}},
      {{"--fault", "session-lost"},
       "session_error",
       6,
       {"notifications/initialized", "HTTP 404", "Session not found"}},
      {{"--fault", "tools-list-error"}, "tools_list_failure", 6, {"tools/list", "-32603"}},
      {{"--fault", "reset"}, "connection_reset", 4, {"initialize", "dropped mid-exchange"}},
      {{"--fault", "hang"}, "timeout", 4, {"initialize", "deadline"}},
  };
  for (const auto& c : cases) {
    Fixture fx(c.flags);
    auto o = ProbeSse(fx);
    INFO("fixture " << nlohmann::json(c.flags).dump());
    ExpectVerdict(o, c.cls, c.exit_code, c.parts);
    CHECK(o.j["transport"] == "sse");
    CHECK(o.elapsed < seconds(7));
  }
}

TEST_CASE("faults legacy: tool failures over the legacy transport", "[faults]") {
  Fixture fx({"--tools", "echo,fail,db_error"});
  SECTION("db_error") {
    auto o = ProbeSse(fx, {"--tool", "db_error"});
    ExpectVerdict(o, "tool_error", 5, {"tools/call", "column items.price does not exist"});
  }
  SECTION("missing tool") {
    auto o = ProbeSse(fx, {"--tool", "get_item"});
    ExpectVerdict(o, "tool_missing", 5, {"tools/call", "get_item"});
  }
}

TEST_CASE("faults legacy: a closed port behind an /sse URL is connection_refused", "[faults]") {
  auto o =
      RunProbe("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/sse", {"--transport", "sse"});
  ExpectVerdict(o, "connection_refused", 4, {"initialize", "connection refused"});
  CHECK(o.elapsed < milliseconds(5000));
}
