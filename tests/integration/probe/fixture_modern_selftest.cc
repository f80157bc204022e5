// Self-test of `mcp_fixture --protocol-era modern` over loopback (libcurl only, no mcpwatch
// code): it rejects initialize the modern way, serves complete stateless requests, and answers
// HTTP 400 naming whatever a modern client failed to send, so the probe tests prove we send it.

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/support.h"

namespace {

using mcpwatch::test::Fixture;
using mcpwatch::test::HttpPost;
using mcpwatch::test::HttpResponse;
using mcpwatch::test::HttpSend;
using nlohmann::json;

const json kMeta = {
    {"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
    {"io.modelcontextprotocol/clientInfo", {{"name", "selftest"}, {"version", "1"}}},
    {"io.modelcontextprotocol/clientCapabilities", json::object()}};

std::string Request(int id, const std::string& method, json params) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}
      .dump();
}

std::vector<std::string> Headers(const std::string& method, const std::string& name = "") {
  std::vector<std::string> h = {"Accept: application/json, text/event-stream",
                                "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: " + method};
  if (!name.empty()) h.push_back("Mcp-Name: " + name);
  return h;
}

json Body(const HttpResponse& r) {
  return json::parse(r.body, nullptr, false);
}

}  // namespace

TEST_CASE("fixture modern: initialize is rejected with 400 -32022 naming 2026-07-28",
          "[fixture][modern]") {
  Fixture fx({"--protocol-era", "modern", "--response", "json"});
  const HttpResponse r =
      HttpPost(fx.Url(), Request(1, "initialize", {{"protocolVersion", "2025-11-25"}}),
               {"Accept: application/json, text/event-stream"});
  CHECK(r.status == 400);
  const json b = Body(r);
  CHECK(b["error"]["code"] == -32022);
  CHECK(b["error"]["data"]["supported"] == json::array({"2026-07-28"}));
  CHECK(b["error"]["data"]["requested"] == "2025-11-25");
  CHECK_FALSE(r.Header("mcp-session-id"));
}

TEST_CASE("fixture modern: complete stateless requests are served", "[fixture][modern]") {
  Fixture fx({"--protocol-era", "modern", "--response", "json"});
  const HttpResponse discover = HttpPost(
      fx.Url(), Request(1, "server/discover", {{"_meta", kMeta}}), Headers("server/discover"));
  REQUIRE(discover.status == 200);
  const json d = Body(discover)["result"];
  CHECK(d["resultType"] == "complete");
  CHECK(d["supportedVersions"] == json::array({"2026-07-28"}));
  CHECK(d["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "mcp-fixture");

  const HttpResponse list =
      HttpPost(fx.Url(), Request(2, "tools/list", {{"_meta", kMeta}}), Headers("tools/list"));
  REQUIRE(list.status == 200);
  CHECK(Body(list)["result"]["tools"].size() == 2);
  CHECK_FALSE(Body(list)["result"].contains("resultType"));

  const HttpResponse call =
      HttpPost(fx.Url(),
               Request(3, "tools/call",
                       {{"name", "echo"}, {"arguments", {{"message", "x"}}}, {"_meta", kMeta}}),
               Headers("tools/call", "echo"));
  REQUIRE(call.status == 200);
  CHECK(Body(call)["result"]["content"][0]["text"] == "Echo: x");
  CHECK(Body(call)["result"]["resultType"] == "complete");

  CHECK(HttpSend("GET", fx.Url(), "", {"Accept: text/event-stream"}).status == 405);
  CHECK(HttpSend("DELETE", fx.Url(), "", {}).status == 405);
}

TEST_CASE("fixture modern: a request missing a header or _meta member is a 400 naming it",
          "[fixture][modern]") {
  Fixture fx({"--protocol-era", "modern", "--response", "json"});
  const json call_params = {{"name", "echo"}, {"arguments", {{"message", "x"}}}, {"_meta", kMeta}};
  auto without_header = [](std::vector<std::string> h, const std::string& prefix) {
    h.erase(std::remove_if(h.begin(), h.end(),
                           [&](const std::string& line) { return line.rfind(prefix, 0) == 0; }),
            h.end());
    return h;
  };
  auto meta_without = [&](const std::string& key) {
    json p = call_params;
    p["_meta"].erase(key);
    return p;
  };
  struct Case {
    std::string what;
    json params;
    std::vector<std::string> headers;
    int code;
    std::string words;
  };
  const std::vector<Case> cases = {
      {"no MCP-Protocol-Version", call_params,
       without_header(Headers("tools/call", "echo"), "MCP-Protocol-Version"), -32020,
       "MCP-Protocol-Version header is required"},
      {"no Mcp-Method", call_params, without_header(Headers("tools/call", "echo"), "Mcp-Method"),
       -32020, "Mcp-Method header is required"},
      {"wrong Mcp-Method", call_params, Headers("tools/list", "echo"), -32020,
       "Mcp-Method \"tools/list\" is not the method \"tools/call\""},
      {"no Mcp-Name", call_params, Headers("tools/call"), -32020, "Mcp-Name header is required"},
      {"wrong Mcp-Name", call_params, Headers("tools/call", "add"), -32020,
       "Mcp-Name \"add\" is not the tool \"echo\""},
      {"no _meta",
       {{"name", "echo"}},
       Headers("tools/call", "echo"),
       -32602,
       "params._meta is required"},
      {"no protocolVersion", meta_without("io.modelcontextprotocol/protocolVersion"),
       Headers("tools/call", "echo"), -32602, "protocolVersion\"] is required"},
      {"no clientInfo", meta_without("io.modelcontextprotocol/clientInfo"),
       Headers("tools/call", "echo"), -32602, "clientInfo\"] needs a name and a version"},
      {"no clientCapabilities", meta_without("io.modelcontextprotocol/clientCapabilities"),
       Headers("tools/call", "echo"), -32602, "clientCapabilities\"] is required"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const HttpResponse r = HttpPost(fx.Url(), Request(7, "tools/call", c.params), c.headers);
    CHECK(r.status == 400);
    const json b = Body(r);
    CHECK(b["id"] == 7);
    CHECK(b["error"]["code"] == c.code);
    CHECK_THAT(b["error"]["message"].get<std::string>(), Catch::Contains(c.words));
  }
  SECTION("a session id is refused: the era has none") {
    std::vector<std::string> h = Headers("tools/list");
    h.push_back("Mcp-Session-Id: 0123456789abcdef");
    const HttpResponse r = HttpPost(fx.Url(), Request(8, "tools/list", {{"_meta", kMeta}}), h);
    CHECK(r.status == 400);
    CHECK_THAT(Body(r)["error"]["message"].get<std::string>(), Catch::Contains("no sessions"));
  }
}
