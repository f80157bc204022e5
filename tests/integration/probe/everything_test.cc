// `mcpwatch probe` against the MCP reference server (@modelcontextprotocol/server-everything,
// pinned in tests/tools/package-lock.json), over both HTTP transports.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

using namespace mcpwatch::test;
using nlohmann::json;

namespace {

ProcessResult Probe(std::vector<std::string> args) {
  args.insert(args.begin(), {McpwatchBinary(), "probe"});
  return RunProcess(args, std::chrono::seconds(30));
}

json ProbeJson(const std::vector<std::string>& args, int expected_exit) {
  auto r = Probe(args);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == expected_exit);
  return json::parse(r.out);
}

}  // namespace

TEST_CASE("probe reports ok with server, tools and timings for server-everything", "[everything]") {
  auto mode = GENERATE(as<std::string>{}, "streamableHttp", "sse");
  EverythingServer server(mode);
  json j = ProbeJson({server.Url(), "--json"}, 0);
  CHECK(j["class"] == "ok");
  CHECK(j["ok"] == true);
  CHECK(j["transport"] == (mode == "sse" ? "sse" : "streamable-http"));
  CHECK(j["protocol_version"] == "2025-11-25");
  CHECK(j["server"]["name"] == "mcp-servers/everything");
  CHECK(j["tools"]["count"].get<int>() >= 10);
  CHECK(j["tools"]["schema_hash"].get<std::string>().size() == 64);
  CHECK(j["timings"]["total_ms"].get<double>() > 0);
  std::vector<std::string> names;
  for (const auto& s : j["steps"]) {
    names.push_back(s["name"]);
    CHECK(s["ok"] == true);
    CHECK(s["duration_ms"].get<double>() > 0);
  }
  std::vector<std::string> expected = {"initialize", "initialized", "tools_list", "ping"};
  if (mode == "streamableHttp") expected.push_back("close");  // DELETE of the session
  CHECK(names == expected);
}

TEST_CASE("a synthetic echo call passes its assertion and fails as tool_error when it does not match",
          "[everything]") {
  auto mode = GENERATE(as<std::string>{}, "streamableHttp", "sse");
  EverythingServer server(mode);
  json pass = ProbeJson({server.Url(), "--json", "--tool", "echo", "--args",
                         R"({"message":"mcpwatch-probe"})", "--expect-text", "Echo: mcpwatch-probe"},
                        0);
  CHECK(pass["class"] == "ok");
  bool called = false;
  for (const auto& s : pass["steps"]) called = called || (s["name"] == "tool_call" && s["ok"] == true);
  CHECK(called);

  json fail = ProbeJson({server.Url(), "--json", "--tool", "echo", "--args",
                         R"({"message":"mcpwatch-probe"})", "--expect-text", "^price: [0-9]+$"},
                        5);
  CHECK(fail["class"] == "tool_error");
  CHECK_THAT(fail["error"].get<std::string>(), Catch::Contains("does not match"));
}

TEST_CASE("the human report names every step, the server and the verdict", "[everything]") {
  EverythingServer server("streamableHttp");
  auto r = Probe({server.Url(), "--tool", "echo", "--args", R"({"message":"x"})"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* part : {"initialize", "notifications/initialized", "tools/list",
                           "tools/call echo", "ping", "session close", "mcp-servers/everything",
                           "verdict: ok"}) {
    CHECK_THAT(r.out, Catch::Contains(part));
  }
}

TEST_CASE("a tool the server does not offer is tool_missing", "[everything]") {
  EverythingServer server("streamableHttp");
  json j = ProbeJson({server.Url(), "--json", "--tool", "no_such_tool"}, 5);
  CHECK(j["class"] == "tool_missing");
}
