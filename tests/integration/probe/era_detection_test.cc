// Era detection over real loopback sockets (issue 13): `mcpwatch probe` sends server/discover
// first; every way real legacy servers answer it falls back to initialize on the same run, a
// dual-era server is probed as modern, and authentication is never a reason to fall back.
#include <fstream>

#include "tests/integration/probe/faults_support.h"
#include "tests/support/paths.h"

using namespace mcpwatch::test;

namespace {

std::vector<std::string> JsonRpcMethods(const std::string& log_path) {
  std::ifstream log(log_path);
  std::vector<std::string> methods;
  std::string line;
  while (std::getline(log, line)) {
    auto entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_object() && entry["jsonrpc_method"].is_string()) {
      methods.push_back(entry["jsonrpc_method"].get<std::string>());
    }
  }
  return methods;
}

}  // namespace

TEST_CASE("era: every legacy answer to server/discover falls back to initialize", "[era][faults]") {
  struct Row {
    const char* reply;
    const char* says;  // part of era_reason
  };
  const Row rows[] = {
      {"session-required", "HTTP 400 (JSON-RPC -32000)"},
      {"method-not-found", "JSON-RPC -32601"},
      {"invalid-params", "JSON-RPC -32602"},
      {"unsupported-version", "Unsupported protocol version"},
      {"plain-400", "HTTP 400"},
      {"not-found", "HTTP 404"},
  };
  for (const Row& row : rows) {
    DYNAMIC_SECTION(row.reply) {
      Fixture fx({"--discover-reply", row.reply});
      auto o = RunProbe(fx.Url(), kEchoFlags);
      ExpectVerdict(o, "ok", 0, {});
      CHECK(o.j["era"] == "legacy");
      CHECK_THAT(o.j["era_reason"].get<std::string>(), Catch::Contains(row.says));
      CHECK_THAT(o.j["era_reason"].get<std::string>(), Catch::Contains("probed as legacy"));
      CHECK(o.j["timings"]["era_detection_ms"].get<double>() > 0);
      CHECK(o.Step("initialize")["ok"] == true);
    }
  }
}

TEST_CASE("era: a legacy server that never answers server/discover still gets initialize",
          "[era][faults]") {
  Fixture fx({"--discover-reply", "hang"});
  auto o = RunProbe(fx.Url(), With(kEchoFlags, {"--timeout", "9s"}));
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["era"] == "legacy");
  CHECK_THAT(o.j["era_reason"].get<std::string>(), Catch::Contains("no answer in time"));
  // Era detection has its own budget (a third of the run, at most 3 s), not the whole run.
  CHECK(o.j["timings"]["era_detection_ms"].get<double>() < 3500);
}

TEST_CASE("era: a dual-era server is probed as modern, with no initialize", "[era][faults]") {
  TempDir dir;
  Fixture fx({"--protocol-era", "both", "--requests-log", dir.File("requests.jsonl")});
  auto o = RunProbe(fx.Url(), kEchoFlags);
  ExpectVerdict(o, "ok", 0, {});
  CHECK(o.j["era"] == "modern");
  CHECK(o.j["era_reason"] == "server/discover answered");
  CHECK(JsonRpcMethods(dir.File("requests.jsonl")) ==
        std::vector<std::string>{"server/discover", "tools/list", "tools/call"});
}

TEST_CASE("era: 401 on server/discover is authentication, never a fallback", "[era][faults]") {
  TempDir dir;
  Fixture fx({"--protocol-era", "modern", "--fault", "status:401", "--requests-log",
              dir.File("requests.jsonl")});
  auto o = RunProbe(fx.Url());
  INFO(o.process.out);
  CHECK(o.Class() == "auth_failure");
  CHECK(o.j["era"] == "modern");
  CHECK_THAT(o.j["era_reason"].get<std::string>(), Catch::Contains("server/discover failed"));
  CHECK(JsonRpcMethods(dir.File("requests.jsonl")) == std::vector<std::string>{"server/discover"});
}
