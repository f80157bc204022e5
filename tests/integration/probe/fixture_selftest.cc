// Self-test of tests/fixtures/mcp_fixture over real loopback sockets (libcurl and raw sockets,
// no mcpwatch code): normal protocol behaviour on both transports and the fault modes other
// tests rely on.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
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
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kAccept = {"Accept: application/json, text/event-stream"};

std::string InitializeBody(const std::string& version = "2025-11-25") {
  return json{{"jsonrpc", "2.0"},
              {"id", 1},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", version},
                {"capabilities", json::object()},
                {"clientInfo", {{"name", "selftest"}, {"version", "1.0.0"}}}}}}
      .dump();
}

std::string Request(int id, const std::string& method, json params = json::object()) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}
      .dump();
}

std::vector<std::string> SessionHeaders(const std::string& session) {
  return {"Accept: application/json, text/event-stream", "Mcp-Session-Id: " + session,
          "MCP-Protocol-Version: 2025-11-25"};
}

// The data of every SSE event in `body` (LF framing), in order.
std::vector<std::string> SseData(const std::string& body) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    const auto end = body.find('\n', pos);
    out.push_back(body.substr(pos + 6, end - pos - 6));
    pos = end;
  }
  return out;
}

// The JSON-RPC message of a JSON or SSE response (the last non-empty SSE data).
json Message(const HttpResponse& r) {
  if (r.content_type.rfind("application/json", 0) == 0) return json::parse(r.body);
  for (const auto& data : SseData(r.body)) {
    if (!data.empty()) return json::parse(data);
  }
  return json();
}

// Initializes a session and sends notifications/initialized; returns the session id.
std::string OpenSession(const Fixture& fx) {
  const HttpResponse init = HttpPost(fx.Url(), InitializeBody(), kAccept);
  REQUIRE(init.status == 200);
  const auto session = init.Header("mcp-session-id");
  REQUIRE(session);
  const HttpResponse note =
      HttpPost(fx.Url(), R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
               SessionHeaders(*session));
  REQUIRE(note.status == 202);
  return *session;
}

// A raw loopback TCP connection for streams libcurl's easy API would block on.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~RawConnection() { close(fd_); }
  void Send(const std::string& data) {
    REQUIRE(send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()));
  }
  // Reads until `needle` has been received or the timeout passes; returns everything so far.
  const std::string& ReadUntil(const std::string& needle, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (received_.find(needle) == std::string::npos && Clock::now() < deadline) {
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, 20) <= 0) continue;
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return received_;
  }

 private:
  int fd_;
  std::string received_;
};

}  // namespace

TEST_CASE("fixture: initialize over SSE answers with priming event and session id", "[fixture]") {
  Fixture fx;
  const HttpResponse r = HttpPost(fx.Url(), InitializeBody(), kAccept);
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/event-stream");
  CHECK(r.Header("mcp-session-id").value_or("").size() == 32);
  const auto data = SseData(r.body);
  REQUIRE(data.size() == 2);
  CHECK(data[0].empty());  // priming event for 2025-11-25 clients
  const json msg = json::parse(data[1]);
  CHECK(msg["id"] == 1);
  CHECK(msg["result"]["protocolVersion"] == "2025-11-25");
  CHECK(msg["result"]["serverInfo"]["name"] == "mcp-fixture");
  CHECK(msg["result"]["capabilities"]["tools"]["listChanged"] == true);
}

TEST_CASE("fixture: initialize over JSON echoes an older version without priming", "[fixture]") {
  Fixture fx({"--response", "json", "--server-name", "other"});
  const HttpResponse r = HttpPost(fx.Url(), InitializeBody("2025-03-26"), kAccept);
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  const json msg = json::parse(r.body);
  CHECK(msg["result"]["protocolVersion"] == "2025-03-26");
  CHECK(msg["result"]["serverInfo"]["name"] == "other");
  const HttpResponse unknown = HttpPost(fx.Url(), InitializeBody("2099-01-01"), kAccept);
  CHECK(json::parse(unknown.body)["result"]["protocolVersion"] == "2025-11-25");
}

TEST_CASE("fixture: sessions and Accept are enforced", "[fixture]") {
  Fixture fx;
  const std::string session = OpenSession(fx);
  const std::string list = Request(2, "tools/list");
  CHECK(HttpPost(fx.Url(), list, kAccept).status == 400);
  CHECK(HttpPost(fx.Url(), list, SessionHeaders("feedface")).status == 404);
  CHECK(HttpPost(fx.Url(), list, SessionHeaders(session)).status == 200);
  CHECK(
      HttpPost(fx.Url(), list, {"Accept: application/json", "Mcp-Session-Id: " + session}).status ==
      406);
  CHECK(HttpSend("GET", fx.Url(), "", SessionHeaders(session)).status == 405);
  CHECK(HttpSend("DELETE", fx.Url(), "", SessionHeaders(session)).status == 200);
  CHECK(HttpSend("DELETE", fx.Url(), "", SessionHeaders(session)).status == 404);
  CHECK(HttpPost(fx.Url(), list, SessionHeaders(session)).status == 404);
}

TEST_CASE("fixture: tools/list paginates and tools/call runs the built-ins", "[fixture]") {
  Fixture fx({"--tools", "echo,add,fail,db_error", "--tools-page-size", "3"});
  const std::string session = OpenSession(fx);
  const json page1 = Message(HttpPost(fx.Url(), Request(2, "tools/list"), SessionHeaders(session)));
  REQUIRE(page1["result"]["tools"].size() == 3);
  CHECK(page1["result"]["tools"][0]["inputSchema"]["type"] == "object");
  const std::string cursor = page1["result"]["nextCursor"];
  const json page2 = Message(
      HttpPost(fx.Url(), Request(3, "tools/list", {{"cursor", cursor}}), SessionHeaders(session)));
  REQUIRE(page2["result"]["tools"].size() == 1);
  CHECK(page2["result"]["tools"][0]["name"] == "db_error");
  CHECK_FALSE(page2["result"].contains("nextCursor"));

  auto call = [&](int id, json params) {
    return Message(
        HttpPost(fx.Url(), Request(id, "tools/call", std::move(params)), SessionHeaders(session)));
  };
  const json echo = call(4, {{"name", "echo"}, {"arguments", {{"message", "probe"}}}});
  CHECK(echo["result"]["content"][0]["text"] == "Echo: probe");
  CHECK(echo["result"]["isError"] == false);
  CHECK(call(5, {{"name", "add"},
                 {"arguments", {{"a", 2}, {"b", 3}}}})["result"]["content"][0]["text"] ==
        "The sum of 2 and 3 is 5");
  CHECK(call(6, {{"name", "fail"}})["result"]["isError"] == true);
  CHECK(call(7, {{"name", "db_error"}})["error"]["code"] == -32603);
  CHECK(call(8, {{"name", "nope"}})["result"]["content"][0]["text"] == "Unknown tool: nope");
  CHECK(Message(HttpPost(fx.Url(), Request(9, "ping"), SessionHeaders(session)))["result"] ==
        json::object());
  CHECK(Message(HttpPost(fx.Url(), Request(10, "nope/nope"),
                         SessionHeaders(session)))["error"]["code"] == -32601);
}

TEST_CASE("fixture: status:503 carries Retry-After", "[fixture][fault]") {
  Fixture fx({"--fault", "status:503"});
  const HttpResponse r = HttpPost(fx.Url(), InitializeBody(), kAccept);
  CHECK(r.status == 503);
  CHECK(r.Header("retry-after") == "7");
}

TEST_CASE("fixture: hang never answers", "[fixture][fault]") {
  Fixture fx({"--fault", "hang"});
  const auto start = Clock::now();
  const HttpResponse r = HttpPost(fx.Url(), InitializeBody(), kAccept, milliseconds(400));
  CHECK(r.curl_code == 28);  // CURLE_OPERATION_TIMEDOUT
  CHECK(r.status == 0);
  CHECK(Clock::now() - start >= milliseconds(390));
}

TEST_CASE("fixture: reset aborts the response mid-body", "[fixture][fault]") {
  Fixture fx({"--fault", "reset", "--response", "json"});
  const HttpResponse r = HttpPost(fx.Url(), InitializeBody(), kAccept);
  CHECK(r.curl_code != 0);
  CHECK(r.curl_code != 28);
}

TEST_CASE("fixture: blackhole makes connect time out", "[fixture][fault]") {
  Fixture fx({"--fault", "blackhole"});
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(fx.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  pollfd pfd{fd, POLLOUT, 0};
  CHECK(poll(&pfd, 1, 2000) == 0);  // the SYN is dropped: no completion, no RST
  close(fd);
  const HttpResponse r = HttpPost(fx.Url(), InitializeBody(), kAccept, milliseconds(500));
  CHECK(r.curl_code == 28);
}

TEST_CASE("fixture: sse-close-early then GET with Last-Event-ID delivers the response",
          "[fixture][fault]") {
  mcpwatch::test::TempDir dir;
  Fixture fx({"--fault", "sse-close-early", "--requests-log", dir.File("requests.jsonl")});
  const std::string session = OpenSession(fx);
  const HttpResponse early = HttpPost(
      fx.Url(), Request(3, "tools/call", {{"name", "echo"}, {"arguments", {{"message", "x"}}}}),
      SessionHeaders(session));
  CHECK(early.status == 200);
  CHECK(early.body == "id: event-1\nretry: 500\ndata: \n\n");
  std::vector<std::string> headers = SessionHeaders(session);
  headers.push_back("Last-Event-ID: event-1");
  const HttpResponse resumed = HttpSend("GET", fx.Url(), "", headers);
  CHECK(resumed.status == 200);
  const json msg = Message(resumed);
  CHECK(msg["id"] == 3);
  CHECK(msg["result"]["content"][0]["text"] == "Echo: x");

  std::ifstream log(dir.File("requests.jsonl"));
  std::string line;
  std::string last;
  while (std::getline(log, line)) last = line;
  const json entry = json::parse(last);
  CHECK(entry["method"] == "GET");
  CHECK(entry["last_event_id"] == "event-1");
  CHECK(entry["mcp_session_id"] == session);
}

TEST_CASE("fixture: legacy HTTP+SSE sends the endpoint event and answers on the stream",
          "[fixture]") {
  Fixture fx({"--transport", "sse"});
  RawConnection stream(fx.port());
  stream.Send("GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
  const std::string& head = stream.ReadUntil("\n\n", milliseconds(2000));
  REQUIRE(head.find("event: endpoint\ndata: /message?sessionId=") != std::string::npos);
  const auto start = head.find("/message?sessionId=");
  const std::string endpoint = head.substr(start, head.find('\n', start) - start);

  const std::string base = "http://127.0.0.1:" + std::to_string(fx.port());
  const HttpResponse posted = HttpPost(base + endpoint, InitializeBody("2024-11-05"));
  CHECK(posted.status == 202);
  CHECK(posted.body == "Accepted");
  const std::string& all = stream.ReadUntil("\"serverInfo\"", milliseconds(2000));
  CHECK(all.find("event: message\ndata: {") != std::string::npos);
  CHECK(all.find("\"protocolVersion\":\"2024-11-05\"") != std::string::npos);
  CHECK(HttpPost(base + "/message?sessionId=unknown", InitializeBody()).status == 404);
  CHECK(HttpPost(fx.Url(), InitializeBody(), kAccept).status == 404);  // no streamable endpoint
}

TEST_CASE("fixture: latency is served without blocking other connections", "[fixture]") {
  Fixture fx({"--latency", "400", "--response", "json"});
  const auto start = Clock::now();
  std::vector<std::future<HttpResponse>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async,
                               [&] { return HttpPost(fx.Url(), InitializeBody(), kAccept); }));
  }
  for (auto& c : calls) CHECK(c.get().status == 200);
  const auto elapsed = Clock::now() - start;
  CHECK(elapsed >= milliseconds(390));
  CHECK(elapsed < milliseconds(1200));
}

TEST_CASE("fixture: server-everything starts and answers initialize", "[fixture][everything]") {
  mcpwatch::test::EverythingServer server("streamableHttp");
  const HttpResponse r = HttpPost(server.Url(), InitializeBody(), kAccept);
  CHECK(r.status == 200);
  CHECK(Message(r)["result"]["serverInfo"]["name"] == "mcp-servers/everything");
}
