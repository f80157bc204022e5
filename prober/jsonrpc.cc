#include "prober/jsonrpc.h"

#include <cstdint>
#include <exception>
#include <limits>
#include <utility>

#include "prober/bounded_json.h"

namespace mcpwatch::jsonrpc {
namespace {

using nlohmann::json;

json Envelope() {
  return json{{"jsonrpc", "2.0"}};
}

bool IsIntegerId(const json& id) {
  return id.is_number_integer();
}  // signed or unsigned

// Cuts at most max bytes without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

Message Invalid(std::string reason, const json& id = nullptr) {
  Message m;
  m.kind = Kind::kInvalid;
  m.id = id;
  m.invalid_reason = std::move(reason);
  return m;
}

Message ClassifyCall(const json& j) {
  const json& method = j.at("method");
  if (!method.is_string()) return Invalid("method is not a string");
  if (j.contains("result") || j.contains("error")) {
    return Invalid("message has both a method and a result or error");
  }
  if (j.contains("params") && !j["params"].is_object() && !j["params"].is_array()) {
    return Invalid("params is not an object or array");
  }
  Message m;
  m.method = method.get<std::string>();
  if (!j.contains("id")) {
    m.kind = Kind::kNotification;
    return m;
  }
  m.id = j["id"];
  if (!IsIntegerId(m.id) && !m.id.is_string()) {
    return Invalid("request id is not a string or integer", m.id);
  }
  m.kind = Kind::kRequest;
  return m;
}

Message ClassifyError(const json& j, json id) {
  if (!id.is_null() && !IsIntegerId(id) && !id.is_string()) {
    return Invalid("response id is not a string, integer or null", id);
  }
  const json& error = j.at("error");
  if (!error.is_object()) return Invalid("error is not an object", id);
  if (!error.contains("code") || !error["code"].is_number_integer()) {
    return Invalid("error.code is not an integer", id);
  }
  if (!error.contains("message") || !error["message"].is_string()) {
    return Invalid("error.message is not a string", id);
  }
  if (error["code"].is_number_unsigned() &&
      error["code"].get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Invalid("error.code is out of range", id);
  }
  Message m;
  m.kind = Kind::kError;
  m.id = std::move(id);
  m.error_code = error["code"].get<int64_t>();
  m.error_message = TruncateUtf8(error["message"].get<std::string>(), kMaxErrorMessageChars);
  if (error.contains("data")) m.error_data = error["data"];
  return m;
}

Message ClassifyUnchecked(const json& j) {
  if (!j.is_object()) return Invalid("message is not a JSON object");
  const auto version = j.find("jsonrpc");
  if (version == j.end() || !version->is_string() || version->get<std::string>() != "2.0") {
    return Invalid("jsonrpc member is not \"2.0\"", j.value("id", json()));
  }
  if (j.contains("method")) return ClassifyCall(j);
  const bool has_result = j.contains("result");
  const bool has_error = j.contains("error");
  if (has_result && has_error) {
    return Invalid("response has both result and error", j.value("id", json()));
  }
  if (!has_result && !has_error) return Invalid("message has no method, result or error");
  if (!j.contains("id")) return Invalid("response has no id member");
  json id = j["id"];
  if (has_error) return ClassifyError(j, std::move(id));
  if (!IsIntegerId(id) && !id.is_string()) {
    return Invalid("result id is not a string or integer", id);
  }
  Message m;
  m.kind = Kind::kResult;
  m.id = std::move(id);
  m.result = j["result"];
  return m;
}

}  // namespace

std::string Request(int64_t id, std::string_view method, const nlohmann::json& params) {
  json j = Envelope();
  j["id"] = id;
  j["method"] = std::string(method);
  if (!params.is_null()) j["params"] = params;
  return DumpJson(j);
}

std::string Notification(std::string_view method, const nlohmann::json& params) {
  json j = Envelope();
  j["method"] = std::string(method);
  if (!params.is_null()) j["params"] = params;
  return DumpJson(j);
}

std::string Result(const nlohmann::json& id, const nlohmann::json& result) {
  json j = Envelope();
  j["id"] = id;
  j["result"] = result;
  return DumpJson(j);
}

std::string Error(const nlohmann::json& id, int64_t code, std::string_view message) {
  json j = Envelope();
  j["id"] = id;
  j["error"] = json{{"code", code}, {"message", std::string(message)}};
  return DumpJson(j);
}

std::string_view ToString(Kind k) {
  switch (k) {
    case Kind::kResult: return "result";
    case Kind::kError: return "error";
    case Kind::kNotification: return "notification";
    case Kind::kRequest: return "request";
    case Kind::kInvalid: return "invalid";
  }
  return "unknown";
}

Message Classify(const nlohmann::json& j) {
  try {
    return ClassifyUnchecked(j);
  } catch (const std::exception& e) {
    // Only allocation failure can reach here; the checks above guard every typed access.
    return Invalid(std::string("unreadable message: ") + e.what());
  }
}

bool IdMatches(const nlohmann::json& message_id, int64_t request_id) {
  if (message_id.is_number_unsigned()) {
    return request_id >= 0 && message_id.get<uint64_t>() == static_cast<uint64_t>(request_id);
  }
  if (message_id.is_number_integer()) return message_id.get<int64_t>() == request_id;
  return false;
}

std::vector<Message> ClassifyBody(const nlohmann::json& j) {
  std::vector<Message> out;
  if (!j.is_array()) {
    out.push_back(Classify(j));
    return out;
  }
  if (j.empty()) {
    out.push_back(Invalid("empty JSON-RPC batch"));
    return out;
  }
  out.reserve(j.size());
  for (const auto& element : j) out.push_back(Classify(element));
  return out;
}

}  // namespace mcpwatch::jsonrpc
