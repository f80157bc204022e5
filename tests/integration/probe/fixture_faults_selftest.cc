// Self-test of mcp_fixture's fault modes, TLS, pool and SSE noise over loopback (libcurl only,
// no mcpwatch code). The basics are in fixture_selftest.cc.

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/support.h"

namespace {

using mcpwatch::test::Fixture;
using mcpwatch::test::HttpPost;
using mcpwatch::test::HttpResponse;
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kAccept = {"Accept: application/json, text/event-stream"};

const std::string kInit =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"selftest","version":"1.0.0"}}})";
const std::string kInitialized = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
const std::string kToolsList = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";
const std::string kEchoCall =
    R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"message":"x"}}})";

std::vector<std::string> WithSession(const HttpResponse& init) {
  return {"Accept: application/json, text/event-stream",
          "Mcp-Session-Id: " + init.Header("mcp-session-id").value_or("")};
}

// Number of complete "data:" lines in an LF-framed SSE body.
std::size_t CountData(const std::string& body) {
  std::size_t n = 0;
  for (auto pos = body.find("data: "); pos != std::string::npos; pos = body.find("data: ", pos + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("fixture faults: status:401 challenges and serves resource metadata",
          "[fixture][fault]") {
  Fixture fx({"--fault", "status:401"});
  const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
  CHECK(r.status == 401);
  const std::string challenge = r.Header("www-authenticate").value_or("");
  CHECK(challenge.find("Bearer error=\"invalid_token\"") == 0);
  CHECK(challenge.find("resource_metadata=\"http://127.0.0.1:" + std::to_string(fx.port()) +
                       "/.well-known/oauth-protected-resource\"") != std::string::npos);
  const HttpResponse prm =
      mcpwatch::test::HttpGet(fx.BaseUrl() + "/.well-known/oauth-protected-resource");
  CHECK(json::parse(prm.body)["resource"] == fx.Url());
}

TEST_CASE("fixture faults: body faults on the initialize response", "[fixture][fault]") {
  SECTION("html") {
    Fixture fx({"--fault", "html"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(r.status == 200);
    CHECK(r.content_type.rfind("text/html", 0) == 0);
  }
  SECTION("wrong-content-type") {
    Fixture fx({"--fault", "wrong-content-type"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(r.content_type == "text/plain");
    CHECK(json::parse(r.body)["id"] == 1);
  }
  SECTION("truncated-json keeps Content-Length consistent") {
    Fixture fx({"--fault", "truncated-json", "--response", "json"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(r.curl_code == 0);
    CHECK(r.Header("content-length") == std::to_string(r.body.size()));
    CHECK(json::parse(r.body, nullptr, false).is_discarded());
  }
  SECTION("id-mismatch") {
    Fixture fx({"--fault", "id-mismatch", "--response", "json"});
    CHECK(json::parse(HttpPost(fx.Url(), kInit, kAccept).body)["id"] == 1001);
  }
  SECTION("init-error") {
    Fixture fx({"--fault", "init-error", "--response", "json"});
    const json msg = json::parse(HttpPost(fx.Url(), kInit, kAccept).body);
    CHECK(msg["error"]["code"] == -32603);
    CHECK(msg["error"]["message"] == "database unavailable");
  }
  SECTION("deep-json") {
    Fixture fx({"--fault", "deep-json", "--response", "json"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(r.body.size() > 200000);
    CHECK(r.body.find(std::string(1000, '[')) != std::string::npos);
  }
  SECTION("invalid-utf8") {
    Fixture fx({"--fault", "invalid-utf8", "--response", "json"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(r.body.find("\xC3\x28") != std::string::npos);
    CHECK(json::parse(r.body, nullptr, false).is_discarded());
  }
  SECTION("modern-only") {
    Fixture fx({"--fault", "modern-only"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"]["data"]["supported"][0] == "2026-07-28");
  }
}

TEST_CASE("fixture faults: later-step faults", "[fixture][fault]") {
  SECTION("tools-list-error") {
    Fixture fx({"--fault", "tools-list-error", "--response", "json"});
    const HttpResponse init = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(json::parse(init.body)["result"].is_object());
    const json msg = json::parse(HttpPost(fx.Url(), kToolsList, WithSession(init)).body);
    CHECK(msg["error"]["code"] == -32603);
  }
  SECTION("invalid-tools") {
    Fixture fx({"--fault", "invalid-tools", "--response", "json"});
    const HttpResponse init = HttpPost(fx.Url(), kInit, kAccept);
    const json tools =
        json::parse(HttpPost(fx.Url(), kToolsList, WithSession(init)).body)["result"]["tools"];
    CHECK_FALSE(tools[0].contains("name"));
    CHECK(tools[1]["inputSchema"].is_string());
    CHECK(tools[2]["name"] == tools[3]["name"]);
  }
  SECTION("session-lost") {
    Fixture fx({"--fault", "session-lost"});
    const HttpResponse init = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(init.status == 200);
    const HttpResponse lost = HttpPost(fx.Url(), kInitialized, WithSession(init));
    CHECK(lost.status == 404);
    CHECK(json::parse(lost.body)["error"]["code"] == -32001);
  }
  SECTION("sloppy-notifications") {
    Fixture fx({"--fault", "sloppy-notifications"});
    const HttpResponse init = HttpPost(fx.Url(), kInit, kAccept);
    const HttpResponse note = HttpPost(fx.Url(), kInitialized, WithSession(init));
    CHECK(note.status == 200);
    CHECK(note.body == "{}");
  }
  SECTION("--fault-step limits a fault to one step") {
    Fixture fx({"--fault", "status:500", "--fault-step", "tool_call"});
    const HttpResponse init = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(init.status == 200);
    CHECK(HttpPost(fx.Url(), kToolsList, WithSession(init)).status == 200);
    CHECK(HttpPost(fx.Url(), kEchoCall, WithSession(init)).status == 500);
  }
}

TEST_CASE("fixture faults: echo-headers reflects every request header", "[fixture][fault]") {
  std::vector<std::string> headers = kAccept;
  headers.push_back("X-Api-Key: key-canary");
  headers.push_back("Authorization: Bearer token-canary");
  SECTION("an HTTP 500 text body at the configured step") {
    Fixture fx({"--fault", "echo-headers", "--fault-step", "initialize"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, headers);
    CHECK(r.status == 500);
    CHECK(r.content_type == "text/plain");
    CHECK(r.body.rfind("request headers:\n", 0) == 0);
    CHECK(r.body.find("\nx-api-key: key-canary\n") != std::string::npos);
    CHECK(r.body.find("\nauthorization: Bearer token-canary\n") != std::string::npos);
  }
  SECTION("an isError tool result at tool_call (the default step)") {
    Fixture fx({"--fault", "echo-headers", "--response", "json"});
    const HttpResponse init = HttpPost(fx.Url(), kInit, headers);
    CHECK(json::parse(init.body)["result"].is_object());
    std::vector<std::string> call_headers = WithSession(init);
    call_headers.push_back("Authorization: Bearer token-canary");
    const HttpResponse call = HttpPost(fx.Url(), kEchoCall, call_headers);
    CHECK(call.status == 200);
    const json result = json::parse(call.body)["result"];
    CHECK(result["isError"] == true);
    const std::string text = result["content"][0]["text"];
    CHECK(text.find("\nauthorization: Bearer token-canary") != std::string::npos);
    CHECK(text.find("\nmcp-session-id: " + init.Header("mcp-session-id").value_or("?")) !=
          std::string::npos);
  }
}

TEST_CASE("fixture faults: streamed and paced bodies", "[fixture][fault]") {
  SECTION("stall-headers sends headers and then nothing") {
    Fixture fx({"--fault", "stall-headers"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept, milliseconds(400));
    CHECK(r.curl_code == 28);
    CHECK(r.status == 200);
    CHECK(r.body.empty());
  }
  SECTION("drip delivers the whole response slowly") {
    Fixture fx({"--fault", "drip", "--drip-ms", "2"});
    const auto start = Clock::now();
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
    CHECK(r.curl_code == 0);
    CHECK(r.body.find("\"serverInfo\"") != std::string::npos);
    CHECK(Clock::now() - start >= milliseconds(2 * 300));
  }
  SECTION("stream-forever never sends the response") {
    Fixture fx({"--fault", "stream-forever"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept, milliseconds(300));
    CHECK(r.curl_code == 28);
    CHECK(r.body.find(": keepalive") != std::string::npos);
    CHECK(r.body.find("\"result\"") == std::string::npos);
  }
  SECTION("many-events ends with the response") {
    Fixture fx({"--fault", "many-events"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept, std::chrono::seconds(30));
    CHECK(r.curl_code == 0);
    CHECK(CountData(r.body) == 100001);
  }
  SECTION("oversize streams the configured size") {
    Fixture fx({"--fault", "oversize", "--oversize-mb", "3", "--response", "json"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept, std::chrono::seconds(10));
    CHECK(r.body.size() == 3u * 1024 * 1024);
    CHECK(json::parse(r.body)["id"] == 1);
  }
  SECTION("malformed-sse ends inside an 8 MiB data line") {
    Fixture fx({"--fault", "malformed-sse"});
    const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept, std::chrono::seconds(10));
    CHECK(r.curl_code == 0);
    CHECK(r.body.size() > 8u * 1024 * 1024);
    CHECK(r.body.find('\n', r.body.find("data: ")) == std::string::npos);
  }
}

TEST_CASE("fixture: --sse-noise interleaves notifications and honours --sse-eol", "[fixture]") {
  Fixture fx({"--sse-noise", "--sse-eol", "crlf"});
  const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
  CHECK(r.body.find(": keepalive\r\n\r\n") == 0);
  CHECK(r.body.find("notifications/message") != std::string::npos);
  CHECK(r.body.find("notifications/progress") != std::string::npos);
  CHECK(r.body.find('\n') == r.body.find("\r\n") + 1);
  CHECK(r.body.find("\"serverInfo\"") != std::string::npos);
}

TEST_CASE("fixture: the slot pool queues tool calls FIFO", "[fixture]") {
  Fixture fx({"--pool-size", "1", "--pool-hold-ms", "300", "--response", "json"});
  const HttpResponse init = HttpPost(fx.Url(), kInit, kAccept);
  const auto start = Clock::now();
  std::vector<std::future<HttpResponse>> calls;
  for (int i = 0; i < 2; ++i) {
    calls.push_back(std::async(std::launch::async,
                               [&] { return HttpPost(fx.Url(), kEchoCall, WithSession(init)); }));
  }
  for (auto& c : calls) CHECK(c.get().status == 200);
  CHECK(Clock::now() - start >= milliseconds(590));
}

TEST_CASE("fixture: serves HTTPS with --tls-cert/--tls-key", "[fixture]") {
  mcpwatch::test::TempDir dir;
  const auto gen = mcpwatch::test::RunProcess(
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
       "/CN=127.0.0.1", "-keyout", dir.File("key.pem"), "-out", dir.File("cert.pem")},
      std::chrono::seconds(30));
  REQUIRE(gen.exit_code == 0);
  Fixture fx({"--tls-cert", dir.File("cert.pem"), "--tls-key", dir.File("key.pem")});
  CHECK(fx.Url().rfind("https://", 0) == 0);
  const HttpResponse r = HttpPost(fx.Url(), kInit, kAccept);
  CHECK(r.status == 200);
  CHECK(r.body.find("\"serverInfo\"") != std::string::npos);
  CHECK(HttpPost(fx.BaseUrl().replace(0, 5, "http") + "/mcp", kInit, kAccept).status != 200);
}
