// The failure taxonomy (DESIGN §5, a user-facing contract): one spelling per class, used by
// logs, SQL, metrics, JSON and alerts alike.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace mcpwatch {

enum class FailureClass {
  kOk,
  kDnsError,
  kConnectionRefused,
  kConnectTimeout,
  kTlsError,
  kTimeout,
  kConnectionReset,
  kUnavailable,
  kAuthFailure,
  kRateLimited,
  kHttpError,
  kProtocolError,
  kInitializeFailure,
  kSessionError,
  kToolsListFailure,
  kToolMissing,
  kToolError,
  kLatencySpike,
  // Auth health (issue 13): the daemon's token manager could not get a token, and the MCP
  // server then refused the run (401/403). They refine auth_failure with the cause, so an
  // authorization-server outage or a revoked credential does not read (or page) as the MCP
  // server being down.
  kAuthDiscoveryError,       // metadata (PRM, AS metadata) missing or invalid; no client identity
  kAuthServerUnavailable,    // the authorization server or its token endpoint is down or failing
  kAuthCredentialsRejected,  // the credentials are missing, rejected or revoked: a person must act
};

inline constexpr std::array kAllFailureClasses = {
    FailureClass::kOk,
    FailureClass::kDnsError,
    FailureClass::kConnectionRefused,
    FailureClass::kConnectTimeout,
    FailureClass::kTlsError,
    FailureClass::kTimeout,
    FailureClass::kConnectionReset,
    FailureClass::kUnavailable,
    FailureClass::kAuthFailure,
    FailureClass::kRateLimited,
    FailureClass::kHttpError,
    FailureClass::kProtocolError,
    FailureClass::kInitializeFailure,
    FailureClass::kSessionError,
    FailureClass::kToolsListFailure,
    FailureClass::kToolMissing,
    FailureClass::kToolError,
    FailureClass::kLatencySpike,
    FailureClass::kAuthDiscoveryError,
    FailureClass::kAuthServerUnavailable,
    FailureClass::kAuthCredentialsRejected,
};

// The auth health classes: the monitor's own access failed, not (necessarily) the server.
constexpr bool IsAuthHealth(FailureClass c) {
  return c == FailureClass::kAuthDiscoveryError || c == FailureClass::kAuthServerUnavailable ||
         c == FailureClass::kAuthCredentialsRejected;
}

std::string_view ToString(FailureClass c);
std::optional<FailureClass> ParseFailureClass(std::string_view s);

// A run "succeeded" for probe_success when every step passed: ok, or ok-but-slow.
constexpr bool IsSuccess(FailureClass c) {
  return c == FailureClass::kOk || c == FailureClass::kLatencySpike;
}

// The process exit code of `mcpwatch probe` for a class (DESIGN §4).
int ExitCodeFor(FailureClass c);

}  // namespace mcpwatch
