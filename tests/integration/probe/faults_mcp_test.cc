// MCP-layer failure classes (protocol_error, initialize_failure, session_error) and the modern
// (2026-07-28) server over real loopback sockets: `mcpwatch probe --json` against mcp_fixture.
#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;
using std::chrono::seconds;

namespace {

struct ProtocolCase {
  std::vector<std::string> fixture_flags;
  std::vector<std::string> error_parts;
};

}  // namespace

TEST_CASE("faults: broken 200 responses are protocol_error naming the cause, exit 6", "[faults]") {
  const std::vector<ProtocolCase> cases = {
      {{"--fault", "html"}, {"initialize", "content type \"text/html\"", "<!DOCTYPE html>"}},
      {{"--fault", "wrong-content-type"},
       {"initialize", "content type \"text/plain\"", "neither application/json"}},
      {{"--fault", "truncated-json"}, {"initialize", "SSE event data is not valid JSON"}},
      {{"--fault", "truncated-json", "--response", "json"},
       {"initialize", "response body is not valid JSON"}},
      {{"--fault", "malformed-json"}, {"initialize", "not valid JSON"}},
      {{"--fault", "malformed-json", "--response", "json"},
       {"initialize", "response body is not valid JSON"}},
      {{"--fault", "malformed-sse"}, {"initialize", "an SSE event exceeded 4194304 bytes"}},
      {{"--fault", "id-mismatch", "--response", "json"},
       {"initialize", "response carries id 1002, not the request's"}},
      // Over SSE the prober first tries to resume the stream; the foreign id stays the cause.
      {{"--fault", "id-mismatch"}, {"initialize", "response carries id 1002, not the request's"}},
      {{"--fault", "oversize", "--response", "json"},
       {"initialize", "response body exceeded 4194304 bytes"}},
      {{"--fault", "oversize"}, {"initialize", "exceeded 4194304 bytes"}},
      {{"--fault", "malformed-json", "--fault-step", "tools_list"},
       {"tools/list", "not valid JSON"}},
      {{"--fault", "html", "--fault-step", "ping"}, {"ping", "text/html"}},
  };
  for (const auto& c : cases) {
    Fixture fx(c.fixture_flags);
    auto o = RunProbe(fx.Url());
    INFO("fixture " << nlohmann::json(c.fixture_flags).dump());
    ExpectVerdict(o, "protocol_error", 6, c.error_parts);
    CHECK(o.elapsed < seconds(8));
  }
}

TEST_CASE("faults: initialize errors and bad results are initialize_failure, exit 6", "[faults]") {
  const std::vector<ProtocolCase> cases = {
      {{"--fault", "init-error"}, {"initialize", "JSON-RPC error -32603: database unavailable"}},
      {{"--fault", "bad-version"},
       {"initialize", "protocol version \"1999-01-01\"", "does not speak"}},
      {{"--fault", "no-serverinfo"}, {"initialize", "no serverInfo"}},
      {{"--fault", "init-error", "--response", "json"}, {"initialize", "-32603"}},
  };
  for (const auto& c : cases) {
    Fixture fx(c.fixture_flags);
    auto o = RunProbe(fx.Url());
    INFO("fixture " << nlohmann::json(c.fixture_flags).dump());
    ExpectVerdict(o, "initialize_failure", 6, c.error_parts);
    CHECK(o.j["server"]["name"] == "");
  }
}

TEST_CASE("faults: a session dropped after initialize is session_error, exit 6", "[faults]") {
  Fixture fx({"--fault", "session-lost"});
  auto o = RunProbe(fx.Url());
  ExpectVerdict(
      o, "session_error", 6,
      {"notifications/initialized", "HTTP 404", "rejected the live session", "Session not found"});
  CHECK(o.Step("initialize")["ok"] == true);
  CHECK(o.j["server"]["name"] == "mcp-fixture");
}

TEST_CASE("faults: a modern-only (2026-07-28) server is probed the modern way and is ok",
          "[faults][modern]") {
  // The fixture answers initialize with HTTP 400 and JSON-RPC -32022 "Unsupported protocol
  // version" (data.supported ["2026-07-28"]) and serves server/discover, tools/list and
  // tools/call statelessly, answering 400 when a required header or _meta member is missing.
  // The prober recognises the modern error, does not fall back to legacy SSE, and continues
  // the same run over POSTs; initialized, ping and close do not exist in this era.
  auto response = GENERATE(as<std::string>{}, "sse", "json");
  Fixture fx({"--protocol-era", "modern", "--response", response, "--server-version", "3.2.1"});
  auto o = RunProbe(
      fx.Url(), {"--tool", "echo", "--args", R"({"message":"hi"})", "--expect-text", "^Echo: hi$"});
  INFO("response " << response);
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["era"] == "modern");
  CHECK(o.j["transport"] == "streamable-http");
  CHECK(o.j["protocol_version"] == "2026-07-28");
  CHECK(o.j["server"]["name"] == "mcp-fixture");
  CHECK(o.j["server"]["version"] == "3.2.1");
  CHECK(o.j["tools"]["count"] == 2);
  std::vector<std::string> steps;
  for (const auto& s : o.j["steps"]) steps.push_back(s["name"].get<std::string>());
  CHECK(steps == std::vector<std::string>{"initialize", "tools_list", "tool_call"});
  CHECK(o.Step("initialize")["ok"] == true);
  CHECK(o.Step("tool_call")["ok"] == true);
  CHECK(o.Step("tool_call")["http_status"] == 200);
}

TEST_CASE("faults: a server that names 2026-07-28 but rejects server/discover is http_error",
          "[faults][modern]") {
  // --fault modern-only on the legacy fixture: initialize is rejected the modern way, but the
  // server has no modern side (server/discover gets the legacy 400 for a missing session).
  Fixture fx({"--fault", "modern-only"});
  auto o = RunProbe(fx.Url());
  ExpectVerdict(o, "http_error", 6, {"server/discover", "HTTP 400", "Mcp-Session-Id"});
  CHECK_THAT(o.Error(), !Catch::Contains("fallback"));
  CHECK(o.j["era"] == "modern");
  CHECK(o.j["steps"].size() == 1);
}
