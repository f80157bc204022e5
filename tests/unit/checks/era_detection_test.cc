#include "checks/era_detection.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

using nlohmann::json;
using Answer = DiscoverAttempt::Answer;

StepRecord Answered(int status, std::optional<int64_t> code = std::nullopt,
                    std::string message = "") {
  StepRecord rec;
  rec.step = Step::kInitialize;
  rec.http_status = status;
  rec.jsonrpc_code = code;
  if (code) rec.finding = Finding::kJsonRpcError;
  rec.message = std::move(message);
  return rec;
}

const json kDiscoverResult = {{"resultType", "complete"},
                              {"supportedVersions", {"2026-07-28"}},
                              {"capabilities", {{"tools", json::object()}}}};

TEST_CASE("era detection: how real servers answer server/discover", "[era]") {
  struct Row {
    const char* what;
    StepRecord rec;
    json result;
    std::vector<std::string> supported;
    bool step_timed_out;
    Answer want;
  };
  StepRecord timeout;
  timeout.transport = TransportError::kTimeout;
  StepRecord connect_timeout;
  connect_timeout.transport = TransportError::kConnectTimeout;
  StepRecord refused;
  refused.transport = TransportError::kConnectRefused;
  const std::vector<Row> rows = {
      {"a discover result", Answered(200), kDiscoverResult, {}, false, Answer::kModern},
      {"TS SDK v1: 400 -32000 missing session",
       Answered(400, -32000),
       nullptr,
       {},
       false,
       Answer::kLegacy},
      {"TS SDK: -32601 method not found",
       Answered(200, -32601),
       nullptr,
       {},
       false,
       Answer::kLegacy},
      {"modern-style 404 -32601 from a legacy server",
       Answered(404, -32601),
       nullptr,
       {},
       false,
       Answer::kLegacy},
      {"Python SDK: -32602", Answered(200, -32602), nullptr, {}, false, Answer::kLegacy},
      {"unsupported version naming only older versions",
       Answered(400, -32022),
       nullptr,
       {"2025-11-25"},
       false,
       Answer::kLegacy},
      {"plain 400", Answered(400), nullptr, {}, false, Answer::kLegacy},
      {"plain 404", Answered(404), nullptr, {}, false, Answer::kLegacy},
      {"405", Answered(405), nullptr, {}, false, Answer::kLegacy},
      {"500", Answered(500), nullptr, {}, false, Answer::kLegacy},
      {"200 with a result that is no discover result",
       Answered(200),
       json{{"content", json::array()}},
       {},
       false,
       Answer::kLegacy},
      {"no answer within the step's budget", timeout, nullptr, {}, true, Answer::kLegacy},
      {"no TCP answer within the step's budget",
       connect_timeout,
       nullptr,
       {},
       true,
       Answer::kLegacy},
      {"401 is authentication", Answered(401), nullptr, {}, false, Answer::kFail},
      {"403 is authentication", Answered(403), nullptr, {}, false, Answer::kFail},
      {"-32020 header mismatch is a modern server refusing us",
       Answered(400, -32020),
       nullptr,
       {},
       false,
       Answer::kFail},
      {"-32021 missing capability", Answered(400, -32021), nullptr, {}, false, Answer::kFail},
      {"-32022 naming 2026-07-28: retry",
       Answered(400, -32022),
       nullptr,
       {"2026-07-28", "2025-11-25"},
       false,
       Answer::kRetry},
      {"the run's own deadline is no era answer", timeout, nullptr, {}, false, Answer::kFail},
      {"connection refused", refused, nullptr, {}, false, Answer::kFail},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    DiscoverAttempt got =
        JudgeDiscoverAttempt(row.rec, row.result, row.supported, row.step_timed_out);
    CHECK(got.answer == row.want);
    CHECK_FALSE(got.reason.empty());
  }
}

TEST_CASE("era detection: the reason quotes the server's answer", "[era]") {
  auto got = JudgeDiscoverAttempt(Answered(400, -32000, "Mcp-Session-Id header is required"),
                                  nullptr, {}, false);
  CHECK(got.reason ==
        "server/discover answered HTTP 400 (JSON-RPC -32000): Mcp-Session-Id header is required");
}

TEST_CASE("era memory: learned from the handshake, kept through failures, reset by a deploy",
          "[era]") {
  Transcript legacy;
  legacy.era = ProtocolEra::kLegacy;
  legacy.transport = TransportKind::kSse;
  legacy.steps.push_back(Answered(200));

  ProbeHint hint = NextHint({}, legacy, false);
  CHECK(hint.era == ProtocolEra::kLegacy);
  CHECK(hint.transport == TransportKind::kSse);

  Transcript down;  // refused before any handshake
  StepRecord connect_timeout;
  connect_timeout.transport = TransportError::kConnectTimeout;
  StepRecord refused;
  refused.transport = TransportError::kConnectRefused;
  down.steps.push_back(refused);
  CHECK(LearnedEra(down) == std::nullopt);
  CHECK(NextHint(hint, down, false).era == ProtocolEra::kLegacy);

  CHECK_FALSE(NextHint(hint, legacy, true).era.has_value());
  CHECK_FALSE(NextHint(hint, legacy, true).transport.has_value());
}

}  // namespace
}  // namespace mcpwatch
