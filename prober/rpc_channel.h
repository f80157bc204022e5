// A JSON-RPC channel to one MCP server: the part of a probe run that differs between the
// Streamable HTTP transport and the legacy HTTP+SSE transport. The probe run (probe_run.h)
// drives the MCP steps over either. Thread: loop thread only; one call at a time.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/probe_spec.h"
#include "checks/transcript.h"
#include "prober/event_loop.h"

namespace mcpwatch {

// Bounds that keep a hostile or broken server from costing us memory or time.
struct ProbeLimits {
  std::size_t max_body_bytes = 4 * 1024 * 1024;     // one JSON response body
  std::size_t max_stream_bytes = 16 * 1024 * 1024;  // all bytes of one SSE response stream
  std::size_t max_event_bytes = 4 * 1024 * 1024;    // one SSE event
  std::size_t max_events = 10000;                   // SSE events per response stream
  int max_tools_pages = 50;
  int max_resume_attempts = 3;
  std::chrono::milliseconds default_retry{1000};    // SSE reconnect delay when none given
  std::chrono::milliseconds max_retry{5000};        // cap on a server's retry: field
};

struct ChannelContext {
  EventLoop& loop;
  const ProbeSpec& spec;
  EventLoop::Clock::time_point deadline;
  ProbeLimits limits;
};

// What one request produced: the step's record plus, on success, the JSON-RPC result.
struct RpcOutcome {
  StepRecord record;
  nlohmann::json result;  // null unless record.Ok()
  // data.supported of a JSON-RPC error in a non-2xx body (a modern server names its versions).
  std::vector<std::string> supported_versions;
};

class RpcChannel {
 public:
  using Done = std::function<void(RpcOutcome)>;
  virtual ~RpcChannel() = default;

  // Sends a request and reports its response or failure exactly once.
  virtual void Call(Step step, std::string_view method, const nlohmann::json& params, Done done) = 0;
  // Sends a notification (expects 202, tolerates other 2xx).
  virtual void Notify(Step step, std::string_view method, Done done) = 0;
  // Ends the session; reports the close step's record, or nullopt when there was nothing to end.
  virtual void Close(std::function<void(std::optional<StepRecord>)> done) = 0;
  // The version every later request announces in MCP-Protocol-Version.
  virtual void SetProtocolVersion(std::string version) = 0;

  // Timings of the run's first connection and its certificate, once known.
  virtual RunTimings connection_timings() const = 0;
  virtual std::optional<std::chrono::system_clock::time_point> cert_not_after() const = 0;
};

}  // namespace mcpwatch
