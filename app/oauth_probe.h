// A probe run that logs in when the server asks: run the probe; when a step got 401 (or 403
// insufficient_scope) and OAuth is configured, let the OAuthClient get a token for that
// challenge and run again with it (Bearer, or DPoP with a fresh proof per request), a bounded
// number of times. Blocking: drives `loop` until done. Thread: the loop's thread.
#pragma once

#include <optional>

#include "auth/auth_error.h"
#include "auth/oauth_client.h"
#include "checks/probe_spec.h"
#include "checks/transcript.h"
#include "prober/event_loop.h"
#include "prober/prober.h"

namespace mcpwatch {

// Runs per probe: the first, then one per challenge answered (401, step-ups, a DPoP nonce).
inline constexpr int kMaxAuthorizedRuns = 6;

struct AuthorizedRun {
  Transcript transcript;          // the last run's
  std::optional<AuthError> auth;  // why no (better) token could be had, if that ended it
  int runs = 0;
};

// `oauth` may be null (no auth configured): one plain run.
AuthorizedRun RunAuthorizedProbe(EventLoop& loop, Prober& prober, ProbeSpec spec,
                                 OAuthClient* oauth);

// The step an OAuth client should answer: the first with 401, or 403 carrying a challenge.
const StepRecord* ChallengedStep(const Transcript& t);

}  // namespace mcpwatch
