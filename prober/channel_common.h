// Pieces both transports share: request headers, error-body excerpts, and picking our response
// out of the JSON-RPC messages a server sends.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/excerpt.h"  // Excerpt, for error messages
#include "checks/probe_spec.h"
#include "checks/transcript.h"
#include "prober/http_exchange.h"
#include "prober/jsonrpc.h"

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

// Turns a found response into the step's finding and result.
void RecordResponse(StepRecord& rec, const jsonrpc::Message& msg, nlohmann::json& result);

// A step record for a request that found no response, from what the scan saw.
void RecordMissingResponse(StepRecord& rec, const Scan& scan, std::string_view what);

}  // namespace mcpwatch
