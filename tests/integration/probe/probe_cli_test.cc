// Command-line contract of `mcpwatch probe`: usage errors exit 2 and name the problem, and
// secrets never reach the output.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

using namespace mcpwatch::test;

namespace {

ProcessResult Probe(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {McpwatchBinary(), "probe"});
  return RunProcess(args, std::chrono::seconds(20), env);
}

}  // namespace

TEST_CASE("bad flags exit 2 with a message naming the flag", "[cli]") {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"http://127.0.0.1:1/mcp", "--timeout", "10"}, "--timeout"},
      {{"http://127.0.0.1:1/mcp", "--transport", "websocket"}, "--transport"},
      {{"ftp://127.0.0.1/mcp"}, "scheme"},
      {{"http://user:pw@127.0.0.1:1/mcp"}, "credentials"},
      {{"http://127.0.0.1:1/mcp", "--tool", "x", "--args", "[1,2"}, "--args"},
      {{"http://127.0.0.1:1/mcp", "--tool", "x", "--args", "[1,2]"}, "object"},
      {{"http://127.0.0.1:1/mcp", "--tool", "x", "--expect-text", "(unclosed"}, "--expect-text"},
      {{"http://127.0.0.1:1/mcp", "--expect-text", "x"}, "--tool"},
      {{"http://127.0.0.1:1/mcp", "--header", "NoColon"}, "--header"},
      {{"http://127.0.0.1:1/mcp", "--bearer-token-env", "MCPWATCH_TEST_UNSET_VAR"},
       "MCPWATCH_TEST_UNSET_VAR"},
      {{"http://127.0.0.1:1/mcp", "--ca-file", "/nonexistent/ca.pem"}, "--ca-file"},
      {{"http://127.0.0.1:1/mcp", "--max-latency", "fast"}, "latency"},
      {{}, "url"},
  };
  for (const auto& c : cases) {
    auto r = Probe(c.args);
    INFO("args: " << nlohmann::json(c.args).dump() << "\nstderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.says));
  }
}

TEST_CASE("a refused port is connection_refused, exit 4", "[cli]") {
  auto r = Probe({"http://127.0.0.1:" + std::to_string(ClosedPort()) + "/mcp", "--json"});
  REQUIRE(r.exit_code == 4);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["class"] == "connection_refused");
  // The first request of an unknown server is server/discover (era detection).
  CHECK_THAT(j["error"].get<std::string>(), Catch::Contains("server/discover"));
}

TEST_CASE("a .invalid host is dns_error without any lookup leaving the machine", "[cli]") {
  auto r = Probe({"http://mcp.example.invalid/mcp", "--json"});
  REQUIRE(r.exit_code == 4);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["class"] == "dns_error");
  CHECK_THAT(j["error"].get<std::string>(), Catch::Contains("RFC 6761"));
}

TEST_CASE("bearer tokens and header values never appear in any output", "[cli]") {
  const std::string secret = "s3cr3t-token-value-4711";
  Fixture fx({"--fault", "status:401"});
  auto r = Probe({fx.Url(), "--bearer-token-env", "MCPWATCH_TEST_TOKEN", "--json"},
                 {"MCPWATCH_TEST_TOKEN=" + secret});
  CHECK(r.exit_code == 3);
  CHECK(r.out.find(secret) == std::string::npos);
  CHECK(r.err.find(secret) == std::string::npos);
  auto human = Probe({fx.Url(), "--bearer-token-env", "MCPWATCH_TEST_TOKEN"},
                     {"MCPWATCH_TEST_TOKEN=" + secret});
  CHECK(human.out.find(secret) == std::string::npos);
  CHECK(human.err.find(secret) == std::string::npos);
}
