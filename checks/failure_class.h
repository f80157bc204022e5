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
};

inline constexpr std::array kAllFailureClasses = {
    FailureClass::kOk,           FailureClass::kDnsError,          FailureClass::kConnectionRefused,
    FailureClass::kConnectTimeout, FailureClass::kTlsError,        FailureClass::kTimeout,
    FailureClass::kConnectionReset, FailureClass::kUnavailable,    FailureClass::kAuthFailure,
    FailureClass::kRateLimited,  FailureClass::kHttpError,         FailureClass::kProtocolError,
    FailureClass::kInitializeFailure, FailureClass::kSessionError, FailureClass::kToolsListFailure,
    FailureClass::kToolMissing,  FailureClass::kToolError,         FailureClass::kLatencySpike,
};

std::string_view ToString(FailureClass c);
std::optional<FailureClass> ParseFailureClass(std::string_view s);

// A run "succeeded" for probe_success when every step passed: ok, or ok-but-slow.
constexpr bool IsSuccess(FailureClass c) {
  return c == FailureClass::kOk || c == FailureClass::kLatencySpike;
}

// The process exit code of `mcpwatch probe` for a class (DESIGN §4).
int ExitCodeFor(FailureClass c);

}  // namespace mcpwatch
