// A response body as a hostile server may send it: bounded JSON (prober/bounded_json.h), the
// JSON-RPC framing of single and batch bodies (prober/jsonrpc.h), and every result judge
// (checks/result_judge.h) in both protocol eras. The input is the body text alone, so real
// answers make good seeds; the expect_text pattern is one of a few an operator would write.
#include <array>
#include <cstdint>
#include <string_view>

#include "checks/result_judge.h"
#include "fuzz/check.h"
#include "prober/bounded_json.h"
#include "prober/jsonrpc.h"

namespace {

using namespace mcpwatch;

constexpr std::array<const char*, 4> kPatterns = {"", "Echo: .*", "\"status\":\\s*\"(ok|up)\"",
                                                  "^[0-9]+$"};

void JudgeResult(const nlohmann::json& result, const ToolCallSpec& call) {
  (void)JudgeInitializeResult(result);
  (void)JudgeDiscoverResult(result);
  (void)DiscoveredServer(result);
  (void)ResultTypeOf(result);
  for (ProtocolEra era : {ProtocolEra::kLegacy, ProtocolEra::kModern}) {
    ToolsListing listing(2);
    ToolsPageVerdict verdict = listing.AddPage(result, era);
    if (verdict.kind == ToolsPageVerdict::Kind::kNextPage) verdict = listing.AddPage(result, era);
    FUZZ_CHECK(listing.pages() <= 2 && listing.tools().is_array());
    (void)JudgeToolOffered(call, listing.tools());
    (void)ArgumentsMisfit(call, listing.tools());
    if (auto problem = JudgeToolCallResult(result, call, era)) {
      FUZZ_CHECK(!problem->message.empty());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseJson(body, JsonLimits{.max_bytes = 1024 * 1024, .max_depth = 32});
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty() && parsed.error().find('\n') == std::string::npos);
    return 0;
  }
  (void)DumpJson(*parsed);
  ToolCallSpec call;
  call.name = "echo";
  call.arguments = {{"message", "probe"}};
  call.expect_text = kPatterns[size % kPatterns.size()];
  for (const jsonrpc::Message& message : jsonrpc::ClassifyBody(*parsed)) {
    FUZZ_CHECK(message.error_message.size() <= jsonrpc::kMaxErrorMessageChars);
    FUZZ_CHECK((message.kind == jsonrpc::Kind::kInvalid) != message.invalid_reason.empty());
    (void)jsonrpc::IdMatches(message.id, 1);
    if (message.kind == jsonrpc::Kind::kResult) JudgeResult(message.result, call);
  }
  return 0;
}
