// One contract for people and scripts: `mcpwatch status|history|events --json` print exactly what
// /api/v1 serves for the same database (both go through server/api_json.h).
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "storage/migrations.h"
#include "storage/records.h"
#include "storage/writer.h"
#include "tests/support/support.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Runs with every field the renderers print: steps with and without HTTP status and JSON-RPC
// code, TLS expiry, tools, a diagnosis, maintenance.
ProbeResult Run(const std::string& target, std::chrono::system_clock::time_point at,
                FailureClass cls, bool maintenance_like_tls) {
  ProbeResult r;
  r.target = target;
  r.url = "https://mcp.example.com/mcp";
  r.started_at = at;
  r.transcript.transport = TransportKind::kStreamableHttp;
  r.transcript.protocol_version = "2025-11-25";
  r.transcript.server = {.name = "srv", .version = "2.0.0", .title = "Srv"};
  r.transcript.tool_count = 3;
  r.transcript.tools_hash = std::string(64, 'a');
  r.transcript.timings = {.dns = 1'000us, .connect = 2'000us, .tls = 3'000us, .total = 150'000us};
  if (maintenance_like_tls) r.transcript.cert_not_after = at + 24h * 20;
  StepRecord init;
  init.step = Step::kInitialize;
  init.http_status = 200;
  init.duration = 40'000us;
  init.ttfb = 30'000us;
  StepRecord call;
  call.step = Step::kToolCall;
  call.http_status = 200;
  call.duration = 90'000us;
  if (cls != FailureClass::kOk) {
    call.jsonrpc_code = -32603;
    call.message = "column items.price does not exist";
    call.finding = Finding::kJsonRpcError;
  }
  r.transcript.steps = {init, call};
  r.verdict.cls = cls;
  if (cls != FailureClass::kOk) {
    r.verdict.error = "tools/call: JSON-RPC error -32603: column items.price does not exist";
    r.verdict.diagnosis = "tool calls fail while the session works";
  }
  return r;
}

struct History {
  test::TempDir dir;
  std::string config = dir.File("mcpwatch.yaml");
  std::string db = dir.File("history.db");

  History() {
    auto opened = storage::OpenForWriting(db);
    REQUIRE(opened);
    auto writer = storage::HistoryWriter::Start(std::move(*opened));
    const auto now = std::chrono::system_clock::now();
    for (int i = 0; i < 6; ++i) {
      const auto cls = i % 3 == 2 ? FailureClass::kToolError : FailureClass::kOk;
      REQUIRE(writer->Enqueue(Run("shop", now - std::chrono::minutes(30 - i), cls, i % 2 == 0),
                              /*maintenance=*/i == 1));
    }
    REQUIRE(writer->Enqueue(Run("search", now - 5min, FailureClass::kOk, false)));
    REQUIRE(writer->Submit([now](storage::Database& d) {
      return storage::InsertEvent(d, "shop", now - 20min, "deploy",
                                  R"({"from":"1.0.0","to":"2.0.0"})");
    }));
    REQUIRE(writer->Submit([now](storage::Database& d) {
      return storage::InsertEvent(d, "shop", now - 10min, "state_change",
                                  R"({"from":"up","to":"down","reason":"tool_error confirmed"})");
    }));
    REQUIRE(writer->Submit([now](storage::Database& d) {
      return storage::InsertEvent(d, "", now - 9min, "config_reload", "not json");
    }));
    REQUIRE(writer->Submit([now](storage::Database& d) {
      return storage::SetTargetState(d, "shop", "down", now - 10min, "tool_error confirmed");
    }));
    REQUIRE(writer->Flush(10s));
    writer->Stop();
    std::ofstream(config) << "database: " << db << "\n"
                          << "targets:\n"
                          << "  - {name: shop, url: 'https://mcp.example.com/mcp'}\n"
                          << "  - {name: search, url: 'https://search.example.com/mcp'}\n"
                          << "  - {name: fresh, url: 'https://fresh.example.com/mcp'}\n";
  }
};

json Cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {test::McpwatchBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = test::RunProcess(argv, 20s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

json Api(const HttpServer& http, const std::string& path) {
  auto r = test::HttpGet("http://127.0.0.1:" + std::to_string(http.port()) + path);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return json::parse(r.body);
}

TEST_CASE("CLI --json and /api/v1 render the same objects from the same database", "[api]") {
  History h;
  HttpHooks hooks;
  hooks.target_names = [] { return std::vector<std::string>{"shop", "search", "fresh"}; };
  auto http = HttpServer::Start("127.0.0.1", 0, std::make_shared<prometheus::Registry>(), h.db,
                                hooks);
  REQUIRE(http);

  const json cli_status = Cli({"status", "--config", h.config, "--json"});
  const json api_status = Api(**http, "/api/v1/targets");
  REQUIRE(cli_status.size() == 3);
  CHECK(cli_status == api_status);
  CHECK(cli_status[0]["target"] == "fresh");  // never probed, still listed
  CHECK(cli_status[1]["target"] == "search");
  CHECK(cli_status[2]["state"] == "down");
  CHECK(cli_status[2]["state_since"].is_string());

  for (const std::string target : {"shop", "search"}) {
    const json cli_runs = Cli({"history", target, "--config", h.config, "--json", "--since", "1h"});
    const json api_runs = Api(**http, "/api/v1/targets/" + target + "/runs?since=1h&limit=1000");
    REQUIRE_FALSE(cli_runs.empty());
    CHECK(cli_runs == api_runs);
  }
  const json shop_runs = Cli({"history", "shop", "--config", h.config, "--json", "--since", "1h"});
  REQUIRE(shop_runs.size() == 6);
  CHECK(shop_runs[0]["steps"][1]["jsonrpc_code"] == -32603);
  CHECK(shop_runs[4]["maintenance"] == true);

  const json cli_events = Cli({"events", "--config", h.config, "--json", "--since", "1h"});
  const json api_events = Api(**http, "/api/v1/events?since=1h&limit=1000");
  REQUIRE(cli_events.size() == 3);
  CHECK(cli_events == api_events);
  const json shop_events =
      Cli({"events", "--config", h.config, "--json", "--since", "1h", "--target", "shop"});
  CHECK(shop_events == Api(**http, "/api/v1/events?since=1h&limit=1000&target=shop"));
  CHECK(shop_events.size() == 2);
}

}  // namespace
}  // namespace mcpwatch
