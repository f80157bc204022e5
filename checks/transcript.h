// What a probe run observed, step by step: the prober fills it in, the classifier reads it.
// Plain data with no I/O, so every verdict can be unit-tested from a recorded transcript.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/failure_class.h"
#include "checks/step.h"

namespace mcpwatch {

using Micros = std::chrono::microseconds;

// How the exchange failed below HTTP, as the prober saw it on the socket.
enum class TransportError {
  kNone,
  kDnsFailure,       // the name did not resolve
  kConnectRefused,   // RST on connect
  kConnectTimeout,   // no TCP answer before the deadline
  kTlsFailure,       // handshake or certificate verification failed
  kTimeout,          // connected, but no complete answer before the deadline
  kConnectionReset,  // the peer closed or reset the connection mid-exchange
  kOther,            // anything else curl reports (detail says what)
};

// What was wrong with a response that did arrive (HTTP 2xx), in protocol terms.
enum class Finding {
  kNone,
  kBadContentType,      // neither application/json nor text/event-stream
  kMalformedJson,       // body or SSE data is not JSON
  kMalformedSse,        // SSE framing broken (e.g. an event over the size bound)
  kInvalidJsonRpc,      // JSON but not a JSON-RPC 2.0 response
  kIdMismatch,          // a response whose id is not the request's
  kNoResponse,          // the body or stream ended without the response
  kOversize,            // the response exceeded a byte or event bound
  kJsonRpcError,        // a JSON-RPC error object answered the request
  kUnsupportedVersion,  // initialize negotiated a version we do not speak
  kMalformedResult,     // the result lacks required members (e.g. serverInfo)
  kInvalidTools,        // tools/list returned invalid tool definitions
  kToolMissing,         // the configured tool is not in tools/list
  kToolIsError,         // tools/call result has isError: true
  kAssertionFailed,     // tools/call result text did not match --expect-text
  kTransportMismatch,   // the endpoint speaks the other transport (an SSE stream with no endpoint)
};

std::string_view ToString(TransportError e);
std::string_view ToString(Finding f);

struct StepRecord {
  Step step = Step::kInitialize;
  TransportError transport = TransportError::kNone;
  std::string transport_detail;  // the library's words for a transport error
  int http_status = 0;           // 0 when no HTTP response arrived
  std::string content_type;
  std::string www_authenticate;  // challenge of a 401/403, if any
  std::string retry_after;       // Retry-After of a 429/503, if any
  std::string dpop_nonce;        // DPoP-Nonce of a 401 (RFC 9449 §9), if any
  bool had_session = false;      // the request carried a session id (or legacy endpoint)
  Finding finding = Finding::kNone;
  std::optional<int64_t> jsonrpc_code;
  std::string message;  // error text, isError text or finding detail (bounded)
  Micros ttfb{0};       // request sent → first response byte
  Micros duration{0};   // request sent → response complete
  int attempts = 1;     // > 1 when an SSE stream was resumed

  bool HttpOk() const { return http_status >= 200 && http_status < 300; }
  bool Ok() const {
    return transport == TransportError::kNone && HttpOk() && finding == Finding::kNone;
  }
};

enum class TransportKind { kStreamableHttp, kSse };
std::string_view ToString(TransportKind k);  // "streamable-http" | "sse"

// Legacy: the initialize handshake with a session (2024-11-05 … 2025-11-25). Modern
// (2026-07-28): stateless, server/discover instead of initialize, and no initialized
// notification, ping or session close, so those steps are absent without being failures.
enum class ProtocolEra { kLegacy, kModern };
inline std::string_view ToString(ProtocolEra e) {
  switch (e) {
    case ProtocolEra::kLegacy: return "legacy";
    case ProtocolEra::kModern: return "modern";
  }
  return "legacy";
}

struct ServerInfo {
  std::string name;
  std::string version;
  std::string title;
};

struct RunTimings {
  Micros dns{0};
  Micros connect{0};
  Micros tls{0};
  Micros total{0};
};

// The server's own health endpoint (ProbeSpec::health_url), fetched alongside the MCP steps
// within the same deadline (issue 11): what an orchestrator's readiness check would see.
struct HealthRecord {
  int http_status = 0;  // 0: no HTTP answer (transport says why)
  TransportError transport = TransportError::kNone;
  std::string detail;       // the library's words for a transport error
  std::string retry_after;  // Retry-After of the answer, if any (a draining server's 503)
  Micros duration{0};

  bool Green() const { return http_status >= 200 && http_status < 300; }
  static HealthRecord Answered(int status) {
    HealthRecord h;
    h.http_status = status;
    return h;
  }
  bool operator==(const HealthRecord&) const = default;
};

// Why no usable OAuth token could be had for this run (the daemon's token manager or `probe
// --auth`): an auth health class and a message that holds no secret. The classifier reports a
// run the MCP server then refused (401/403) under this class instead of auth_failure.
struct AuthProblem {
  FailureClass cls = FailureClass::kAuthCredentialsRejected;  // one of IsAuthHealth
  std::string message;
};

struct Transcript {
  TransportKind transport = TransportKind::kStreamableHttp;
  ProtocolEra era = ProtocolEra::kLegacy;
  std::string protocol_version;  // negotiated (modern: the version server/discover listed)
  // Why this era: how the server answered server/discover, or that an earlier run's era was
  // reused. era_detection is the time a server/discover that proved the server legacy cost
  // before initialize (zero when the era was known or the server is modern).
  std::string era_reason;
  Micros era_detection{0};
  ServerInfo server;
  std::optional<int> tool_count;
  std::string tools_hash;       // SHA-256 hex of the canonical tool list
  std::string tools_canonical;  // the canonical JSON itself (for drift snapshots)
  RunTimings timings;
  std::optional<std::chrono::system_clock::time_point> cert_not_after;
  bool deadline_exceeded = false;  // the whole-run deadline cut the run short
  std::optional<AuthProblem> auth_problem;
  std::vector<StepRecord> steps;       // in the order they ran; steps not reached are absent
  std::optional<HealthRecord> health;  // nullopt: no health_url configured

  const StepRecord* Find(Step s) const {
    for (const auto& r : steps) {
      if (r.step == s) return &r;
    }
    return nullptr;
  }
};

}  // namespace mcpwatch
