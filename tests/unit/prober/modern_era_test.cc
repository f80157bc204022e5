// The modern (2026-07-28) era's pure wire pieces: recognising a modern rejection of initialize,
// and the _meta and headers every modern request carries. Judging server/discover results is
// tests/unit/checks/result_judge_handshake_test.cc.
#include "prober/modern_era.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mcpwatch {
namespace {

using nlohmann::json;

StepRecord Rejected(int status, std::optional<int64_t> code) {
  StepRecord r;
  r.http_status = status;
  r.jsonrpc_code = code;
  return r;
}

}  // namespace

TEST_CASE("modern era: only a 400 modern error listing 2026-07-28 switches eras", "[modern]") {
  const std::vector<std::string> modern = {"2026-07-28"};
  const std::vector<std::string> legacy_only = {"2025-11-25"};
  CHECK(OffersModernEra(Rejected(400, -32022), modern));
  CHECK(OffersModernEra(Rejected(400, -32020), {"2025-11-25", "2026-07-28"}));
  CHECK(OffersModernEra(Rejected(400, -32021), modern));
  CHECK_FALSE(OffersModernEra(Rejected(400, -32022), legacy_only));
  CHECK_FALSE(OffersModernEra(Rejected(400, -32022), {}));
  CHECK_FALSE(OffersModernEra(Rejected(400, -32602), modern));
  CHECK_FALSE(OffersModernEra(Rejected(400, -32019), modern));
  CHECK_FALSE(OffersModernEra(Rejected(400, -32023), modern));
  CHECK_FALSE(OffersModernEra(Rejected(400, std::nullopt), modern));
  CHECK_FALSE(OffersModernEra(Rejected(404, -32022), modern));
  StepRecord reset = Rejected(400, -32022);
  reset.transport = TransportError::kConnectionReset;
  CHECK_FALSE(OffersModernEra(reset, modern));
}

TEST_CASE("modern era: data.supported is read from the error body", "[modern]") {
  CHECK(SupportedVersionsOfErrorBody(
            R"({"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported protocol )"
            R"(version","data":{"supported":["2026-07-28",7,"2025-11-25"],"requested":"x"}}})") ==
        std::vector<std::string>{"2026-07-28", "2025-11-25"});
  CHECK(SupportedVersionsOfErrorBody(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32022,)"
                                     R"("message":"no data"}})")
            .empty());
  CHECK(SupportedVersionsOfErrorBody("Bad Request").empty());
  CHECK(SupportedVersionsOfErrorBody("").empty());
  CHECK(SupportedVersionsOfErrorBody(R"({"error":"invalid_token"})").empty());
}

TEST_CASE("modern era: every request carries version, client info and capabilities", "[modern]") {
  json params = WithModernMeta(json{{"name", "echo"}});
  CHECK(params["name"] == "echo");
  const json& meta = params["_meta"];
  CHECK(meta["io.modelcontextprotocol/protocolVersion"] == "2026-07-28");
  CHECK(meta["io.modelcontextprotocol/clientInfo"] ==
        json{{"name", "mcpwatch"}, {"version", "0.1.0"}});
  CHECK(meta["io.modelcontextprotocol/clientCapabilities"] == json::object());

  CHECK(NameHeader("").empty());
  CHECK(NameHeader("get_item") == std::vector<std::string>{"Mcp-Name: get_item"});
  // A control byte in a configured name cannot split the header: the spec's base64 form.
  CHECK(NameHeader("a\r\nX-Evil: 1") ==
        std::vector<std::string>{"Mcp-Name: =?base64?YQ0KWC1FdmlsOiAx?="});
}

}  // namespace mcpwatch
