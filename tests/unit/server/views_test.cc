// The pure renderers behind the HTTP routes: status page, badge, /probe exposition, API JSON.
#include <catch2/catch.hpp>

#include "server/api_json.h"
#include "server/probe_exposition.h"
#include "server/status_page.h"
#include "tests/unit/server/metrics_text.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;

storage::TargetStatus Status(std::string name, std::string state) {
  storage::TargetStatus s;
  s.target = std::move(name);
  s.state = std::move(state);
  s.last_class = FailureClass::kToolError;
  s.last_run_at = std::chrono::system_clock::time_point(1'750'000'000s);
  s.runs_24h = 1000;
  s.uptime_24h = 0.999;
  s.p95_24h = 123'400us;
  return s;
}

TEST_CASE("EscapeHtml escapes the five special characters") {
  CHECK(EscapeHtml("<a href='x'>\"&\"</a>") ==
        "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
  CHECK(EscapeHtml("plain") == "plain");
}

TEST_CASE("the status page escapes a hostile target name and shows each column") {
  const std::string page =
      RenderStatusPage({Status("<script>alert(1)</script>", "down\"><b>"), Status("shop", "up")},
                       std::chrono::system_clock::time_point(1'750'000'100s));
  CHECK(page.find("<script>") == std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("\"><b>") == std::string::npos);
  CHECK(page.find("<td>shop</td><td class=\"up\">up</td><td>tool_error</td>") != std::string::npos);
  CHECK(page.find("99.9%") != std::string::npos);
  CHECK(page.find("123 ms") != std::string::npos);
  CHECK(page.find("2025-06-15T15:06:40.000Z") != std::string::npos);
}

TEST_CASE("badges show state and uptime, coloured by state") {
  const std::string up = RenderBadge(Status("shop", "up"));
  CHECK(up.starts_with("<svg"));
  CHECK(up.find(">up 99.9%<") != std::string::npos);
  CHECK(up.find("#4c1") != std::string::npos);
  CHECK(RenderBadge(Status("shop", "down")).find("#e05d44") != std::string::npos);
  CHECK(RenderBadge(Status("shop", "<x>")).find("<x>") == std::string::npos);
  CHECK(RenderBadge(std::nullopt).find(">not found<") != std::string::npos);
}

TEST_CASE("the /probe exposition has the run's metrics without a target label") {
  ProbeResult r;
  r.target = "shop";
  r.transcript.timings = {.dns = 0us, .connect = 1000us, .tls = 0us, .total = 9'000'000us};
  StepRecord call;
  call.step = Step::kToolCall;
  call.http_status = 200;
  call.finding = Finding::kToolIsError;
  call.duration = 8'500'000us;
  r.transcript.steps = {call};
  r.transcript.tool_count = 3;
  r.verdict.cls = FailureClass::kToolError;
  const std::string text = ProbeExposition(r, 9500ms);
  CHECK(test::SampleValue(text, "probe_success") == 0.0);
  CHECK(test::SampleValue(text, "probe_duration_seconds") == Approx(9.0));
  CHECK(test::SampleValue(text, "probe_timeout_seconds") == Approx(9.5));
  CHECK(test::SampleValue(text, "probe_mcp_duration_seconds{phase=\"tool_call\"}") == Approx(8.5));
  CHECK(test::SampleValue(text, "probe_mcp_duration_seconds{phase=\"initialize\"}") == 0.0);
  CHECK(test::SampleValue(text, "probe_mcp_tools") == 3.0);
  CHECK(test::SampleValue(text, "probe_mcp_run_info{class=\"tool_error\"}") == 1.0);
  CHECK(text.find("target=") == std::string::npos);
  CHECK(text.find("probe_ssl_earliest_cert_expiry") == std::string::npos);
}

TEST_CASE("RunJson has the probe JSON's fields for a stored run") {
  storage::RunRow row;
  row.target = "shop";
  row.started_at = std::chrono::system_clock::time_point(1'750'000'000'123ms);
  row.cls = FailureClass::kLatencySpike;
  row.ok = true;
  row.total = 2'500'000us;
  row.diagnosis = "tool_call 12x baseline";
  row.transport = "streamable-http";
  row.steps = {{.step = Step::kInitialize,
                .ok = true,
                .http_status = 200,
                .jsonrpc_code = std::nullopt,
                .ttfb = 1'000us,
                .duration = 2'000us}};
  const nlohmann::json j = RunJson(row);
  CHECK(j["started_at"] == "2025-06-15T15:06:40.123Z");
  CHECK(j["class"] == "latency_spike");
  CHECK(j["ok"] == false);
  CHECK(j["success"] == true);
  CHECK(j["total_ms"] == 2500.0);
  CHECK(j["error"] == "");
  CHECK(j["diagnosis"] == "tool_call 12x baseline");
  CHECK(j["protocol_version"].is_null());
  CHECK(j["tools"]["count"].is_null());
  CHECK(j["steps"][0]["name"] == "initialize");
  CHECK(j["steps"][0]["duration_ms"] == 2.0);
  CHECK(j["steps"][0]["jsonrpc_code"].is_null());
  CHECK(j["tls"]["not_after"].is_null());
}

TEST_CASE("StatusJson and EventJson shapes") {
  const nlohmann::json s = StatusJson(Status("shop", "up"));
  CHECK(s["target"] == "shop");
  CHECK(s["state"] == "up");
  CHECK(s["last_class"] == "tool_error");
  CHECK(s["uptime_24h"] == 0.999);
  CHECK(s["p95_ms"] == 123.4);
  CHECK(s["state_since"].is_null());
  CHECK(StatusJson(storage::TargetStatus{})["last_run_at"].is_null());
  CHECK(s["diagnosis"].is_null());  // the newest run named no cause
  storage::TargetStatus failing = Status("shop", "down");
  failing.diagnosis = "tool calls failing since deploy 1.0.0 → 2.0.0 at 2025-06-15T15:06:40.000Z";
  CHECK(StatusJson(failing)["diagnosis"] == failing.diagnosis);

  storage::EventRecord e{.id = 7,
                         .target = "shop",
                         .at = std::chrono::system_clock::time_point(1'750'000'000s),
                         .kind = "deploy",
                         .details = R"({"from":"1.0","to":"1.1"})"};
  const nlohmann::json j = EventJson(e);
  CHECK(j["kind"] == "deploy");
  CHECK(j["details"]["to"] == "1.1");
  e.details = "not json";
  CHECK(EventJson(e)["details"] == "not json");
}

}  // namespace
}  // namespace mcpwatch
