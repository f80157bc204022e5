// The server's own health endpoint against what the probe saw (issue 11, item 5): internal
// checks that say healthy while MCP fails, and a health endpoint that says the server is
// draining. Pure: a function of one run's health record and class.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "checks/failure_class.h"
#include "checks/probe_result.h"
#include "checks/transcript.h"

namespace mcpwatch {

enum class HealthVerdict {
  kAgrees,           // both green, or both failing for the same reason (e.g. refused)
  kGreenMcpFailing,  // health 2xx while the MCP run failed: the seed's central point
  kDraining,         // health 503: the server says it is going away (rolling deploy)
  kRedMcpOk,         // health failing (non-2xx other than 503, or no answer) while MCP works
};

std::string_view ToString(HealthVerdict v);  // "agrees", "green_mcp_failing", ...

HealthVerdict JudgeHealth(const HealthRecord& health, FailureClass run_class);

// The run's diagnosis line for a disagreement, "" when they agree:
//   "health endpoint green (HTTP 200) while MCP fails (tool_error): internal checks pass, the
//    MCP path does not"
//   "health 503 (draining, Retry-After 30)"
//   "health endpoint failing (HTTP 500) while MCP answers"
std::string HealthDiagnosis(const HealthRecord& health, FailureClass run_class);

// How the health endpoint answered, for status lines: "HTTP 200", "connect refused".
std::string HealthAnswer(const HealthRecord& health);

// Adds the transcript's HealthDiagnosis (if any) to the verdict's diagnosis, after what is
// there ("; " between). Called after Classify by the daemon and `mcpwatch probe`.
void AddHealthDiagnosis(Verdict& verdict, const Transcript& t);

}  // namespace mcpwatch
