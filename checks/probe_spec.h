// What to probe and how: the input of one probe run, shared by the command line, the config
// file and the scheduler. Plain data; secrets live here only in memory.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checks/transcript.h"

namespace mcpwatch {

enum class TransportChoice { kAuto, kStreamableHttp, kSse };
inline constexpr std::array kAllTransportChoices = {
    TransportChoice::kAuto, TransportChoice::kStreamableHttp, TransportChoice::kSse};
std::string_view ToString(TransportChoice t);  // "auto" | "streamable-http" | "sse"
std::optional<TransportChoice> ParseTransportChoice(std::string_view s);

// The synthetic tools/call the operator named. We never call a tool nobody named.
struct ToolCallSpec {
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
  std::string expect_text;  // ECMAScript regex searched in the result text; "" = no assertion
  // Answers to a modern server's input requests (MRTR, 2026-07-28), by input request key: a
  // tool that returns input_required is retried with these as inputResponses.
  nlohmann::json input_responses = nlohmann::json::object();
};

// What earlier runs learned about the server, so a steady-state run costs no detection round
// trip: the era its handshake answered in and the transport that carried it. Empty for a
// one-shot probe and after a deploy (the daemon forgets it then and the run learns again).
struct ProbeHint {
  std::optional<ProtocolEra> era;
  std::optional<TransportKind> transport;
};

// Headers one HTTP request of a run adds, computed just before it is sent from its method
// ("POST" | "GET" | "DELETE") and URL: a DPoP proof must be fresh for every request (RFC 9449
// §4). Called on the loop thread; must not block. Unset = none. Values are secrets.
using RequestHeaderHook =
    std::function<std::vector<std::string>(std::string_view method, std::string_view url)>;

struct ProbeSpec {
  std::string url;
  TransportChoice transport = TransportChoice::kAuto;
  std::vector<std::string> headers;  // "Name: value" lines sent on every request
  std::string bearer_token;          // sent as Authorization: Bearer; never logged or stored
  // Values scrubbed from everything the run hands back (checks/redaction.h SpecSecrets fills
  // it from the token and the credential headers); never logged or stored.
  std::vector<std::string> secrets;
  std::chrono::milliseconds timeout{10000};  // whole-run deadline
  std::optional<ToolCallSpec> tool_call;
  std::string ca_file;  // extra trusted CA bundle (PEM)
  // The server's own health endpoint, GET alongside the run within its deadline ("" = none).
  // Sent without the operator's headers or token: it is another URL (issue 11).
  std::string health_url;
  ProbeHint hint;
  RequestHeaderHook request_headers;
};

}  // namespace mcpwatch
