#include "checks/transcript.h"

namespace mcpwatch {

std::string_view ToString(TransportError e) {
  switch (e) {
    case TransportError::kNone: return "none";
    case TransportError::kDnsFailure: return "dns_failure";
    case TransportError::kConnectRefused: return "connect_refused";
    case TransportError::kConnectTimeout: return "connect_timeout";
    case TransportError::kTlsFailure: return "tls_failure";
    case TransportError::kTimeout: return "timeout";
    case TransportError::kConnectionReset: return "connection_reset";
    case TransportError::kOther: return "other";
  }
  return "other";
}

std::string_view ToString(Finding f) {
  switch (f) {
    case Finding::kNone: return "none";
    case Finding::kBadContentType: return "bad_content_type";
    case Finding::kMalformedJson: return "malformed_json";
    case Finding::kMalformedSse: return "malformed_sse";
    case Finding::kInvalidJsonRpc: return "invalid_jsonrpc";
    case Finding::kIdMismatch: return "id_mismatch";
    case Finding::kNoResponse: return "no_response";
    case Finding::kOversize: return "oversize";
    case Finding::kJsonRpcError: return "jsonrpc_error";
    case Finding::kUnsupportedVersion: return "unsupported_version";
    case Finding::kMalformedResult: return "malformed_result";
    case Finding::kInvalidTools: return "invalid_tools";
    case Finding::kToolMissing: return "tool_missing";
    case Finding::kToolIsError: return "tool_is_error";
    case Finding::kAssertionFailed: return "assertion_failed";
    case Finding::kTransportMismatch: return "transport_mismatch";
  }
  return "none";
}

std::string_view ToString(TransportKind k) {
  switch (k) {
    case TransportKind::kStreamableHttp: return "streamable-http";
    case TransportKind::kSse: return "sse";
  }
  return "streamable-http";
}

}  // namespace mcpwatch
