// One classified probe run: the unit that storage keeps, metrics count and alerts read.
#pragma once

#include <chrono>
#include <string>

#include "checks/failure_class.h"
#include "checks/transcript.h"

namespace mcpwatch {

struct Verdict {
  FailureClass cls = FailureClass::kOk;
  std::string error;      // one line: which step broke and why ("" when ok)
  std::string diagnosis;  // for latency: which phases moved and what that points at
};

struct ProbeResult {
  std::string target;  // configured name ("" for an ad-hoc `mcpwatch probe URL`)
  std::string url;     // never carries credentials
  std::chrono::system_clock::time_point started_at{};
  Transcript transcript;
  Verdict verdict;

  bool Success() const { return IsSuccess(verdict.cls); }
  // The server's version and tool surface were measured by this run: it succeeded, or
  // initialize (server/discover) and tools/list answered before a later step failed. Drift and
  // deploy detection read every such run, so a deploy that breaks the tool call is still seen
  // as a deploy with its drift (issue 11).
  bool SurfaceKnown() const { return Success() || !transcript.tools_hash.empty(); }
};

}  // namespace mcpwatch
