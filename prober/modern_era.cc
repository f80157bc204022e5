#include "prober/modern_era.h"

#include <algorithm>

#include "prober/bounded_json.h"
#include "prober/channel_common.h"
#include "prober/jsonrpc.h"

namespace mcpwatch {
namespace {

using nlohmann::json;

constexpr const char* kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
constexpr const char* kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
constexpr const char* kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

std::string HeaderSafe(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? Excerpt(it->get<std::string>(), 200) : std::string();
}

}  // namespace

bool OffersModernEra(const StepRecord& initialize, const std::vector<std::string>& supported) {
  if (initialize.transport != TransportError::kNone || initialize.http_status != 400) return false;
  if (!initialize.jsonrpc_code || *initialize.jsonrpc_code > -32020 ||
      *initialize.jsonrpc_code < -32022) {
    return false;
  }
  return std::find(supported.begin(), supported.end(), kModernProtocolVersion) != supported.end();
}

std::vector<std::string> SupportedVersionsOfErrorBody(std::string_view body) {
  std::vector<std::string> out;
  if (body.empty()) return out;
  auto parsed = ParseJson(body, JsonLimits{64 * 1024, 32});
  if (!parsed) return out;
  for (const auto& m : jsonrpc::ClassifyBody(*parsed)) {
    if (m.kind != jsonrpc::Kind::kError) continue;
    if (!m.error_data.is_object()) return out;
    auto supported = m.error_data.find("supported");
    if (supported == m.error_data.end() || !supported->is_array()) return out;
    for (const auto& v : *supported) {
      if (v.is_string()) out.push_back(Excerpt(v.get<std::string>(), 40));
    }
    return out;
  }
  return out;
}

json WithModernMeta(json params) {
  params["_meta"] = {{kMetaProtocolVersion, kModernProtocolVersion},
                     {kMetaClientInfo, {{"name", kClientName}, {"version", kClientVersion}}},
                     {kMetaClientCapabilities, json::object()}};
  return params;
}

std::vector<std::string> ModernHeaders(std::string_view method, std::string_view name) {
  std::vector<std::string> h = {"Mcp-Method: " + HeaderSafe(method)};
  if (!name.empty()) h.push_back("Mcp-Name: " + HeaderSafe(name));
  return h;
}

std::string CheckDiscoverResult(const json& result, Finding& finding) {
  std::string type = ResultTypeOf(result);
  if (type != "complete") {
    finding = Finding::kMalformedResult;
    return type.empty() ? "server/discover resultType is not a string"
                        : "server/discover answered resultType \"" + Excerpt(type, 40) +
                              "\" instead of a complete result";
  }
  auto versions = result.find("supportedVersions");
  if (versions == result.end() || !versions->is_array()) {
    finding = Finding::kMalformedResult;
    return "server/discover result has no supportedVersions array";
  }
  bool listed = std::any_of(versions->begin(), versions->end(), [](const json& v) {
    return v.is_string() && v.get<std::string>() == kModernProtocolVersion;
  });
  if (!listed) {
    finding = Finding::kUnsupportedVersion;
    return "server/discover supportedVersions " + Excerpt(DumpJson(*versions), 120) +
           " does not list 2026-07-28, the modern version mcpwatch speaks";
  }
  auto caps = result.find("capabilities");
  if (caps != result.end() && !caps->is_object()) {
    finding = Finding::kMalformedResult;
    return "server/discover result capabilities is not an object";
  }
  return "";
}

ServerInfo DiscoveredServer(const json& result) {
  auto meta = result.find("_meta");
  if (meta == result.end() || !meta->is_object()) return {};
  auto info = meta->find(kMetaServerInfo);
  if (info == meta->end() || !info->is_object()) return {};
  return {StringField(*info, "name"), StringField(*info, "version"), StringField(*info, "title")};
}

std::string ResultTypeOf(const json& result) {
  auto type = result.find("resultType");
  if (type == result.end()) return "complete";
  return type->is_string() ? type->get<std::string>() : std::string();
}

}  // namespace mcpwatch
