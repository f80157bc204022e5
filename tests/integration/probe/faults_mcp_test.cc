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
       {"initialize", "response carries id 1001, not the request's"}},
      // Over SSE the prober first tries to resume the stream; the foreign id stays the cause.
      {{"--fault", "id-mismatch"}, {"initialize", "response carries id 1001, not the request's"}},
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

TEST_CASE("faults: a modern-only (2026-07-28) server is classified with the protocol version",
          "[faults]") {
  // The fixture answers initialize with HTTP 400 and JSON-RPC -32022 "Unsupported protocol
  // version" (data.supported ["2026-07-28"]). The prober recognises the modern error code and
  // does not fall back to legacy SSE; it has no modern transport yet, so the honest verdict is
  // the HTTP rejection with the server's own words.
  Fixture fx({"--fault", "modern-only"});
  auto o = RunProbe(fx.Url());
  ExpectVerdict(o, "http_error", 6, {"initialize", "HTTP 400", "Unsupported protocol version"});
  CHECK_THAT(o.Error(), !Catch::Contains("fallback"));
  CHECK(o.Step("initialize")["jsonrpc_code"] == -32022);
}
