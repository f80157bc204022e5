#include "checks/failure_class.h"

#include "base/parse_by_name.h"

namespace mcpwatch {

std::string_view ToString(FailureClass c) {
  switch (c) {
    case FailureClass::kOk: return "ok";
    case FailureClass::kDnsError: return "dns_error";
    case FailureClass::kConnectionRefused: return "connection_refused";
    case FailureClass::kConnectTimeout: return "connect_timeout";
    case FailureClass::kTlsError: return "tls_error";
    case FailureClass::kTimeout: return "timeout";
    case FailureClass::kConnectionReset: return "connection_reset";
    case FailureClass::kUnavailable: return "unavailable";
    case FailureClass::kAuthFailure: return "auth_failure";
    case FailureClass::kRateLimited: return "rate_limited";
    case FailureClass::kHttpError: return "http_error";
    case FailureClass::kProtocolError: return "protocol_error";
    case FailureClass::kInitializeFailure: return "initialize_failure";
    case FailureClass::kSessionError: return "session_error";
    case FailureClass::kToolsListFailure: return "tools_list_failure";
    case FailureClass::kToolMissing: return "tool_missing";
    case FailureClass::kToolError: return "tool_error";
    case FailureClass::kLatencySpike: return "latency_spike";
    case FailureClass::kAuthDiscoveryError: return "auth_discovery_error";
    case FailureClass::kAuthServerUnavailable: return "auth_server_unavailable";
    case FailureClass::kAuthCredentialsRejected: return "auth_credentials_rejected";
  }
  return "protocol_error";  // unreachable: every enumerator is handled above
}

std::optional<FailureClass> ParseFailureClass(std::string_view s) {
  return ParseByName(kAllFailureClasses, s);
}

int ExitCodeFor(FailureClass c) {
  switch (c) {
    case FailureClass::kOk: return 0;
    case FailureClass::kAuthFailure:
    case FailureClass::kAuthDiscoveryError:
    case FailureClass::kAuthServerUnavailable:
    case FailureClass::kAuthCredentialsRejected: return 3;
    case FailureClass::kDnsError:
    case FailureClass::kConnectionRefused:
    case FailureClass::kConnectTimeout:
    case FailureClass::kTlsError:
    case FailureClass::kTimeout:
    case FailureClass::kConnectionReset: return 4;
    case FailureClass::kToolMissing:
    case FailureClass::kToolError: return 5;
    case FailureClass::kUnavailable:
    case FailureClass::kRateLimited:
    case FailureClass::kHttpError:
    case FailureClass::kProtocolError:
    case FailureClass::kInitializeFailure:
    case FailureClass::kSessionError:
    case FailureClass::kToolsListFailure: return 6;
    case FailureClass::kLatencySpike: return 7;
  }
  return 6;
}

}  // namespace mcpwatch
