#include "checks/health_check.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using FC = FailureClass;

HealthRecord Http(int status, std::string retry_after = "") {
  HealthRecord h;
  h.http_status = status;
  h.retry_after = std::move(retry_after);
  return h;
}

HealthRecord Refused() {
  HealthRecord h;
  h.transport = TransportError::kConnectRefused;
  return h;
}

TEST_CASE("health: the endpoint's answer against the run's class") {
  struct Case {
    const char* name;
    HealthRecord health;
    FC cls;
    HealthVerdict verdict;
    const char* diagnosis;
  };
  const Case cases[] = {
      {"both green", Http(200), FC::kOk, HealthVerdict::kAgrees, ""},
      {"slow but green", Http(204), FC::kLatencySpike, HealthVerdict::kAgrees, ""},
      {"green while the tool call fails", Http(200), FC::kToolError,
       HealthVerdict::kGreenMcpFailing,
       "health endpoint green (HTTP 200) while MCP fails (tool_error): internal checks pass, the "
       "MCP path does not"},
      {"green while initialize fails", Http(200), FC::kInitializeFailure,
       HealthVerdict::kGreenMcpFailing,
       "health endpoint green (HTTP 200) while MCP fails (initialize_failure): internal checks "
       "pass, the MCP path does not"},
      {"draining with Retry-After", Http(503, "30"), FC::kUnavailable, HealthVerdict::kDraining,
       "health 503 (draining, Retry-After 30)"},
      {"draining while MCP still answers", Http(503), FC::kOk, HealthVerdict::kDraining,
       "health 503 (draining)"},
      {"health broken, MCP fine", Http(500), FC::kOk, HealthVerdict::kRedMcpOk,
       "health endpoint failing (HTTP 500) while MCP answers"},
      {"health unreachable, MCP fine", Refused(), FC::kOk, HealthVerdict::kRedMcpOk,
       "health endpoint failing (connect refused) while MCP answers"},
      {"both refused", Refused(), FC::kConnectionRefused, HealthVerdict::kAgrees, ""},
      {"both failing", Http(500), FC::kToolError, HealthVerdict::kAgrees, ""},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(JudgeHealth(c.health, c.cls) == c.verdict);
    CHECK(HealthDiagnosis(c.health, c.cls) == c.diagnosis);
  }
}

TEST_CASE("health: the diagnosis joins what the verdict already says") {
  Transcript t;
  Verdict v{.cls = FC::kToolError, .error = "tools/call: isError", .diagnosis = ""};
  AddHealthDiagnosis(v, t);  // no health_url: nothing
  CHECK(v.diagnosis.empty());
  t.health = Http(200);
  v.diagnosis = "tool calls failing since deploy 1.0.0 → 2.0.0 at X";
  AddHealthDiagnosis(v, t);
  CHECK(v.diagnosis ==
        "tool calls failing since deploy 1.0.0 → 2.0.0 at X; health endpoint green (HTTP 200) "
        "while MCP fails (tool_error): internal checks pass, the MCP path does not");
  Verdict ok;
  AddHealthDiagnosis(ok, t);
  CHECK(ok.diagnosis.empty());
}

}  // namespace
}  // namespace mcpwatch
