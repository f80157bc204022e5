#include "checks/era_detection.h"

#include <algorithm>

#include "checks/excerpt.h"
#include "checks/protocol_versions.h"
#include "checks/result_judge.h"

namespace mcpwatch {
namespace {

using Answer = DiscoverAttempt::Answer;

std::string HowAnswered(const StepRecord& rec) {
  std::string out = "HTTP " + std::to_string(rec.http_status);
  if (rec.jsonrpc_code) out += " (JSON-RPC " + std::to_string(*rec.jsonrpc_code) + ")";
  if (!rec.message.empty()) out += ": " + Excerpt(rec.message, 120);
  return out;
}

bool Lists(const std::vector<std::string>& versions, std::string_view v) {
  return std::find(versions.begin(), versions.end(), v) != versions.end();
}

}  // namespace

DiscoverAttempt JudgeDiscoverAttempt(const StepRecord& rec, const nlohmann::json& result,
                                     const std::vector<std::string>& supported,
                                     bool step_timed_out) {
  if (rec.transport != TransportError::kNone) {
    const bool timeout = rec.transport == TransportError::kTimeout ||
                         rec.transport == TransportError::kConnectTimeout;
    if (timeout && step_timed_out) {
      return {Answer::kLegacy, "server/discover got no answer in time"};
    }
    // Nothing answered at all (DNS, connect, TLS, reset): no era to learn, the run fails.
    return {Answer::kFail, std::string(ToString(rec.transport))};
  }
  const long status = rec.http_status;
  if (status == 401 || status == 403) return {Answer::kFail, HowAnswered(rec)};
  if (rec.jsonrpc_code && (*rec.jsonrpc_code == -32020 || *rec.jsonrpc_code == -32021)) {
    // Header mismatch or a missing client capability: a modern server refusing our request.
    return {Answer::kFail, HowAnswered(rec)};
  }
  if (rec.jsonrpc_code && *rec.jsonrpc_code == -32022 && Lists(supported, kModernProtocolVersion)) {
    return {Answer::kRetry, HowAnswered(rec)};
  }
  if (rec.Ok()) {
    if (JudgeDiscoverResult(result)) return {Answer::kModern, "server/discover answered"};
    return {Answer::kLegacy, "server/discover answered with no discover result"};
  }
  return {Answer::kLegacy, "server/discover answered " + HowAnswered(rec)};
}

std::optional<ProtocolEra> LearnedEra(const Transcript& t) {
  const StepRecord* handshake = t.Find(Step::kInitialize);
  if (handshake == nullptr || !handshake->Ok()) return std::nullopt;
  return t.era;
}

ProbeHint NextHint(const ProbeHint& previous, const Transcript& run, bool deploy_seen) {
  if (deploy_seen) return {};
  auto era = LearnedEra(run);
  if (!era) return previous;
  return {era, run.transport};
}

}  // namespace mcpwatch
