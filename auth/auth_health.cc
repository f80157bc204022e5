#include "auth/auth_health.h"

#include <algorithm>

namespace mcpwatch {

FailureClass AuthHealthClass(AuthFailure f) {
  switch (f) {
    case AuthFailure::kDiscovery:
    case AuthFailure::kRegistration: return FailureClass::kAuthDiscoveryError;
    case AuthFailure::kUnreachable:
    case AuthFailure::kTokenEndpoint: return FailureClass::kAuthServerUnavailable;
    case AuthFailure::kConfig:
    case AuthFailure::kAuthorization:
    case AuthFailure::kNeedsPerson:
    case AuthFailure::kCredentialsRejected:
    case AuthFailure::kInsufficientScope: return FailureClass::kAuthCredentialsRejected;
  }
  return FailureClass::kAuthCredentialsRejected;
}

std::optional<std::chrono::milliseconds> RenewIn(SystemTime now, SystemTime obtained,
                                                 std::optional<SystemTime> expires,
                                                 const RenewalPolicy& policy) {
  using std::chrono::milliseconds;
  if (!expires) return std::nullopt;
  using D = SystemTime::duration;
  const auto lifetime = std::max(*expires - obtained, D::zero());
  const auto share = [&](double f) {
    return std::chrono::duration_cast<D>(lifetime * std::clamp(f, 0.0, 1.0));
  };
  const auto before_lead = lifetime - std::chrono::duration_cast<D>(policy.lead);
  const auto at =
      obtained + std::max(std::min(share(policy.renew_at), before_lead), share(policy.earliest));
  if (at <= now) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(at - now);
}

std::chrono::milliseconds RetryDelay(int failures, const RenewalPolicy& policy) {
  auto delay = policy.first_retry;
  for (int i = 1; i < failures && delay < policy.max_retry; ++i) delay *= 2;
  return std::min(delay, policy.max_retry);
}

}  // namespace mcpwatch
