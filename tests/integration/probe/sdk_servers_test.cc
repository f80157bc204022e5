// `mcpwatch probe` against real TypeScript SDK servers from npm (issue 13's defects): the v1
// SDK (2025 era, stateless and stateful, also mounted under /sse) and the v2 SDK (dual-era by
// default, modern-only with legacy: reject). Each serves an echo tool answering "echo: TEXT".
#include "tests/integration/probe/faults_support.h"
#include "tests/support/servers.h"

using namespace mcpwatch::test;

namespace {

const std::vector<std::string> kEcho = {"--tool",           "echo",          "--args",
                                        R"({"text":"hi"})", "--expect-text", "^echo: hi$"};

}  // namespace

TEST_CASE("sdk: the v1 SDK's servers are probed as legacy after one server/discover", "[sdk]") {
  struct Row {
    const char* path;
    const char* mode;
  };
  const Row rows[] = {{"/mcp", "stateless"}, {"/mcp", "stateful"}, {"/sse", "stateless"}};
  for (const Row& row : rows) {
    DYNAMIC_SECTION(row.path << " " << row.mode) {
      SdkServer server("ts_sdk_v1.mjs", row.path, {row.mode});
      auto o = RunProbe(server.Url(), kEcho);
      ExpectVerdict(o, "ok", 0, {});
      CHECK(o.j["transport"] == "streamable-http");  // /sse included: no legacy GET hang
      CHECK(o.j["era"] == "legacy");
      CHECK(o.j["protocol_version"] == "2025-11-25");
      CHECK(o.j["server"]["name"] == "ts-sdk-v1-echo");
      CHECK_THAT(o.j["era_reason"].get<std::string>(), Catch::Contains("probed as legacy"));
      CHECK(o.elapsed < std::chrono::seconds(8));
    }
  }
}

TEST_CASE("sdk: the v2 SDK's dual-era default is probed on its 2026-07-28 path", "[sdk]") {
  auto path = GENERATE(as<std::string>{}, "/mcp", "/sse");
  SdkServer server("ts_sdk_v2.mjs", path);
  auto o = RunProbe(server.Url(), kEcho);
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["era"] == "modern");
  CHECK(o.j["protocol_version"] == "2026-07-28");
  CHECK(o.j["server"]["name"] == "ts-sdk-v2-echo");
  CHECK(o.j["timings"]["era_detection_ms"] == 0);
}

TEST_CASE("sdk: the v2 SDK's modern-only endpoint is probed as modern", "[sdk]") {
  SdkServer server("ts_sdk_v2.mjs", "/mcp", {"reject"});
  auto o = RunProbe(server.Url(), kEcho);
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["era"] == "modern");
}

TEST_CASE("sdk: a failing tool on a real server is tool_error naming the mismatch", "[sdk]") {
  SdkServer server("ts_sdk_v2.mjs", "/mcp");
  auto o = RunProbe(server.Url(),
                    {"--tool", "echo", "--args", R"({"text":"hi"})", "--expect-text", "^bye$"});
  ExpectVerdict(o, "tool_error", 5, {"tools/call", "does not match", "echo: hi"});
}
