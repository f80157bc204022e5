#include "prober/modern_era.h"

#include <algorithm>

#include "checks/tool_headers.h"
#include "prober/bounded_json.h"
#include "prober/channel_common.h"
#include "prober/jsonrpc.h"

namespace mcpwatch {
namespace {

using nlohmann::json;

constexpr const char* kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
constexpr const char* kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
constexpr const char* kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";

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

std::vector<std::string> NameHeader(std::string_view name) {
  if (name.empty()) return {};
  return {"Mcp-Name: " + EncodeHeaderValue(name)};
}

}  // namespace mcpwatch
