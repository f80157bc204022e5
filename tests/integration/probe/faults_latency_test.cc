// latency_spike over real loopback sockets: absolute limits on a one-shot probe, the diagnosis
// of where the time went, and issue 3's pool exhaustion — a saturated tool pool makes the tool
// call slow while initialize and tools/list stay fast, and the probe says so.
#include <atomic>
#include <thread>

#include "tests/integration/probe/faults_support.h"

using namespace mcpwatch::test;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kInit =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"faults-load","version":"1.0.0"}}})";
const std::string kEchoCall =
    R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo",)"
    R"("arguments":{"message":"load"}}})";

// Clients hammering tools/call on their own sessions until stopped, each bounded in calls and
// time, so the pool stays saturated while the probe runs.
class ToolCallLoad {
 public:
  ToolCallLoad(const std::string& url, int clients) {
    for (int i = 0; i < clients; ++i) {
      threads_.emplace_back([this, url] { Client(url); });
    }
  }
  ~ToolCallLoad() { Stop(); }
  ToolCallLoad(const ToolCallLoad&) = delete;
  ToolCallLoad& operator=(const ToolCallLoad&) = delete;

  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int calls() const { return calls_; }
  int failures() const { return failures_; }

 private:
  static constexpr int kMaxCallsPerClient = 80;
  static constexpr seconds kMaxDuration{10};

  void Client(const std::string& url) {
    const std::vector<std::string> accept = {"Accept: application/json, text/event-stream"};
    const HttpResponse init = HttpPost(url, kInit, accept);
    const auto session = init.Header("mcp-session-id");
    if (init.status != 200 || !session) {
      ++failures_;
      return;
    }
    const std::vector<std::string> headers = {accept[0], "Mcp-Session-Id: " + *session};
    const auto until = std::chrono::steady_clock::now() + kMaxDuration;
    for (int n = 0; n < kMaxCallsPerClient && !stop_ && std::chrono::steady_clock::now() < until;
         ++n) {
      const HttpResponse r = HttpPost(url, kEchoCall, headers, seconds(8));
      ++calls_;
      if (r.status != 200) ++failures_;
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
  std::atomic<int> failures_{0};
  std::vector<std::thread> threads_;
};

}  // namespace

TEST_CASE("faults latency: a slow tool call over its limit is latency_spike naming the call",
          "[faults][latency]") {
  Fixture fx({"--tool-latency", "600"});
  auto o = RunProbe(fx.Url(), With(kEchoFlags, {"--max-tool-call-latency", "200ms"}));
  ExpectVerdict(o, "latency_spike", 7, {"latency: tool_call", "(limit 200 ms)"});
  CHECK_THAT(o.Error(), !Catch::Contains("initialize"));
  CHECK_THAT(o.Diagnosis(), Catch::Contains("only the tool call is slow"));
  CHECK_THAT(o.Diagnosis(), Catch::Contains("database pool"));
  CHECK(o.j["success"] == true);  // every step passed: probe_success stays 1
  CHECK(o.Step("tool_call")["duration_ms"].get<double>() >= 600);
}

TEST_CASE("faults latency: every step slow points at host or network", "[faults][latency]") {
  Fixture fx({"--latency", "300"});
  SECTION("with limits on every phase each phase is named") {
    auto o = RunProbe(fx.Url(), With(kEchoFlags, {"--max-latency", "1s", "--max-initialize-latency",
                                                  "200ms", "--max-tools-list-latency", "200ms",
                                                  "--max-tool-call-latency", "200ms"}));
    ExpectVerdict(o, "latency_spike", 7,
                  {"initialize", "tools_list", "tool_call", "total", "(limit 1000 ms)"});
    CHECK_THAT(o.Diagnosis(), Catch::Contains("every MCP phase is slow"));
    CHECK_THAT(o.Diagnosis(), Catch::Contains("host or the network"));
  }
  SECTION("with --max-latency alone the diagnosis follows where the time went") {
    auto o = RunProbe(fx.Url(), With(kEchoFlags, {"--max-latency", "1s"}));
    ExpectVerdict(o, "latency_spike", 7, {"latency: total", "(limit 1000 ms)"});
    CHECK_THAT(o.Diagnosis(), Catch::Contains("every MCP phase is slow"));
  }
  SECTION("under a generous limit the same server is ok") {
    auto o = RunProbe(fx.Url(), With(kEchoFlags, {"--max-latency", "20s"}));
    ExpectVerdict(o, "ok", 0, {});
    CHECK(o.Diagnosis().empty());
  }
}

TEST_CASE("faults latency: pool exhaustion makes the tool call spike, and recovery is ok",
          "[faults][latency][pool]") {
  Fixture fx({"--pool-size", "2", "--pool-hold-ms", "150", "--tools", "echo,sleep"});
  const std::vector<std::string> args = With(kEchoFlags, {"--max-tool-call-latency", "400ms"});

  auto before = RunProbe(fx.Url(), args);
  INFO("before: " << before.Error());
  ExpectVerdict(before, "ok", 0, {});

  ToolCallLoad load(fx.Url(), 8);
  // Let the clients fill both slots and the queue behind them.
  REQUIRE(Eventually([&] { return load.calls() >= 4; }, seconds(5)));
  auto during = RunProbe(fx.Url(), args);
  load.Stop();
  INFO("load calls " << load.calls() << ", failures " << load.failures());
  ExpectVerdict(during, "latency_spike", 7, {"latency: tool_call", "(limit 400 ms)"});
  CHECK_THAT(during.Diagnosis(), Catch::Contains("only the tool call is slow"));
  CHECK(during.Step("initialize")["duration_ms"].get<double>() < 400);
  CHECK(load.failures() == 0);

  auto after = RunProbe(fx.Url(), args);
  ExpectVerdict(after, "ok", 0, {});
}
