// Pieces both transports share: request headers, error-body excerpts, and picking our response
// out of the JSON-RPC messages a server sends.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/excerpt.h"  // Excerpt, for error messages
#include "checks/probe_spec.h"
#include "checks/transcript.h"
#include "prober/http_exchange.h"
#include "prober/jsonrpc.h"
#include "prober/rpc_channel.h"

namespace mcpwatch {

// The operator's headers plus Authorization; never logged.
std::vector<std::string> BaseHeaders(const ProbeSpec& spec);

// Fills the HTTP facts of a response into a step record, and for a non-2xx status a message
// from its body (the JSON-RPC error message when there is one, else an excerpt).
void RecordHttp(StepRecord& rec, const HttpResponseHead& head, std::string_view body);
void RecordTransport(StepRecord& rec, const HttpOutcome& out);

// Scans messages for the response to request `id`. Server requests are collected so the caller
// can answer them; notifications are ignored.
struct Scan {
  std::optional<jsonrpc::Message> response;   // the answer to our id
  std::optional<jsonrpc::Message> foreign;    // a response to some other id
  std::optional<std::string> invalid;         // why a message was not valid JSON-RPC
  std::vector<jsonrpc::Message> server_requests;
};
void ScanMessages(const nlohmann::json& body, int64_t id, Scan& scan);

// The request (or notification) in flight, as both transports keep it; each adds its own
// state by deriving. Made when the step starts, moved out when its `done` is called.
struct PendingRequest {
  PendingRequest(Step s, RpcChannel::Done d, bool had_session) : step(s), done(std::move(d)) {
    record.step = s;
    record.had_session = had_session;
  }

  Step step;
  int64_t id = 0;  // our JSON-RPC id; unused for a notification
  bool notification = false;
  RpcChannel::Done done;
  EventLoop::Clock::time_point started;
  StepRecord record;
  Scan scan;
  nlohmann::json result;
};

// Turns a found response into the step's finding and result.
void RecordResponse(StepRecord& rec, const jsonrpc::Message& msg, nlohmann::json& result);

// A step record for a request that found no response, from what the scan saw.
void RecordMissingResponse(StepRecord& rec, const Scan& scan, std::string_view what);

}  // namespace mcpwatch
