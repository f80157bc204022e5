#include "storage/run_row.h"

#include <catch2/catch.hpp>

#include "tests/unit/storage/test_data.h"

namespace mcpwatch::storage {
namespace {

TEST_CASE("steps encode to positional JSON and decode back", "[storage][run_row]") {
  std::vector<StepRow> steps = {
      {.step = Step::kInitialize,
       .ok = true,
       .http_status = 200,
       .jsonrpc_code = std::nullopt,
       .ttfb = Micros(12'500),
       .duration = Micros(14'250)},
      {.step = Step::kToolCall,
       .ok = false,
       .http_status = 200,
       .jsonrpc_code = -32603,
       .ttfb = Micros(3'001),
       .duration = Micros(3'400)},
  };
  const std::string json = EncodeSteps(steps);
  CHECK(json ==
        R"([["initialize",true,200,null,12.5,14.25],["tool_call",false,200,-32603,3.001,3.4]])");
  auto back = DecodeSteps(json);
  REQUIRE(back);
  CHECK(*back == steps);
  CHECK(EncodeSteps({}) == "[]");
}

TEST_CASE("malformed steps JSON is an error, not an exception", "[storage][run_row]") {
  CHECK_FALSE(DecodeSteps("not json"));
  CHECK_FALSE(DecodeSteps(R"({"a":1})"));
  CHECK_FALSE(DecodeSteps(R"([["initialize",true]])"));
  CHECK_FALSE(DecodeSteps(R"([["warp",true,200,null,1,1]])"));
  CHECK_FALSE(DecodeSteps(R"([["ping","yes",200,null,1,1]])"));
}

TEST_CASE("a ProbeResult maps onto a runs row", "[storage][run_row]") {
  ProbeResult r = testing::MakeResult("shop", testing::At(1'234), FailureClass::kLatencySpike);
  r.transcript.cert_not_after = testing::At(9'000);
  r.verdict.diagnosis = "tool_call 8x baseline";
  const RunRow row = ToRunRow(r, true);
  CHECK(row.target == "shop");
  CHECK(ToEpochMs(row.started_at) == 1'234);
  CHECK(row.cls == FailureClass::kLatencySpike);
  CHECK(row.ok);  // a spike is a successful run
  CHECK(row.transport == "streamable-http");
  CHECK(row.diagnosis == "tool_call 8x baseline");
  CHECK(row.cert_not_after == testing::At(9'000));
  CHECK(row.maintenance);
  REQUIRE(row.steps.size() == 5);
  CHECK(row.steps[1].http_status == 202);
  CHECK(row.steps[1].ok);
}

}  // namespace
}  // namespace mcpwatch::storage
