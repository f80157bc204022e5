// HTTP-layer failure classes (unavailable, auth_failure, rate_limited, http_error) over real
// loopback sockets: `mcpwatch probe --json` against mcp_fixture `--fault status:NNN`.
#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;

TEST_CASE("faults: 502/503/504 are unavailable with Retry-After in the error, exit 6", "[faults]") {
  auto status = GENERATE(as<std::string>{}, "502", "503", "504");
  Fixture fx({"--fault", "status:" + status});
  auto o = RunProbe(fx.Url());
  INFO("status " << status);
  ExpectVerdict(o, "unavailable", 6,
                {"initialize", "HTTP " + status, "Retry-After 7", "no healthy backend"});
  CHECK(o.Step("initialize")["http_status"] == std::stoi(status));
  CHECK(o.Step("initialize")["error"] == "http_status");
}

TEST_CASE("faults: unavailable mid-run names the step", "[faults]") {
  Fixture fx({"--fault", "status:503", "--fault-step", "tools_list"});
  auto o = RunProbe(fx.Url());
  ExpectVerdict(o, "unavailable", 6, {"tools/list", "HTTP 503"});
  CHECK(o.Step("initialize")["ok"] == true);
}

TEST_CASE("faults: 401 is auth_failure with its WWW-Authenticate challenge, exit 3", "[faults]") {
  Fixture fx({"--fault", "status:401"});
  auto o = RunProbe(fx.Url());
  ExpectVerdict(o, "auth_failure", 3,
                {"initialize", "HTTP 401", "The access token is missing, expired or invalid",
                 "WWW-Authenticate: Bearer error=\"invalid_token\"", "resource_metadata"});
}

TEST_CASE("faults: 403 is auth_failure, exit 3", "[faults]") {
  Fixture fx({"--fault", "status:403"});
  auto o = RunProbe(fx.Url());
  ExpectVerdict(
      o, "auth_failure", 3,
      {"initialize", "HTTP 403", "credentials missing, expired or lacking scope", "Forbidden"});
}

TEST_CASE("faults: 429 is rate_limited with Retry-After, exit 6", "[faults]") {
  Fixture fx({"--fault", "status:429"});
  auto o = RunProbe(fx.Url());
  ExpectVerdict(o, "rate_limited", 6, {"initialize", "HTTP 429", "Retry-After 7"});
}

TEST_CASE("faults: 404 on initialize is http_error after the legacy fallback also failed",
          "[faults]") {
  Fixture fx({"--fault", "status:404"});
  SECTION("auto tries legacy SSE first and says so") {
    auto o = RunProbe(fx.Url());
    ExpectVerdict(o, "http_error", 6,
                  {"initialize", "HTTP 404", "legacy SSE fallback also failed"});
    CHECK(o.j["transport"] == "streamable-http");
  }
  SECTION("--transport streamable-http reports the 404 alone") {
    auto o = RunProbe(fx.Url(), {"--transport", "streamable-http"});
    ExpectVerdict(o, "http_error", 6, {"initialize", "HTTP 404", "Not Found"});
    CHECK_THAT(o.Error(), !Catch::Contains("fallback"));
  }
}

TEST_CASE("faults: 406 and 500 are http_error, exit 6", "[faults]") {
  auto status = GENERATE(as<std::string>{}, "406", "500");
  Fixture fx({"--fault", "status:" + status});
  auto o = RunProbe(fx.Url());
  INFO("status " << status);
  ExpectVerdict(o, "http_error", 6,
                {"initialize", "HTTP " + status,
                 status == "406" ? "Not Acceptable" : "Internal Server Error"});
}

TEST_CASE("faults: a 500 on tools/call is http_error naming the tool call", "[faults]") {
  Fixture fx({"--fault", "status:500", "--fault-step", "tool_call"});
  auto o = RunProbe(fx.Url(), {"--tool", "echo", "--args", R"({"message":"x"})"});
  ExpectVerdict(o, "http_error", 6, {"tools/call", "HTTP 500"});
  CHECK(o.Step("tools_list")["ok"] == true);
}
