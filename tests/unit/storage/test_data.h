// Shared by the storage tests and the history bench: a scratch directory and synthetic runs.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "checks/probe_result.h"
#include "storage/run_row.h"
#include "tests/unit/scratch_dir.h"

namespace mcpwatch::storage::testing {

using ScratchDir = unit::ScratchDir;

inline TimePoint At(int64_t epoch_ms) {
  return FromEpochMs(epoch_ms);
}

// A plausible full run: initialize, initialized, tools_list, ping, close.
inline ProbeResult MakeResult(const std::string& target, TimePoint started_at,
                              FailureClass cls = FailureClass::kOk, Micros total = Micros(20'000)) {
  ProbeResult r;
  r.target = target;
  r.url = "http://127.0.0.1:1/mcp";
  r.started_at = started_at;
  r.verdict.cls = cls;
  if (!IsSuccess(cls)) r.verdict.error = "tools_list: HTTP 500";
  Transcript& t = r.transcript;
  t.protocol_version = "2025-06-18";
  t.server = ServerInfo{.name = "fixture", .version = "1.2.3", .title = ""};
  t.tool_count = 3;
  t.tools_hash = std::string(64, 'a');
  t.timings =
      RunTimings{.dns = Micros(300), .connect = Micros(450), .tls = Micros(0), .total = total};
  int status = 200;
  for (Step s :
       {Step::kInitialize, Step::kInitialized, Step::kToolsList, Step::kPing, Step::kClose}) {
    StepRecord rec;
    rec.step = s;
    rec.http_status = s == Step::kInitialized ? 202 : status;
    rec.ttfb = Micros(1'250);
    rec.duration = Micros(2'500);
    if (s == Step::kToolsList && !IsSuccess(cls)) {
      rec.http_status = 500;
      rec.jsonrpc_code = -32603;
    }
    t.steps.push_back(rec);
  }
  return r;
}

}  // namespace mcpwatch::storage::testing
