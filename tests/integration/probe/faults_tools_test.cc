// Tool-layer failure classes (tools_list_failure, tool_missing, tool_error) and the SSE
// pitfalls a probe must survive (noise, line endings, early close and resume, sloppy
// notification answers), over real loopback sockets against mcp_fixture.
#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;

namespace {

const std::vector<std::string> kEcho = {
    "--tool", "echo", "--args", R"({"message":"hi"})", "--expect-text", "^Echo: hi$"};

}  // namespace

TEST_CASE("faults: tools/list errors and invalid tools are tools_list_failure, exit 6",
          "[faults]") {
  SECTION("JSON-RPC error") {
    Fixture fx({"--fault", "tools-list-error"});
    auto o = RunProbe(fx.Url());
    ExpectVerdict(o, "tools_list_failure", 6, {"tools/list", "JSON-RPC error -32603"});
    CHECK(o.Step("tools_list")["jsonrpc_code"] == -32603);
  }
  SECTION("invalid definitions, each problem named") {
    Fixture fx({"--fault", "invalid-tools"});
    auto o = RunProbe(fx.Url());
    ExpectVerdict(o, "tools_list_failure", 6,
                  {"tools/list", "invalid tool definitions", "has no name",
                   "inputSchema is not an object", "duplicate tool name \"echo\""});
    CHECK(o.j["tools"]["count"].is_null());
  }
}

TEST_CASE("faults: a tool the server does not offer is tool_missing, exit 5", "[faults]") {
  Fixture fx({"--tools", "echo,add"});
  auto o = RunProbe(fx.Url(), {"--tool", "get_item", "--args", R"({"id":1})"});
  ExpectVerdict(o, "tool_missing", 5, {"tools/call", "\"get_item\" is not offered", "2 tools"});
  CHECK(o.Step("tool_call")["http_status"].is_null());
  CHECK(o.Step("tools_list")["ok"] == true);
}

TEST_CASE("faults: failing tool calls are tool_error, exit 5", "[faults]") {
  Fixture fx({"--tools", "echo,fail,db_error"});
  SECTION("isError: true") {
    auto o = RunProbe(fx.Url(), {"--tool", "fail"});
    ExpectVerdict(o, "tool_error", 5, {"tools/call", "isError", "simulated tool failure"});
  }
  SECTION("JSON-RPC -32603 from a broken migration") {
    auto o = RunProbe(fx.Url(), {"--tool", "db_error"});
    ExpectVerdict(o, "tool_error", 5,
                  {"tools/call", "-32603", "column items.price does not exist"});
    CHECK(o.Step("tool_call")["jsonrpc_code"] == -32603);
  }
  SECTION("a result that fails --expect-text") {
    auto o = RunProbe(fx.Url(), {"--tool", "echo", "--args", R"({"message":"hi"})", "--expect-text",
                                 "price: [0-9]+"});
    ExpectVerdict(o, "tool_error", 5, {"tools/call", "does not match /price: [0-9]+/", "Echo: hi"});
  }
  SECTION("the same tool with a matching assertion passes") {
    auto o = RunProbe(fx.Url(), kEcho);
    ExpectVerdict(o, "ok", 0, {});
  }
}

// The Python SDK's FastMCP result shape (text block + structuredContent {"result": text}):
// ^...$ matches the text block on its own, and a mismatch names each part it tried.
TEST_CASE("faults: expect_text on a FastMCP-shaped result matches one part, not all joined",
          "[faults][issue13]") {
  Fixture fx({"--structured-result", "--response", GENERATE(as<std::string>{}, "json", "sse")});
  auto ok = RunProbe(fx.Url(), kEcho);
  ExpectVerdict(ok, "ok", 0, {});
  auto miss = RunProbe(fx.Url(), {"--tool", "echo", "--args", R"({"message":"hi"})",
                                  "--expect-text", "^Echo: bye$"});
  ExpectVerdict(miss, "tool_error", 5,
                {"does not match /^Echo: bye$/", "text block 1 \"Echo: hi\"",
                 "structuredContent"});
}

// Issue 11: a deploy renamed echo's required property; the configured call no longer fits, and
// the run says how besides quoting the server's validation error.
TEST_CASE("faults: arguments that no longer fit the tool's schema are named", "[faults]") {
  Fixture fx({"--echo-arg", "sku"});
  auto o = RunProbe(fx.Url(), {"--tool", "echo", "--args", R"({"message":"hi"})"});
  ExpectVerdict(o, "tool_error", 5,
                {"tools/call", "Invalid arguments for tool echo",
                 "the configured arguments no longer fit echo's input schema: sku (string) is "
                 "required; message is not in the schema"});
}

TEST_CASE("faults: SSE noise passes with every line ending", "[faults]") {
  auto eol = GENERATE(as<std::string>{}, "lf", "crlf", "cr");
  Fixture fx({"--sse-noise", "--sse-eol", eol});
  auto o = RunProbe(fx.Url(), kEcho);
  INFO("eol " << eol);
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.Step("tool_call")["ok"] == true);
}

TEST_CASE("faults: a stream closed before the response is resumed", "[faults]") {
  // sse-close-early: the tools/call stream sends a primed event id and closes; the answer
  // comes on GET with Last-Event-ID.
  Fixture fx({"--fault", "sse-close-early"});
  auto o = RunProbe(fx.Url(), kEcho);
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.Step("tool_call")["attempts"] == 2);
  CHECK(o.Step("initialize")["attempts"].is_null());
}

TEST_CASE("faults: a 200 with a body for notifications/initialized passes", "[faults]") {
  Fixture fx({"--fault", "sloppy-notifications"});
  auto o = RunProbe(fx.Url(), kEcho);
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.Step("initialized")["http_status"] == 200);
}
