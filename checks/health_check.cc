#include "checks/health_check.h"

namespace mcpwatch {

std::string_view ToString(HealthVerdict v) {
  switch (v) {
    case HealthVerdict::kAgrees: return "agrees";
    case HealthVerdict::kGreenMcpFailing: return "green_mcp_failing";
    case HealthVerdict::kDraining: return "draining";
    case HealthVerdict::kRedMcpOk: return "red_mcp_ok";
  }
  return "agrees";
}

HealthVerdict JudgeHealth(const HealthRecord& health, FailureClass run_class) {
  const bool mcp_ok = IsSuccess(run_class);
  if (health.http_status == 503) return HealthVerdict::kDraining;
  if (health.Green()) return mcp_ok ? HealthVerdict::kAgrees : HealthVerdict::kGreenMcpFailing;
  return mcp_ok ? HealthVerdict::kRedMcpOk : HealthVerdict::kAgrees;
}

std::string HealthAnswer(const HealthRecord& health) {
  if (health.http_status != 0) return "HTTP " + std::to_string(health.http_status);
  std::string what(ToString(health.transport));
  for (char& c : what) {
    if (c == '_') c = ' ';
  }
  return what.empty() || health.transport == TransportError::kNone ? "no answer" : what;
}

std::string HealthDiagnosis(const HealthRecord& health, FailureClass run_class) {
  switch (JudgeHealth(health, run_class)) {
    case HealthVerdict::kAgrees: return "";
    case HealthVerdict::kGreenMcpFailing:
      return "health endpoint green (" + HealthAnswer(health) + ") while MCP fails (" +
             std::string(ToString(run_class)) + "): internal checks pass, the MCP path does not";
    case HealthVerdict::kDraining: {
      std::string out = "health 503 (draining";
      if (!health.retry_after.empty()) out += ", Retry-After " + health.retry_after;
      return out + ")";
    }
    case HealthVerdict::kRedMcpOk:
      return "health endpoint failing (" + HealthAnswer(health) + ") while MCP answers";
  }
  return "";
}

void AddHealthDiagnosis(Verdict& verdict, const Transcript& t) {
  if (!t.health) return;
  const std::string line = HealthDiagnosis(*t.health, verdict.cls);
  if (line.empty()) return;
  if (!verdict.diagnosis.empty()) verdict.diagnosis += "; ";
  verdict.diagnosis += line;
}

}  // namespace mcpwatch
