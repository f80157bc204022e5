// Which protocol era a server speaks, from how it answered server/discover (the 2026-07-28
// spec's era detection, with the errata that forbid keying the fallback to one error code):
// a recognised modern answer means modern; 401/403 is authentication, never a fallback; a
// modern server's own error (-32020, -32021) is a failure of the modern step; every other
// answer (400/404/405 with -32000 "missing session", -32601, -32602, an unsupported-version
// message listing only older versions, a plain status, a result that is no discover result, a
// timeout of that step) names a legacy server, and the run goes on with initialize.
// Pure functions of data; none throws.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checks/probe_spec.h"
#include "checks/transcript.h"

namespace mcpwatch {

struct DiscoverAttempt {
  // kRetry: a modern server refused the version yet lists 2026-07-28 among its supported ones;
  // the spec has the client retry with a mutually supported version (once).
  enum class Answer { kModern, kLegacy, kRetry, kFail };
  Answer answer = Answer::kFail;
  std::string reason;  // how the server answered, for the run's era_reason
};

// `rec` is the server/discover step; `result` its JSON-RPC result (null unless rec.Ok());
// `supported` the data.supported of a JSON-RPC error in the answer; `step_timed_out` whether
// the step's own (shorter than the run's) deadline cut it off.
DiscoverAttempt JudgeDiscoverAttempt(const StepRecord& rec, const nlohmann::json& result,
                                     const std::vector<std::string>& supported,
                                     bool step_timed_out);

// The era a finished run proved: the one whose handshake (initialize or server/discover)
// answered, or nullopt when it never got that far.
std::optional<ProtocolEra> LearnedEra(const Transcript& t);

// What the next run of a target may skip: the era and transport of the last run whose
// handshake answered; forgotten after a deploy (the new build may speak another era), kept
// through runs that never reached the handshake.
ProbeHint NextHint(const ProbeHint& previous, const Transcript& run, bool deploy_seen);

}  // namespace mcpwatch
