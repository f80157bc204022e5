// One `runs` row as C++ values, and the mapping from a ProbeResult to it.
//
// Steps are stored as a compact positional JSON array, one array per step in run order:
//   [["initialize",true,200,null,12.5,14.25],["tools_list",false,500,-32603,3.1,3.4]]
//   [name, ok, http_status, jsonrpc_code, ttfb_ms, duration_ms]
// (about 40 bytes a step instead of about 90 with keyed objects; in SQL:
// json_extract(steps, '$[0][5]') is the first step's duration_ms).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "checks/failure_class.h"
#include "checks/probe_result.h"
#include "checks/step.h"
#include "checks/transcript.h"

namespace mcpwatch::storage {

using TimePoint = std::chrono::system_clock::time_point;

struct StepRow {
  Step step = Step::kInitialize;
  bool ok = false;
  int http_status = 0;
  std::optional<int64_t> jsonrpc_code;
  Micros ttfb{0};
  Micros duration{0};

  bool operator==(const StepRow&) const = default;
};

struct RunRow {
  int64_t id = 0;  // 0 until stored
  std::string target;
  TimePoint started_at{};
  FailureClass cls = FailureClass::kOk;
  bool ok = false;
  Micros total{0};
  std::string error;
  std::string diagnosis;
  std::string transport;  // "streamable-http" | "sse"
  std::string protocol_version;
  std::string server_name;
  std::string server_version;
  std::optional<int> tool_count;
  std::string tools_hash;
  Micros dns{0};
  Micros connect{0};
  Micros tls{0};
  std::optional<TimePoint> cert_not_after;
  std::vector<StepRow> steps;
  bool maintenance = false;
  std::optional<int> health_status;  // the health endpoint's HTTP status, 0: no answer; nullopt:
                                     // no health_url (issue 11)
};

// Copies what the runs table keeps; drops the rest (e.g. the canonical tool JSON, which lives
// in schema_snapshots only when it changes).
RunRow ToRunRow(const ProbeResult& result, bool maintenance);

std::string EncodeSteps(const std::vector<StepRow>& steps);
tl::expected<std::vector<StepRow>, std::string> DecodeSteps(std::string_view json);

// Storage units at the SQLite edge: ms since the epoch, REAL ms.
int64_t ToEpochMs(TimePoint t);
TimePoint FromEpochMs(int64_t ms);
double ToMs(Micros d);
Micros FromMs(double ms);

}  // namespace mcpwatch::storage
