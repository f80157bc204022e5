// Transport-layer failure classes over real loopback sockets: `mcpwatch probe --json` against
// mcp_fixture fault modes, asserting class, exit code (DESIGN §4) and an error naming the step
// and the cause.
#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {}  // namespace

TEST_CASE("faults: a healthy fixture is ok with every step, exit 0", "[faults]") {
  Fixture fx;
  auto o = RunProbe(fx.Url(), With(kEchoFlags, {"--expect-text", "Echo: hi"}));
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.Error().empty());
  CHECK(o.j["server"]["name"] == "mcp-fixture");
  CHECK(o.j["tools"]["count"] == 2);
  std::vector<std::string> names;
  for (const auto& s : o.j["steps"]) {
    names.push_back(s["name"]);
    CHECK(s["ok"] == true);
  }
  CHECK(names == std::vector<std::string>{"initialize", "initialized", "tools_list", "tool_call",
                                          "ping", "close"});
}

TEST_CASE("faults: dns_error for a .invalid name, exit 4, no lookup", "[faults]") {
  auto o = RunProbe("http://mcp.example.invalid/mcp");
  ExpectVerdict(o, "dns_error", 4, {"initialize", "did not resolve", "mcp.example.invalid"});
  CHECK(o.elapsed < seconds(5));
}

TEST_CASE("faults: connection_refused on a closed port, exit 4", "[faults]") {
  auto o = RunProbe("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/mcp");
  ExpectVerdict(o, "connection_refused", 4, {"server/discover", "connection refused"});
  CHECK(o.Step("initialize")["http_status"].is_null());
}

TEST_CASE("faults: connect_timeout when the accept queue is full (blackhole), exit 4", "[faults]") {
  Fixture fx({"--fault", "blackhole"});
  auto o = RunProbe(fx.Url(), {"--timeout", "2s"});
  ExpectVerdict(o, "connect_timeout", 4, {"initialize", "no TCP answer"});
  CHECK(o.elapsed >= milliseconds(1900));
  CHECK(o.elapsed < seconds(6));
}

TEST_CASE("faults: a hung server is timeout at its deadline, exit 4", "[faults]") {
  // hang: request read, never answered. stall-headers: 200 + SSE head, then silence.
  // drip: the response one byte every 200 ms, far slower than the deadline allows.
  auto mode = GENERATE(as<std::string>{}, "hang", "stall-headers", "drip");
  Fixture fx({"--fault", mode});
  auto o = RunProbe(fx.Url(), {"--timeout", "2s"});
  INFO("mode " << mode);
  ExpectVerdict(o, "timeout", 4, {"initialize", "no complete answer before the deadline"});
  CHECK(o.elapsed >= milliseconds(1900));
  CHECK(o.elapsed < seconds(6));
  if (mode == "hang") CHECK(o.Step("initialize")["http_status"].is_null());
  if (mode != "hang") CHECK(o.Step("initialize")["http_status"] == 200);
}

TEST_CASE("faults: a timeout names the step that hung", "[faults]") {
  Fixture fx({"--fault", "hang", "--fault-step", "tool_call"});
  auto o = RunProbe(fx.Url(), With(kEchoFlags, {"--timeout", "2s"}));
  ExpectVerdict(o, "timeout", 4, {"tools/call", "deadline"});
  CHECK(o.Step("initialize")["ok"] == true);
  CHECK(o.Step("tools_list")["ok"] == true);
  CHECK(o.Step("tool_call")["error"] == "timeout");
}

TEST_CASE("faults: connection_reset mid-response, exit 4", "[faults]") {
  auto step = GENERATE(as<std::string>{}, "initialize", "tools_list");
  Fixture fx({"--fault", "reset", "--fault-step", step});
  auto o = RunProbe(fx.Url());
  INFO("step " << step);
  ExpectVerdict(o, "connection_reset", 4,
                {step == "initialize" ? "initialize" : "tools/list", "dropped mid-exchange"});
  CHECK(o.elapsed < seconds(5));
}
