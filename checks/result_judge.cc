#include "checks/result_judge.h"

#include <algorithm>
#include <exception>
#include <regex>
#include <utility>
#include <vector>

#include "base/digest.h"
#include "checks/excerpt.h"
#include "checks/protocol_versions.h"
#include "checks/tool_list.h"

namespace mcpwatch {
namespace {

using nlohmann::json;

constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

std::string Dump(const json& j) {
  try {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception&) {
    return "null";  // only allocation failure remains possible with the replace handler
  }
}

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? Excerpt(it->get<std::string>(), 200) : std::string();
}

bool DeclaresTools(const json& result) {
  auto caps = result.find("capabilities");
  return caps != result.end() && caps->contains("tools");
}

tl::unexpected<Problem> Malformed(std::string message) {
  return tl::make_unexpected(Problem{Finding::kMalformedResult, std::move(message)});
}

// Why a modern-era result of `method` is not a complete one, or nullopt when it is.
std::optional<std::string> NotComplete(const json& result, std::string_view method) {
  std::string type = ResultTypeOf(result);
  if (type == "complete") return std::nullopt;
  if (type.empty()) return std::string(method) + " resultType is not a string";
  return std::string(method) + " answered resultType \"" + Excerpt(type, 40) +
         "\" instead of a complete result";
}

ToolsPageVerdict InvalidTools(std::string message) {
  ToolsPageVerdict v;
  v.kind = ToolsPageVerdict::Kind::kInvalid;
  v.problem = {Finding::kInvalidTools, std::move(message)};
  return v;
}

// The first three problems, then how many more: bounded for the step message.
std::string ProblemsMessage(const std::vector<std::string>& problems) {
  std::string msg = "invalid tool definitions: " + problems[0];
  for (std::size_t i = 1; i < problems.size() && i < 3; ++i) msg += "; " + problems[i];
  if (problems.size() > 3) msg += "; and " + std::to_string(problems.size() - 3) + " more";
  return Excerpt(msg, 400);
}

bool Matches(const std::string& text, const std::string& pattern) {
  try {
    return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript));
  } catch (const std::exception&) {
    return false;  // a regex that is invalid or too costly for this text counts as no match
  }
}

bool HasLineBreak(const std::string& text) {
  return text.find_first_of("\r\n") != std::string::npos;
}

// What expect_text was matched against, for the message: one plain part as it reads (bounded);
// otherwise every part labelled and quoted with JSON escapes, so a newline shows as \n and it
// is clear which parts were tried.
std::string DescribeParts(const std::vector<ToolResultPart>& parts) {
  if (parts.empty()) return "(no text content and no structuredContent)";
  if (parts.size() == 1 && !HasLineBreak(parts[0].text)) return Excerpt(parts[0].text, 160);
  std::string out;
  const std::size_t each = std::max<std::size_t>(160 / parts.size(), 40);
  for (std::size_t i = 0; i < parts.size() && i < 4; ++i) {
    if (i > 0) out += "; ";
    std::string text = parts[i].text.substr(0, each);
    out += parts[i].label + " " + Dump(json(text)) + (parts[i].text.size() > each ? "..." : "");
  }
  if (parts.size() > 4) out += "; and " + std::to_string(parts.size() - 4) + " more parts";
  return out;
}

}  // namespace

tl::expected<Handshake, Problem> JudgeInitializeResult(const json& result) {
  auto version = result.find("protocolVersion");
  if (version == result.end() || !version->is_string()) {
    return Malformed("initialize result has no protocolVersion");
  }
  auto v = version->get<std::string>();
  if (std::find(kSupportedProtocolVersions.begin(), kSupportedProtocolVersions.end(), v) ==
      kSupportedProtocolVersions.end()) {
    return tl::make_unexpected(
        Problem{Finding::kUnsupportedVersion,
                "server negotiated protocol version \"" + Excerpt(v, 40) +
                    "\", which mcpwatch does not speak (2024-11-05 … 2025-11-25)"});
  }
  auto info = result.find("serverInfo");
  if (info == result.end() || !info->is_object()) {
    return Malformed("initialize result has no serverInfo");
  }
  auto name = info->find("name");
  if (name == info->end() || !name->is_string()) return Malformed("serverInfo has no name");
  auto caps = result.find("capabilities");
  if (caps != result.end() && !caps->is_object()) {
    return Malformed("initialize result capabilities is not an object");
  }
  return Handshake{
      {StringField(*info, "name"), StringField(*info, "version"), StringField(*info, "title")},
      v,
      DeclaresTools(result)};
}

tl::expected<Handshake, Problem> JudgeDiscoverResult(const json& result) {
  if (auto why = NotComplete(result, "server/discover")) return Malformed(std::move(*why));
  auto versions = result.find("supportedVersions");
  if (versions == result.end() || !versions->is_array()) {
    return Malformed("server/discover result has no supportedVersions array");
  }
  bool listed = std::any_of(versions->begin(), versions->end(), [](const json& v) {
    return v.is_string() && v.get<std::string>() == kModernProtocolVersion;
  });
  if (!listed) {
    return tl::make_unexpected(
        Problem{Finding::kUnsupportedVersion,
                "server/discover supportedVersions " + Excerpt(Dump(*versions), 120) +
                    " does not list 2026-07-28, the modern version mcpwatch speaks"});
  }
  auto caps = result.find("capabilities");
  if (caps != result.end() && !caps->is_object()) {
    return Malformed("server/discover result capabilities is not an object");
  }
  return Handshake{DiscoveredServer(result), std::string(kModernProtocolVersion),
                   DeclaresTools(result)};
}

ServerInfo DiscoveredServer(const json& result) {
  const json* info = nullptr;
  if (auto meta = result.find("_meta"); meta != result.end() && meta->is_object()) {
    if (auto in_meta = meta->find(kMetaServerInfo); in_meta != meta->end()) info = &*in_meta;
  }
  // Servers that follow the initialize habit name themselves in the result (the conformance
  // suite's own servers do).
  if (info == nullptr) {
    if (auto top = result.find("serverInfo"); top != result.end()) info = &*top;
  }
  if (info == nullptr || !info->is_object()) return {};
  return {StringField(*info, "name"), StringField(*info, "version"), StringField(*info, "title")};
}

std::string ResultTypeOf(const json& result) {
  auto type = result.find("resultType");
  if (type == result.end()) return "complete";
  return type->is_string() ? type->get<std::string>() : std::string();
}

ToolsPageVerdict ToolsListing::AddPage(json result, ProtocolEra era) {
  ++pages_;
  if (era == ProtocolEra::kModern) {
    if (auto why = NotComplete(result, "tools/list")) return InvalidTools(std::move(*why));
  }
  auto tools = result.find("tools");
  if (tools == result.end() || !tools->is_array()) {
    return InvalidTools("tools/list result has no tools array");
  }
  for (auto& t : *tools) tools_.push_back(std::move(t));
  auto next = result.find("nextCursor");
  if (next != result.end() && next->is_string() && !next->get<std::string>().empty()) {
    std::string cursor = next->get<std::string>();
    if (!cursors_.insert(cursor).second) {
      return InvalidTools("tools/list nextCursor repeats a cursor");
    }
    if (pages_ >= max_pages_) {
      return InvalidTools("tools/list has more than " + std::to_string(max_pages_) + " pages");
    }
    ToolsPageVerdict v;
    v.kind = ToolsPageVerdict::Kind::kNextPage;
    v.next_cursor = std::move(cursor);
    return v;
  }
  auto problems = ValidateTools(tools_);
  if (!problems.empty()) return InvalidTools(ProblemsMessage(problems));
  ToolsPageVerdict v;
  v.kind = ToolsPageVerdict::Kind::kComplete;
  v.tool_count = static_cast<int>(tools_.size());
  v.canonical = CanonicalToolsJson(tools_);
  v.hash = Sha256Hex(v.canonical);
  return v;
}

std::optional<Problem> JudgeToolOffered(const ToolCallSpec& call, const json& tools) {
  bool offered = std::any_of(tools.begin(), tools.end(), [&](const json& t) {
    auto n = t.find("name");
    return n != t.end() && n->is_string() && n->get<std::string>() == call.name;
  });
  if (offered) return std::nullopt;
  return Problem{Finding::kToolMissing, "tool \"" + Excerpt(call.name, 80) +
                                            "\" is not offered (the server lists " +
                                            std::to_string(tools.size()) + " tools)"};
}

Problem ToolsNotDeclared(const ToolCallSpec& call) {
  return {Finding::kToolMissing,
          "tool \"" + call.name + "\" cannot be called: the server declares no tools capability"};
}

tl::expected<json, Problem> InputRetryParams(const json& result, const ToolCallSpec& call) {
  auto requests = result.find("inputRequests");
  if (requests == result.end() || !requests->is_object() || requests->empty()) {
    return tl::make_unexpected(Problem{Finding::kMalformedResult,
                                       "tools/call answered input_required without inputRequests"});
  }
  json responses = json::object();
  for (auto it = requests->begin(); it != requests->end(); ++it) {
    auto answer = call.input_responses.find(it.key());
    if (answer == call.input_responses.end()) {
      std::string method = it.value().is_object() ? StringField(it.value(), "method") : "";
      return tl::make_unexpected(Problem{
          Finding::kToolIsError, "tool asked for input \"" + Excerpt(it.key(), 60) + "\"" +
                                     (method.empty() ? "" : " (" + Excerpt(method, 40) + ")") +
                                     " and no input_responses answer is configured for it"});
    }
    responses[it.key()] = *answer;
  }
  json params = {{"name", call.name}, {"arguments", call.arguments}, {"inputResponses", responses}};
  if (auto state = result.find("requestState"); state != result.end()) {
    params["requestState"] = *state;
  }
  return params;
}

std::optional<Problem> JudgeToolCallResult(const json& result, const ToolCallSpec& call,
                                           ProtocolEra era) {
  if (era == ProtocolEra::kModern) {
    std::string type = ResultTypeOf(result);
    if (type == "input_required") {
      return Problem{Finding::kToolIsError,
                     "tool kept asking for input (input_required) after every configured answer"};
    }
    if (type != "complete") {
      return Problem{Finding::kMalformedResult,
                     type.empty() ? "tools/call resultType is not a string"
                                  : "tools/call answered resultType \"" + Excerpt(type, 40) +
                                        "\", which mcpwatch does not know"};
    }
  }
  std::string text = ToolResultText(result, kMaxAssertionText);
  auto is_error = result.find("isError");
  if (is_error != result.end() && is_error->is_boolean() && is_error->get<bool>()) {
    return Problem{Finding::kToolIsError, "tool returned isError: " + Excerpt(text, 200)};
  }
  if (call.expect_text.empty()) return std::nullopt;
  const std::vector<ToolResultPart> parts = ToolResultParts(result, kMaxAssertionText);
  if (std::any_of(parts.begin(), parts.end(),
                  [&](const ToolResultPart& p) { return Matches(p.text, call.expect_text); })) {
    return std::nullopt;
  }
  return Problem{Finding::kAssertionFailed, "result text does not match /" +
                                                Excerpt(call.expect_text, 80) +
                                                "/: " + DescribeParts(parts)};
}

namespace {

// Whether `value` is of JSON Schema `type` (a string naming one type; anything else fits).
bool FitsType(const json& value, const json& type) {
  if (!type.is_string()) return true;
  const std::string& t = type.get_ref<const std::string&>();
  if (t == "string") return value.is_string();
  if (t == "integer") return value.is_number_integer() || value.is_number_unsigned();
  if (t == "number") return value.is_number();
  if (t == "boolean") return value.is_boolean();
  if (t == "object") return value.is_object();
  if (t == "array") return value.is_array();
  if (t == "null") return value.is_null();
  return true;
}

std::string TypeOfProperty(const json& properties, const std::string& name) {
  if (!properties.is_object()) return "";
  auto p = properties.find(name);
  if (p == properties.end() || !p->is_object()) return "";
  auto type = p->find("type");
  return type != p->end() && type->is_string() ? " (" + type->get<std::string>() + ")" : "";
}

}  // namespace

std::string ArgumentsMisfit(const ToolCallSpec& call, const json& tools) {
  if (!tools.is_array()) return "";
  const json* schema = nullptr;
  for (const json& t : tools) {
    if (t.is_object() && t.value("name", json()) == json(call.name)) {
      auto s = t.find("inputSchema");
      if (s != t.end() && s->is_object()) schema = &*s;
      break;
    }
  }
  if (schema == nullptr || !call.arguments.is_object()) return "";
  const json properties = schema->value("properties", json());
  std::vector<std::string> problems;
  if (auto required = schema->find("required"); required != schema->end() && required->is_array()) {
    for (const json& r : *required) {
      if (r.is_string() && !call.arguments.contains(r.get<std::string>())) {
        problems.push_back(Excerpt(r.get<std::string>(), 40) + TypeOfProperty(properties, r) +
                           " is required");
      }
    }
  }
  for (const auto& [name, value] : call.arguments.items()) {
    if (properties.is_object() && !properties.contains(name)) {
      problems.push_back(Excerpt(name, 40) + " is not in the schema");
      continue;
    }
    if (!properties.is_object()) continue;
    const json& property = properties[name];
    if (property.is_object() && !FitsType(value, property.value("type", json()))) {
      problems.push_back(Excerpt(name, 40) + " must be " + property["type"].get<std::string>() +
                         ", the configured value is " + value.type_name());
    }
  }
  if (problems.empty()) return "";
  std::string out = "the configured arguments no longer fit " + Excerpt(call.name, 60) +
                    "'s input schema: " + problems[0];
  for (std::size_t i = 1; i < problems.size() && i < 4; ++i) out += "; " + problems[i];
  if (problems.size() > 4) out += "; and " + std::to_string(problems.size() - 4) + " more";
  return out;
}

}  // namespace mcpwatch
