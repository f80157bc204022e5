#include "checks/classifier.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace mcpwatch {
namespace {

std::string Ms(std::chrono::microseconds us) {
  char buf[32];
  double ms = static_cast<double>(us.count()) / 1000.0;
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
  return buf;
}

FailureClass ClassOfTransport(TransportError e) {
  switch (e) {
    case TransportError::kNone: return FailureClass::kOk;
    case TransportError::kDnsFailure: return FailureClass::kDnsError;
    case TransportError::kConnectRefused: return FailureClass::kConnectionRefused;
    case TransportError::kConnectTimeout: return FailureClass::kConnectTimeout;
    case TransportError::kTlsFailure: return FailureClass::kTlsError;
    case TransportError::kTimeout: return FailureClass::kTimeout;
    case TransportError::kConnectionReset: return FailureClass::kConnectionReset;
    case TransportError::kOther: return FailureClass::kProtocolError;
  }
  return FailureClass::kProtocolError;
}

std::string TransportCause(const StepRecord& r) {
  std::string cause;
  switch (r.transport) {
    case TransportError::kNone: break;
    case TransportError::kDnsFailure: cause = "the host name did not resolve"; break;
    case TransportError::kConnectRefused:
      cause = "connection refused (nothing listening: process down or restarting)";
      break;
    case TransportError::kConnectTimeout:
      cause = "no TCP answer before the deadline (host down, firewall drop or full backlog)";
      break;
    case TransportError::kTlsFailure: cause = "TLS handshake or certificate check failed"; break;
    case TransportError::kTimeout:
      cause = "connected, but no complete answer before the deadline (server hung)";
      break;
    case TransportError::kConnectionReset: cause = "the connection was dropped mid-exchange"; break;
    case TransportError::kOther: cause = "transport failure"; break;
  }
  if (!r.transport_detail.empty()) cause += " (" + r.transport_detail + ")";
  return cause;
}

std::pair<FailureClass, std::string> ClassOfHttp(const StepRecord& r) {
  std::string status = "HTTP " + std::to_string(r.http_status);
  std::string detail = r.message.empty() ? "" : ": " + r.message;
  switch (r.http_status) {
    case 502:
    case 503:
    case 504: {
      std::string retry = r.retry_after.empty() ? "" : " (Retry-After " + r.retry_after + ")";
      return {FailureClass::kUnavailable,
              status + retry +
                  ": no healthy backend (draining, restarting or gateway without upstream)" +
                  detail};
    }
    case 401:
    case 403: {
      std::string challenge =
          r.www_authenticate.empty() ? "" : " [WWW-Authenticate: " + r.www_authenticate + "]";
      return {FailureClass::kAuthFailure,
              status + ": credentials missing, expired or lacking scope" + detail + challenge};
    }
    case 429: {
      std::string retry = r.retry_after.empty() ? "" : " (Retry-After " + r.retry_after + ")";
      return {FailureClass::kRateLimited, status + ": rate limited" + retry + detail};
    }
    default: break;
  }
  if ((r.http_status == 404 || r.http_status == 400) && r.had_session &&
      r.step != Step::kInitialize) {
    return {FailureClass::kSessionError,
            status + ": the server rejected the live session" + detail};
  }
  if (r.http_status == 0) return {FailureClass::kProtocolError, "no HTTP response" + detail};
  return {FailureClass::kHttpError, status + detail};
}

FailureClass ClassOfFinding(const StepRecord& r) {
  switch (r.finding) {
    case Finding::kNone: return FailureClass::kOk;
    case Finding::kBadContentType:
    case Finding::kMalformedJson:
    case Finding::kMalformedSse:
    case Finding::kInvalidJsonRpc:
    case Finding::kIdMismatch:
    case Finding::kNoResponse:
    case Finding::kOversize:
    case Finding::kTransportMismatch: return FailureClass::kProtocolError;
    case Finding::kJsonRpcError:
      switch (r.step) {
        case Step::kInitialize: return FailureClass::kInitializeFailure;
        case Step::kToolsList: return FailureClass::kToolsListFailure;
        case Step::kToolCall: return FailureClass::kToolError;
        case Step::kInitialized:
        case Step::kPing:
        case Step::kClose: return FailureClass::kProtocolError;
      }
      return FailureClass::kProtocolError;
    case Finding::kUnsupportedVersion: return FailureClass::kInitializeFailure;
    case Finding::kMalformedResult:
      return r.step == Step::kInitialize ? FailureClass::kInitializeFailure
                                         : FailureClass::kProtocolError;
    case Finding::kInvalidTools: return FailureClass::kToolsListFailure;
    case Finding::kToolMissing: return FailureClass::kToolMissing;
    case Finding::kToolIsError:
    case Finding::kAssertionFailed: return FailureClass::kToolError;
  }
  return FailureClass::kProtocolError;
}

std::string FindingCause(const StepRecord& r) {
  std::string cause;
  if (r.finding == Finding::kJsonRpcError) {
    cause = "JSON-RPC error";
    if (r.jsonrpc_code) cause += " " + std::to_string(*r.jsonrpc_code);
    if (!r.message.empty()) cause += ": " + r.message;
    return cause;
  }
  return r.message.empty() ? std::string(ToString(r.finding)) : r.message;
}

Verdict FailureVerdict(const StepRecord& r, ProtocolEra era) {
  std::string where = std::string(StepLabel(r.step, era)) + ": ";
  if (r.transport != TransportError::kNone) {
    return {ClassOfTransport(r.transport), where + TransportCause(r), ""};
  }
  // A step decided without a request (a tool the server does not offer) has no HTTP status.
  if (!r.HttpOk() && !(r.http_status == 0 && r.finding != Finding::kNone)) {
    auto [cls, text] = ClassOfHttp(r);
    return {cls, where + text, ""};
  }
  return {ClassOfFinding(r), where + FindingCause(r), ""};
}

std::optional<std::chrono::microseconds> PhaseValue(const Transcript& t, BaselinePhase p) {
  auto step_value = [&](Step s) -> std::optional<std::chrono::microseconds> {
    const StepRecord* r = t.Find(s);
    if (r == nullptr || !r->Ok()) return std::nullopt;
    return r->duration;
  };
  switch (p) {
    case BaselinePhase::kInitialize: return step_value(Step::kInitialize);
    case BaselinePhase::kToolsList: return step_value(Step::kToolsList);
    case BaselinePhase::kToolCall: return step_value(Step::kToolCall);
    case BaselinePhase::kTotal: return t.timings.total;
  }
  return std::nullopt;
}

constexpr const char* kToolCallSlow =
    "only the tool call is slow while initialize and tools/list are fast: the server is "
    "up but a dependency behind the tool (database pool, downstream API) is saturated";
constexpr const char* kEveryPhaseSlow =
    "every MCP phase is slow: the host or the network is saturated (CPU, memory "
    "pressure, GC pauses, packet loss)";
constexpr const char* kServerSlow =
    "the MCP server itself answers slowly (initialize or tools/list): check the process "
    "(CPU, event loop, start-up work) before its dependencies";

std::string Diagnose(const std::vector<BaselinePhase>& slow, bool measured_tool_call) {
  auto has = [&](BaselinePhase p) { return std::find(slow.begin(), slow.end(), p) != slow.end(); };
  bool init = has(BaselinePhase::kInitialize), list = has(BaselinePhase::kToolsList);
  bool call = has(BaselinePhase::kToolCall);
  if (call && !init && !list) return kToolCallSlow;
  if (init && list && (call || !measured_tool_call)) return kEveryPhaseSlow;
  if (init || list) return kServerSlow;
  return "the run as a whole is slow while no single step stands out: look at connection "
         "set-up (DNS, TCP, TLS) and the network path";
}

// Only the run's total had a reference (a one-shot probe with --max-latency alone), so no step
// was judged on its own. Rather than guess "connection set-up", tell from where the time went:
// set-up, time outside the requests, one step holding most of it, or every step alike.
std::string DiagnoseByShare(const Transcript& t) {
  Micros setup = t.timings.dns + t.timings.connect + t.timings.tls;
  if (setup * 2 >= t.timings.total) {
    return "connection set-up (DNS, TCP, TLS) took " + Ms(setup) + " of " + Ms(t.timings.total) +
           ": look at name resolution, the network path and the TLS terminator";
  }
  Micros sum{0};
  const StepRecord* slowest = nullptr;
  for (const StepRecord& r : t.steps) {
    if (r.step == Step::kClose || !r.Ok()) continue;
    sum += r.duration;
    if (slowest == nullptr || r.duration > slowest->duration) slowest = &r;
  }
  if (sum * 2 < t.timings.total) {
    return "most of the run was spent outside the MCP requests (session close, reconnects): "
           "look at the network path and the server's connection handling";
  }
  if (slowest != nullptr && slowest->duration * 2 > sum) {
    return slowest->step == Step::kToolCall ? kToolCallSlow : kServerSlow;
  }
  return kEveryPhaseSlow;
}

}  // namespace

std::string_view StepLabel(Step s) {
  switch (s) {
    case Step::kInitialize: return "initialize";
    case Step::kInitialized: return "notifications/initialized";
    case Step::kToolsList: return "tools/list";
    case Step::kToolCall: return "tools/call";
    case Step::kPing: return "ping";
    case Step::kClose: return "session close";
  }
  return "initialize";
}

std::string_view StepLabel(Step s, ProtocolEra era) {
  switch (era) {
    case ProtocolEra::kLegacy: break;
    case ProtocolEra::kModern:
      if (s == Step::kInitialize) return "server/discover";
      break;
  }
  return StepLabel(s);
}

Verdict Classify(const Transcript& t, const LatencyPolicy& policy) {
  for (const StepRecord& r : t.steps) {
    if (r.step == Step::kClose || r.Ok()) continue;
    Verdict v = FailureVerdict(r, t.era);
    // The server refused us because we hold no usable token: say why we hold none. Any other
    // failure (the server down, hung, broken) is the server's and keeps its class.
    if (v.cls == FailureClass::kAuthFailure && t.auth_problem) {
      v.error = "auth: " + t.auth_problem->message + " (" + v.error + ")";
      v.cls = t.auth_problem->cls;
    }
    return v;
  }
  if (t.steps.empty()) return {FailureClass::kProtocolError, "no step ran", ""};

  std::vector<BaselinePhase> slow;
  std::string figures;
  int judged_steps = 0;  // step phases that had a baseline or a limit to be judged against
  for (BaselinePhase p : kAllBaselinePhases) {
    auto value = PhaseValue(t, p);
    if (!value) continue;
    auto idx = static_cast<std::size_t>(p);
    const auto& baseline = policy.baselines[idx];
    bool ready = baseline && baseline->samples >= policy.rule.min_samples;
    bool is_slow = false;
    std::string reference;
    if (ready) {
      is_slow = IsSpike(*value, *baseline, policy.rule);
      reference = "baseline " + Ms(baseline->median);
    } else if (policy.max_latency[idx].count() > 0) {
      is_slow = *value > policy.max_latency[idx];
      reference = "limit " + Ms(policy.max_latency[idx]);
    }
    if (p != BaselinePhase::kTotal && !reference.empty()) ++judged_steps;
    if (!is_slow) continue;
    slow.push_back(p);
    if (!figures.empty()) figures += ", ";
    figures += std::string(ToString(p)) + " " + Ms(*value) + " (" + reference + ")";
  }
  if (slow.empty()) return {FailureClass::kOk, "", ""};
  bool measured_call = PhaseValue(t, BaselinePhase::kToolCall).has_value();
  std::string diagnosis = judged_steps == 0 ? DiagnoseByShare(t) : Diagnose(slow, measured_call);
  return {FailureClass::kLatencySpike, "latency: " + figures, std::move(diagnosis)};
}

}  // namespace mcpwatch
