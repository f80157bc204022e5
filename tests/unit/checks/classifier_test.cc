// The classifier as a table: recorded transcripts (built in code) → one failure class, an error
// naming the step and the cause, and for latency a diagnosis of where the time went.
#include "checks/classifier.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mcpwatch {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

StepRecord OkStep(Step s, milliseconds d = milliseconds(5)) {
  StepRecord r;
  r.step = s;
  r.http_status = s == Step::kInitialized ? 202 : 200;
  r.had_session = s != Step::kInitialize;
  r.duration = d;
  r.ttfb = d / 2;
  return r;
}

// A transcript whose steps before `failed.step` passed, then `failed`.
Transcript FailedAt(StepRecord failed) {
  Transcript t;
  for (Step s : kAllSteps) {
    if (s == failed.step) break;
    t.steps.push_back(OkStep(s));
  }
  t.steps.push_back(std::move(failed));
  t.timings.total = milliseconds(40);
  return t;
}

StepRecord Transport(Step s, TransportError e, std::string detail) {
  StepRecord r;
  r.step = s;
  r.had_session = s != Step::kInitialize;
  r.transport = e;
  r.transport_detail = std::move(detail);
  return r;
}

StepRecord Http(Step s, int status, std::string message = "") {
  StepRecord r = OkStep(s);
  r.http_status = status;
  r.message = std::move(message);
  return r;
}

StepRecord Found(Step s, Finding f, std::string message,
                 std::optional<int64_t> code = std::nullopt) {
  StepRecord r = OkStep(s);
  r.finding = f;
  r.message = std::move(message);
  r.jsonrpc_code = code;
  return r;
}

struct Row {
  std::string name;
  StepRecord failed;
  FailureClass expected;
  std::vector<std::string> error_parts;            // each must appear in Verdict::error
  std::optional<AuthProblem> auth = std::nullopt;  // the token manager's problem for this run
};

std::vector<Row> FailureTable() {
  std::vector<Row> rows;
  auto add = [&](std::string name, StepRecord r, FailureClass c, std::vector<std::string> parts) {
    rows.push_back({std::move(name), std::move(r), c, std::move(parts)});
  };
  using E = TransportError;
  using F = Finding;
  using C = FailureClass;
  // transport
  add("dns", Transport(Step::kInitialize, E::kDnsFailure, "Could not resolve host: mcp.example"),
      C::kDnsError, {"initialize: ", "did not resolve", "Could not resolve host"});
  add("refused", Transport(Step::kInitialize, E::kConnectRefused, "Connection refused"),
      C::kConnectionRefused, {"initialize: ", "connection refused", "process down"});
  add("connect timeout", Transport(Step::kInitialize, E::kConnectTimeout, "Connection timed out"),
      C::kConnectTimeout, {"initialize: ", "no TCP answer"});
  add("tls", Transport(Step::kInitialize, E::kTlsFailure, "certificate has expired"), C::kTlsError,
      {"initialize: ", "TLS", "certificate has expired"});
  add("timeout on tools/list", Transport(Step::kToolsList, E::kTimeout, "Operation timed out"),
      C::kTimeout, {"tools/list: ", "no complete answer before the deadline"});
  add("reset on tools/call", Transport(Step::kToolCall, E::kConnectionReset, "Recv failure"),
      C::kConnectionReset, {"tools/call: ", "dropped mid-exchange", "Recv failure"});
  add("other transport", Transport(Step::kPing, E::kOther, "unsupported protocol"),
      C::kProtocolError, {"ping: ", "transport failure", "unsupported protocol"});
  // http
  StepRecord s503 = Http(Step::kInitialize, 503, "Service Unavailable");
  s503.retry_after = "7";
  add("503 with Retry-After", s503, C::kUnavailable,
      {"initialize: ", "HTTP 503", "Retry-After 7", "no healthy backend"});
  add("502", Http(Step::kToolsList, 502), C::kUnavailable, {"tools/list: ", "HTTP 502"});
  add("504", Http(Step::kToolCall, 504), C::kUnavailable, {"tools/call: ", "HTTP 504"});
  StepRecord s401 = Http(Step::kInitialize, 401, "The access token is expired");
  s401.www_authenticate = "Bearer error=\"invalid_token\"";
  add("401 with challenge", s401, C::kAuthFailure,
      {"initialize: ", "HTTP 401", "token is expired", "WWW-Authenticate: Bearer"});
  // auth health: a 401/403 while the token manager could not get a token says why.
  auto add_auth = [&](std::string name, StepRecord r, C c, std::string message,
                      std::vector<std::string> parts) {
    rows.push_back({std::move(name), std::move(r), c, std::move(parts), AuthProblem{c, message}});
  };
  add_auth("401, the AS down", s401, C::kAuthServerUnavailable,
           "token_endpoint: Connection refused",
           {"auth: token_endpoint: Connection refused", "(initialize: HTTP 401"});
  add_auth("401, refresh token revoked", Http(Step::kInitialize, 401), C::kAuthCredentialsRejected,
           "invalid_grant: revoked", {"auth: invalid_grant: revoked"});
  add_auth("403, metadata broken", Http(Step::kToolsList, 403), C::kAuthDiscoveryError,
           "no authorization server metadata", {"auth: no authorization server", "tools/list: "});
  add("403", Http(Step::kToolCall, 403, "Forbidden"), C::kAuthFailure,
      {"tools/call: ", "HTTP 403", "lacking scope"});
  StepRecord s429 = Http(Step::kInitialize, 429);
  s429.retry_after = "30";
  add("429", s429, C::kRateLimited, {"initialize: ", "HTTP 429", "Retry-After 30"});
  StepRecord init404 = Http(Step::kInitialize, 404, "Not Found");
  init404.had_session = false;
  add("404 on initialize", init404, C::kHttpError, {"initialize: ", "HTTP 404", "Not Found"});
  add("404 on a live session", Http(Step::kToolsList, 404, "Session not found"), C::kSessionError,
      {"tools/list: ", "HTTP 404", "rejected the live session", "Session not found"});
  add("400 on a live session", Http(Step::kPing, 400), C::kSessionError, {"ping: ", "HTTP 400"});
  StepRecord sessionless404 = Http(Step::kToolsList, 404);
  sessionless404.had_session = false;
  add("404 without a session", sessionless404, C::kHttpError, {"tools/list: ", "HTTP 404"});
  add("406", Http(Step::kInitialize, 406, "Not Acceptable"), C::kHttpError, {"HTTP 406"});
  add("500", Http(Step::kToolCall, 500), C::kHttpError, {"tools/call: ", "HTTP 500"});
  add("no HTTP response", Http(Step::kPing, 0), C::kProtocolError, {"ping: ", "no HTTP response"});
  // mcp
  add("content type", Found(Step::kInitialize, F::kBadContentType, "content type \"text/html\""),
      C::kProtocolError, {"initialize: ", "text/html"});
  add("malformed json", Found(Step::kToolsList, F::kMalformedJson, "response body is not JSON"),
      C::kProtocolError, {"tools/list: ", "not JSON"});
  add("malformed sse", Found(Step::kInitialize, F::kMalformedSse, ""), C::kProtocolError,
      {"initialize: ", "malformed_sse"});
  add("invalid json-rpc", Found(Step::kPing, F::kInvalidJsonRpc, "no jsonrpc member"),
      C::kProtocolError, {"ping: ", "no jsonrpc member"});
  add("id mismatch", Found(Step::kInitialize, F::kIdMismatch, "response carries id 1001"),
      C::kProtocolError, {"initialize: ", "id 1001"});
  add("no response", Found(Step::kToolCall, F::kNoResponse, "event stream ended"),
      C::kProtocolError, {"tools/call: ", "event stream ended"});
  add("oversize", Found(Step::kToolsList, F::kOversize, "response body exceeded 4194304 bytes"),
      C::kProtocolError, {"tools/list: ", "exceeded"});
  add("initialize error",
      Found(Step::kInitialize, F::kJsonRpcError, "database unavailable", -32603),
      C::kInitializeFailure, {"initialize: ", "JSON-RPC error -32603: database unavailable"});
  add("unsupported version",
      Found(Step::kInitialize, F::kUnsupportedVersion, "protocol version \"1999-01-01\""),
      C::kInitializeFailure, {"initialize: ", "1999-01-01"});
  add("no serverInfo",
      Found(Step::kInitialize, F::kMalformedResult, "initialize result has no serverInfo"),
      C::kInitializeFailure, {"serverInfo"});
  add("malformed result after initialize", Found(Step::kPing, F::kMalformedResult, "result is odd"),
      C::kProtocolError, {"ping: "});
  add("error on initialized", Found(Step::kInitialized, F::kJsonRpcError, "nope", -32600),
      C::kProtocolError, {"notifications/initialized: ", "-32600"});
  add("error on ping", Found(Step::kPing, F::kJsonRpcError, "Method not found", -32601),
      C::kProtocolError, {"ping: ", "-32601"});
  // tools
  add("tools/list error", Found(Step::kToolsList, F::kJsonRpcError, "internal error", -32603),
      C::kToolsListFailure, {"tools/list: ", "-32603", "internal error"});
  add("invalid tools",
      Found(Step::kToolsList, F::kInvalidTools, "invalid tool definitions: tool 0 has no name"),
      C::kToolsListFailure, {"tools/list: ", "invalid tool definitions"});
  StepRecord missing;  // decided without a request: no HTTP status at all
  missing.step = Step::kToolCall;
  missing.finding = F::kToolMissing;
  missing.message = "tool \"get_item\" is not offered (the server lists 2 tools)";
  add("tool missing", missing, C::kToolMissing, {"tools/call: ", "get_item", "not offered"});
  add("tool isError", Found(Step::kToolCall, F::kToolIsError, "tool returned isError: boom"),
      C::kToolError, {"tools/call: ", "isError: boom"});
  add("tool json-rpc error",
      Found(Step::kToolCall, F::kJsonRpcError, "column items.price does not exist", -32603),
      C::kToolError, {"tools/call: ", "-32603", "column items.price does not exist"});
  add("assertion", Found(Step::kToolCall, F::kAssertionFailed, "does not match /price/"),
      C::kToolError, {"tools/call: ", "does not match /price/"});
  return rows;
}

LatencyPolicy Limits(milliseconds init, milliseconds list, milliseconds call, milliseconds total) {
  LatencyPolicy p;
  p.max_latency = {init, list, call, total};
  return p;
}

Transcript OkRun(milliseconds init, milliseconds list, std::optional<milliseconds> call,
                 milliseconds total) {
  Transcript t;
  t.steps = {OkStep(Step::kInitialize, init), OkStep(Step::kInitialized),
             OkStep(Step::kToolsList, list)};
  if (call) t.steps.push_back(OkStep(Step::kToolCall, *call));
  t.steps.push_back(OkStep(Step::kPing));
  t.steps.push_back(OkStep(Step::kClose));
  t.timings.total = total;
  return t;
}

PhaseBaseline Warm(milliseconds median, milliseconds mad = milliseconds(1), int samples = 50) {
  return PhaseBaseline{median, mad, samples};
}

}  // namespace

TEST_CASE("classifier: every recorded failure maps to its class and names step and cause",
          "[classifier]") {
  for (const Row& row : FailureTable()) {
    Transcript t = FailedAt(row.failed);
    t.auth_problem = row.auth;
    Verdict v = Classify(t, LatencyPolicy{});
    INFO(row.name << " -> " << ToString(v.cls) << ": " << v.error);
    CHECK(v.cls == row.expected);
    for (const auto& part : row.error_parts) CHECK_THAT(v.error, Catch::Contains(part));
    CHECK(v.diagnosis.empty());
  }
}

TEST_CASE("classifier: the table covers every class except ok and latency_spike", "[classifier]") {
  std::vector<FailureClass> seen;
  for (const Row& row : FailureTable()) seen.push_back(row.expected);
  for (FailureClass c : kAllFailureClasses) {
    if (c == FailureClass::kOk || c == FailureClass::kLatencySpike) continue;
    INFO(ToString(c));
    CHECK(std::find(seen.begin(), seen.end(), c) != seen.end());
  }
}

TEST_CASE("classifier: the first failure in step order decides", "[classifier]") {
  Transcript t;
  t.steps = {OkStep(Step::kInitialize), OkStep(Step::kInitialized),
             Found(Step::kToolsList, Finding::kInvalidTools, "bad tools"),
             Transport(Step::kToolCall, TransportError::kTimeout, "timed out")};
  Verdict v = Classify(t, LatencyPolicy{});
  CHECK(v.cls == FailureClass::kToolsListFailure);
  CHECK_THAT(v.error, Catch::StartsWith("tools/list: "));

  // A failure wins over any latency: a slow run that also failed is classified by the failure.
  Transcript slow_and_broken = FailedAt(Http(Step::kToolCall, 503));
  slow_and_broken.steps[0].duration = milliseconds(9000);
  slow_and_broken.timings.total = milliseconds(9500);
  Verdict v2 = Classify(slow_and_broken, Limits(milliseconds(100), {}, {}, milliseconds(200)));
  CHECK(v2.cls == FailureClass::kUnavailable);
}

TEST_CASE("classifier: a failed session close never fails a run", "[classifier]") {
  auto close_fault = GENERATE(as<std::string>{}, "500", "reset", "timeout", "404");
  Transcript t = OkRun(milliseconds(5), milliseconds(5), std::nullopt, milliseconds(20));
  StepRecord& close = t.steps.back();
  REQUIRE(close.step == Step::kClose);
  if (close_fault == "500") close.http_status = 500;
  if (close_fault == "404") close.http_status = 404;
  if (close_fault == "reset") close.transport = TransportError::kConnectionReset;
  if (close_fault == "timeout") close.transport = TransportError::kTimeout;
  INFO(close_fault);
  REQUIRE_FALSE(close.Ok());
  Verdict v = Classify(t, LatencyPolicy{});
  CHECK(v.cls == FailureClass::kOk);
  CHECK(v.error.empty());
}

TEST_CASE("classifier: an auth problem never hides a server that is down or broken",
          "[classifier]") {
  // The token manager's trouble refines only the server's refusal (401/403): a refused
  // connection or a broken initialize is still the server's own class.
  const AuthProblem as_down{FailureClass::kAuthServerUnavailable, "token_endpoint: refused"};
  Transcript refused =
      FailedAt(Transport(Step::kInitialize, TransportError::kConnectRefused, "Connection refused"));
  refused.auth_problem = as_down;
  CHECK(Classify(refused, LatencyPolicy{}).cls == FailureClass::kConnectionRefused);
  Transcript broken = FailedAt(Http(Step::kInitialize, 500));
  broken.auth_problem = as_down;
  CHECK(Classify(broken, LatencyPolicy{}).cls == FailureClass::kHttpError);
  // A run that passed is ok whatever the token manager says (its token was still valid).
  Transcript fine = OkRun(milliseconds(5), milliseconds(5), std::nullopt, milliseconds(20));
  fine.auth_problem = as_down;
  CHECK(Classify(fine, LatencyPolicy{}).cls == FailureClass::kOk);
}

TEST_CASE("classifier: an empty transcript is a protocol_error", "[classifier]") {
  Verdict v = Classify(Transcript{}, LatencyPolicy{});
  CHECK(v.cls == FailureClass::kProtocolError);
  CHECK_THAT(v.error, Catch::Contains("no step ran"));
}

TEST_CASE("classifier: absolute limits decide while there is no baseline", "[classifier]") {
  const milliseconds fast(20), slow(900), limit(200);
  SECTION("within every limit is ok") {
    Verdict v = Classify(OkRun(fast, fast, fast, milliseconds(100)),
                         Limits(limit, limit, limit, milliseconds(1000)));
    CHECK(v.cls == FailureClass::kOk);
    CHECK(v.error.empty());
    CHECK(v.diagnosis.empty());
  }
  SECTION("only the tool call over its limit points at a dependency") {
    Verdict v = Classify(OkRun(fast, fast, slow, milliseconds(1000)),
                         Limits(limit, limit, limit, milliseconds(0)));
    CHECK(v.cls == FailureClass::kLatencySpike);
    CHECK_THAT(v.error, Catch::Contains("tool_call 900 ms (limit 200 ms)"));
    CHECK_THAT(v.diagnosis, Catch::Contains("only the tool call is slow"));
    CHECK_THAT(v.diagnosis, Catch::Contains("database pool"));
  }
  SECTION("every phase over its limit points at host or network") {
    Verdict v = Classify(OkRun(slow, slow, slow, milliseconds(3000)),
                         Limits(limit, limit, limit, milliseconds(1000)));
    CHECK(v.cls == FailureClass::kLatencySpike);
    for (const char* phase : {"initialize", "tools_list", "tool_call", "total"}) {
      CHECK_THAT(v.error, Catch::Contains(phase));
    }
    CHECK_THAT(v.diagnosis, Catch::Contains("every MCP phase is slow"));
    CHECK_THAT(v.diagnosis, Catch::Contains("host or the network"));
  }
  SECTION("initialize and tools/list slow with no tool call configured is still every phase") {
    Verdict v = Classify(OkRun(slow, slow, std::nullopt, milliseconds(2000)),
                         Limits(limit, limit, limit, milliseconds(0)));
    CHECK(v.cls == FailureClass::kLatencySpike);
    CHECK_THAT(v.diagnosis, Catch::Contains("every MCP phase"));
  }
  SECTION("only initialize slow points at the server process") {
    Verdict v = Classify(OkRun(slow, fast, fast, milliseconds(1000)),
                         Limits(limit, limit, limit, milliseconds(0)));
    CHECK(v.cls == FailureClass::kLatencySpike);
    CHECK_THAT(v.error, Catch::Contains("initialize 900 ms"));
    CHECK_THAT(v.diagnosis, Catch::Contains("MCP server itself answers slowly"));
  }
  SECTION("steps within their limits but the total over it points at connection set-up") {
    Verdict v =
        Classify(OkRun(fast, fast, fast, milliseconds(1500)), Limits(limit, limit, limit, limit));
    CHECK(v.cls == FailureClass::kLatencySpike);
    CHECK_THAT(v.error, Catch::Contains("total 1500 ms (limit 200 ms)"));
    CHECK_THAT(v.error, !Catch::Contains("tool_call"));
    CHECK_THAT(v.diagnosis, Catch::Contains("no single step stands out"));
  }
  SECTION("no limits at all: slow is not judged") {
    Verdict v = Classify(OkRun(slow, slow, slow, milliseconds(5000)), LatencyPolicy{});
    CHECK(v.cls == FailureClass::kOk);
  }
}

TEST_CASE("classifier: with only a total limit the diagnosis follows where the time went",
          "[classifier]") {
  // `mcpwatch probe --max-latency 1s`: no step has a reference of its own.
  const LatencyPolicy total_only = Limits({}, {}, {}, milliseconds(1000));
  SECTION("every step alike slow: host or network") {
    Transcript t =
        OkRun(milliseconds(300), milliseconds(300), milliseconds(300), milliseconds(1600));
    for (auto& r : t.steps) r.duration = milliseconds(300);
    Verdict v = Classify(t, total_only);
    CHECK(v.cls == FailureClass::kLatencySpike);
    CHECK(v.error == "latency: total 1600 ms (limit 1000 ms)");
    CHECK_THAT(v.diagnosis, Catch::Contains("every MCP phase is slow"));
  }
  SECTION("one tool call holding most of the time: a dependency") {
    Verdict v =
        Classify(OkRun(milliseconds(10), milliseconds(10), milliseconds(1500), milliseconds(1600)),
                 total_only);
    CHECK(v.cls == FailureClass::kLatencySpike);
    CHECK_THAT(v.diagnosis, Catch::Contains("only the tool call is slow"));
  }
  SECTION("a slow initialize: the server process") {
    Verdict v = Classify(
        OkRun(milliseconds(1500), milliseconds(10), std::nullopt, milliseconds(1600)), total_only);
    CHECK_THAT(v.diagnosis, Catch::Contains("MCP server itself"));
  }
  SECTION("connection set-up taking most of the run") {
    Transcript t = OkRun(milliseconds(1300), milliseconds(10), std::nullopt, milliseconds(1400));
    t.timings.dns = milliseconds(200);
    t.timings.connect = milliseconds(300);
    t.timings.tls = milliseconds(700);
    Verdict v = Classify(t, total_only);
    CHECK_THAT(v.diagnosis, Catch::Contains("connection set-up (DNS, TCP, TLS) took 1200 ms"));
  }
  SECTION("time spent outside the requests") {
    Verdict v = Classify(
        OkRun(milliseconds(10), milliseconds(10), std::nullopt, milliseconds(1600)), total_only);
    CHECK_THAT(v.diagnosis, Catch::Contains("outside the MCP requests"));
  }
}

TEST_CASE("classifier: a warm baseline replaces the absolute limit", "[classifier]") {
  LatencyPolicy p = Limits(milliseconds(100), milliseconds(100), milliseconds(100), {});
  p.baselines[static_cast<std::size_t>(BaselinePhase::kInitialize)] = Warm(milliseconds(150));
  p.baselines[static_cast<std::size_t>(BaselinePhase::kToolsList)] = Warm(milliseconds(150));
  p.baselines[static_cast<std::size_t>(BaselinePhase::kToolCall)] = Warm(milliseconds(200));
  SECTION("at its usual pace a target over the cold limit is ok") {
    Verdict v = Classify(
        OkRun(milliseconds(160), milliseconds(140), milliseconds(210), milliseconds(600)), p);
    CHECK(v.cls == FailureClass::kOk);
  }
  SECTION("a tool call of 9 s against a 200 ms baseline is a spike naming the tool call") {
    Verdict v = Classify(
        OkRun(milliseconds(160), milliseconds(140), milliseconds(9000), milliseconds(9400)), p);
    CHECK(v.cls == FailureClass::kLatencySpike);
    CHECK_THAT(v.error, Catch::Contains("tool_call 9000 ms (baseline 200 ms)"));
    CHECK_THAT(v.diagnosis, Catch::Contains("only the tool call is slow"));
  }
  SECTION("a baseline with too few samples is not used: the cold limit decides") {
    p.rule.min_samples = 20;
    p.baselines[static_cast<std::size_t>(BaselinePhase::kInitialize)] =
        Warm(milliseconds(150), milliseconds(1), 19);
    Verdict v = Classify(
        OkRun(milliseconds(160), milliseconds(140), milliseconds(210), milliseconds(600)), p);
    CHECK(v.cls == FailureClass::kLatencySpike);
    CHECK_THAT(v.error, Catch::Contains("initialize 160 ms (limit 100 ms)"));
  }
}

TEST_CASE("classifier: 2 ms -> 6 ms is a wobble, not a spike", "[classifier]") {
  LatencyPolicy p;
  for (auto& b : p.baselines) b = Warm(milliseconds(2), milliseconds(0));
  Verdict v =
      Classify(OkRun(milliseconds(6), milliseconds(6), milliseconds(6), milliseconds(6)), p);
  CHECK(v.cls == FailureClass::kOk);
  CHECK(v.diagnosis.empty());
  // The same factor with a real margin is a spike.
  Verdict big =
      Classify(OkRun(milliseconds(6), milliseconds(6), milliseconds(6), milliseconds(600)), p);
  CHECK(big.cls == FailureClass::kLatencySpike);
  CHECK_THAT(big.error, Catch::Contains("total 600 ms (baseline 2.0 ms)"));
}

TEST_CASE("classifier: a failed phase is never measured for latency", "[classifier]") {
  // tools/list failed after a slow initialize: the class is the failure, not latency.
  Transcript t = FailedAt(Found(Step::kToolsList, Finding::kInvalidTools, "bad"));
  t.steps[0].duration = milliseconds(5000);
  Verdict v = Classify(t, Limits(milliseconds(100), milliseconds(100), milliseconds(100), {}));
  CHECK(v.cls == FailureClass::kToolsListFailure);
  CHECK(v.diagnosis.empty());
}

// A modern (2026-07-28) run has no initialized, ping or close steps: absent is not failed.
Transcript ModernRun() {
  Transcript t;
  t.era = ProtocolEra::kModern;
  for (Step s : {Step::kInitialize, Step::kToolsList, Step::kToolCall}) {
    StepRecord r = OkStep(s);
    r.had_session = false;
    t.steps.push_back(r);
  }
  t.timings.total = milliseconds(20);
  return t;
}

TEST_CASE("classifier: a modern run without handshake, ping or close is ok", "[classifier]") {
  Verdict v = Classify(ModernRun(), LatencyPolicy{});
  CHECK(v.cls == FailureClass::kOk);
  CHECK(v.error.empty());
}

TEST_CASE("classifier: a modern run names server/discover and keeps today's classes",
          "[classifier]") {
  SECTION("a JSON-RPC error on server/discover is initialize_failure") {
    Transcript t = ModernRun();
    t.steps.resize(1);
    t.steps[0].finding = Finding::kJsonRpcError;
    t.steps[0].jsonrpc_code = -32603;
    t.steps[0].message = "database unavailable";
    Verdict v = Classify(t, LatencyPolicy{});
    CHECK(v.cls == FailureClass::kInitializeFailure);
    CHECK_THAT(v.error, Catch::StartsWith("server/discover: JSON-RPC error -32603"));
  }
  SECTION("HTTP 400 on tools/list without a session is http_error, not session_error") {
    Transcript t = ModernRun();
    t.steps.resize(2);
    t.steps[1].http_status = 400;
    t.steps[1].message = "Header mismatch";
    Verdict v = Classify(t, LatencyPolicy{});
    CHECK(v.cls == FailureClass::kHttpError);
    CHECK_THAT(v.error, Catch::StartsWith("tools/list: HTTP 400"));
  }
  SECTION("input_required on tools/call is tool_error") {
    Transcript t = ModernRun();
    t.steps[2].finding = Finding::kToolIsError;
    t.steps[2].message = "tool asked for input (input_required); a synthetic probe tool must not";
    Verdict v = Classify(t, LatencyPolicy{});
    CHECK(v.cls == FailureClass::kToolError);
    CHECK_THAT(v.error, Catch::Contains("input_required"));
  }
  CHECK(StepLabel(Step::kInitialize, ProtocolEra::kLegacy) == "initialize");
  CHECK(StepLabel(Step::kToolsList, ProtocolEra::kModern) == "tools/list");
}

}  // namespace mcpwatch
