// JSON-RPC 2.0 framing for MCP: building our messages and classifying what servers send.
// Pure functions of JSON values; none of them throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mcpwatch::jsonrpc {

// Serialised (compact) messages ready to POST. params is omitted when null.
std::string Request(int64_t id, std::string_view method, const nlohmann::json& params);
std::string Notification(std::string_view method, const nlohmann::json& params = nullptr);
// Answers to server requests: Result for ping, Error (e.g. -32601) for what we do not serve.
std::string Result(const nlohmann::json& id, const nlohmann::json& result);
std::string Error(const nlohmann::json& id, int64_t code, std::string_view message);

inline constexpr int64_t kMethodNotFound = -32601;
inline constexpr std::size_t kMaxErrorMessageChars = 500;

enum class Kind { kResult, kError, kNotification, kRequest, kInvalid };
std::string_view ToString(Kind k);  // "result" | "error" | "notification" | "request" | "invalid"

struct Message {
  Kind kind = Kind::kInvalid;
  nlohmann::json id;           // null when absent
  std::string method;          // notifications / requests
  nlohmann::json result;       // kResult
  int64_t error_code = 0;      // kError
  std::string error_message;   // kError (bounded to kMaxErrorMessageChars bytes, UTF-8 safe)
  nlohmann::json error_data;   // kError
  std::string invalid_reason;  // kInvalid: e.g. "jsonrpc member is not \"2.0\""
};

// Strict JSON-RPC 2.0: a message without "jsonrpc":"2.0", with both result and error, or with
// a non-integer error code is kInvalid with a reason. An error may carry a null id.
Message Classify(const nlohmann::json& j);

// True when the message answers request `id`: the id is a JSON integer of the same value.
// A string "1" or a float 1.0 does not match request 1.
bool IdMatches(const nlohmann::json& message_id, int64_t request_id);

// A JSON array body (2025-03-26 batching) yields one Message per element; an empty array
// yields one kInvalid message; any other value yields Classify(j).
std::vector<Message> ClassifyBody(const nlohmann::json& j);

}  // namespace mcpwatch::jsonrpc
