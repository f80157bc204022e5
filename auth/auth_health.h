// Auth health as pure decisions (issue 13 item 5), apart from the I/O that feeds them: which run
// class an OAuth failure explains, and when a held token is renewed (ahead of its expiry, and
// after failures with a capped back-off). Time is passed in; nothing here reads a clock.
#pragma once

#include <chrono>
#include <optional>

#include "auth/auth_error.h"
#include "checks/failure_class.h"

namespace mcpwatch {

// kDiscovery, kRegistration → auth_discovery_error; kUnreachable, kTokenEndpoint →
// auth_server_unavailable; the rest (config, authorization, needs_person, credentials_rejected,
// insufficient_scope: a person must act) → auth_credentials_rejected.
FailureClass AuthHealthClass(AuthFailure f);

// A token is renewed at `renew_at` of its lifetime, but at least `lead` before it expires, and
// never before `earliest` of its lifetime: a 1 h token at 48 min, a 2 min token at 1 min, a 3 s
// token at 1.5 s (a slow authorization server or a busy host still has time to answer).
struct RenewalPolicy {
  double renew_at = 0.8;
  std::chrono::milliseconds lead{60000};
  double earliest = 0.5;
  std::chrono::milliseconds first_retry{1000};
  std::chrono::milliseconds max_retry{60000};
};

using SystemTime = std::chrono::system_clock::time_point;

// How long after `now` to renew a token obtained at `obtained` that expires at `expires` (see
// RenewalPolicy): zero when that point has passed, nullopt when the lifetime is unknown (renewed
// only when the server refuses it).
std::optional<std::chrono::milliseconds> RenewIn(SystemTime now, SystemTime obtained,
                                                 std::optional<SystemTime> expires,
                                                 const RenewalPolicy& policy);

// The wait before the next attempt after `failures` (≥ 1) failed ones in a row: first_retry,
// doubling, at most max_retry.
std::chrono::milliseconds RetryDelay(int failures, const RenewalPolicy& policy);

}  // namespace mcpwatch
