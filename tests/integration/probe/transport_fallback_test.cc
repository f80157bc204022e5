// `auto` between the two HTTP transports, both ways (issue 13): a Streamable HTTP server whose
// path ends in /sse is probed as one, and an event stream that never names a legacy endpoint is
// a transport mismatch reported at once, not a hang until the deadline.
#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kStreamableAtSse = {"--transport", "streamable-http", "--mcp-path",
                                                   "/sse"};

}  // namespace

TEST_CASE("auto: a Streamable HTTP server under /sse that refuses the legacy GET is probed as one",
          "[faults][transport]") {
  Fixture fx(kStreamableAtSse);  // GET /sse answers 405, as the TypeScript SDK v2 does
  auto o = RunProbe(fx.SseUrl(), {"--tool", "echo", "--args", R"({"message":"hi"})"});
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["transport"] == "streamable-http");
}

TEST_CASE("auto: a Streamable HTTP server under /sse whose GET opens a silent stream is probed as "
          "one without waiting for the deadline",
          "[faults][transport]") {
  Fixture fx(With(kStreamableAtSse, {"--silent-get-stream"}));  // the TypeScript SDK v1 shape
  auto o = RunProbe(fx.SseUrl(), {"--timeout", "10s"});
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["transport"] == "streamable-http");
  CHECK(o.elapsed < 8s);  // the endpoint grace (3 s), not the 10 s deadline
}

TEST_CASE("forcing --transport sse on a Streamable HTTP server is a transport mismatch at once",
          "[faults][transport]") {
  Fixture fx(With(kStreamableAtSse, {"--silent-get-stream"}));
  auto o = RunProbe(fx.SseUrl(), {"--transport", "sse", "--timeout", "10s"});
  ExpectVerdict(o, "protocol_error", 6,
                {"initialize", "no endpoint event", "Streamable HTTP server"});
  CHECK(o.elapsed < 8s);
  CHECK(o.Step("initialize")["http_status"] == 200);
}

TEST_CASE("auto: when neither transport answers under /sse, the legacy GET's failure is reported",
          "[faults][transport]") {
  Fixture fx({"--transport", "streamable-http", "--fault", "status:405"});
  auto o = RunProbe(fx.SseUrl());
  ExpectVerdict(o, "http_error", 6, {"initialize", "HTTP 404", "Streamable HTTP fallback also failed"});
  CHECK(o.j["transport"] == "sse");
}

TEST_CASE("a failed legacy SSE GET keeps the connection's timings", "[faults][transport]") {
  Fixture fx({"--transport", "sse", "--fault", "status:500", "--fault-step", "initialize"});
  auto o = RunProbe(fx.SseUrl(), {"--transport", "sse"});
  REQUIRE(o.j.is_object());
  INFO(o.process.out);
  CHECK(o.Class() != "ok");
  CHECK(o.j["timings"]["connect_ms"].get<double>() > 0.0);
  CHECK(o.j["timings"]["total_ms"].get<double>() > 0.0);
}
