// What to probe and how: the input of one probe run, shared by the command line, the config
// file and the scheduler. Plain data; secrets live here only in memory.
#pragma once

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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
};

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
};

}  // namespace mcpwatch
