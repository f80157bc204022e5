#include "prober/probe_run.h"

#include <utility>

#include "base/url.h"
#include "checks/era_detection.h"
#include "checks/excerpt.h"
#include "checks/protocol_versions.h"
#include "checks/tool_headers.h"
#include "prober/channel_common.h"
#include "prober/legacy_sse_channel.h"
#include "prober/modern_era.h"
#include "prober/streamable_channel.h"

namespace mcpwatch {
namespace {

// The most a server/discover of unknown outcome may take before the run tries initialize.
constexpr std::chrono::seconds kDiscoverBudget{3};
// Rounds of input_required a tool call may ask for before the run calls it broken.
constexpr int kMaxInputRounds = 3;

nlohmann::json InitializeParams() {
  return {{"protocolVersion", kSupportedProtocolVersions[0]},
          {"capabilities", nlohmann::json::object()},
          {"clientInfo",
           {{"name", kClientName}, {"title", kClientTitle}, {"version", kClientVersion}}}};
}

StepRecord Flagged(StepRecord rec, Problem problem) {
  rec.finding = problem.finding;
  rec.message = std::move(problem.message);
  return rec;
}

// The inputSchema of the listed tool `name` (null when absent).
const nlohmann::json& ToolInputSchema(const nlohmann::json& tools, const std::string& name) {
  static const nlohmann::json kNone;
  for (const auto& t : tools) {
    auto n = t.find("name");
    if (n == t.end() || !n->is_string() || n->get<std::string>() != name) continue;
    auto schema = t.find("inputSchema");
    return schema == t.end() ? kNone : *schema;
  }
  return kNone;
}

StepRecord ToolCallFailure(Problem problem) {
  StepRecord rec;
  rec.step = Step::kToolCall;
  return Flagged(std::move(rec), std::move(problem));
}

// A legacy SSE GET that says this URL is no HTTP+SSE endpoint: the stream is another
// transport's, or the GET is refused the way Streamable HTTP servers refuse it (the Python SDK
// 400, the TypeScript SDK v2 405, a stateless server 404).
bool LegacyRefused(const StepRecord& rec) {
  if (rec.finding == Finding::kTransportMismatch) return true;
  return rec.transport == TransportError::kNone &&
         (rec.http_status == 400 || rec.http_status == 404 || rec.http_status == 405);
}

bool Fallbackable(const StepRecord& rec) {
  if (rec.transport != TransportError::kNone) return false;
  if (rec.http_status != 400 && rec.http_status != 404 && rec.http_status != 405) return false;
  // A modern (2026-07-28) server names itself with one of these codes; it is no legacy server.
  return !(rec.jsonrpc_code && *rec.jsonrpc_code <= -32020 && *rec.jsonrpc_code >= -32022);
}

}  // namespace

ProbeRun::ProbeRun(EventLoop& loop, ProbeSpec spec, ProbeLimits limits, Done done)
    : loop_(loop),
      spec_(std::move(spec)),
      limits_(limits),
      done_(std::move(done)),
      tools_(limits.max_tools_pages) {}

ProbeRun::~ProbeRun() = default;

ChannelContext ProbeRun::Context() {
  return ChannelContext{loop_, spec_, deadline_, limits_};
}

void ProbeRun::Start() {
  started_ = EventLoop::Clock::now();
  deadline_ = started_ + spec_.timeout;
  if (!spec_.health_url.empty()) {
    health_pending_ = true;
    health_ = HealthFetch::Start(loop_, spec_.health_url, deadline_, spec_.ca_file,
                                 [this](HealthRecord r) {
                                   transcript_.health = std::move(r);
                                   health_pending_ = false;
                                   if (steps_done_) Deliver();
                                 });
  }
  auto url = ParseProbeUrl(spec_.url);
  if (!url) {
    StepRecord rec;
    rec.transport = TransportError::kOther;
    rec.transport_detail = url.error();
    Fail(std::move(rec));
    return;
  }
  if (url->reserved_invalid) {
    StepRecord rec;
    rec.transport = TransportError::kDnsFailure;
    rec.transport_detail =
        "host " + url->host + " is under .invalid, which never resolves (RFC 6761); not looked up";
    Fail(std::move(rec));
    return;
  }
  bool legacy = spec_.transport == TransportChoice::kSse;
  if (spec_.transport == TransportChoice::kAuto) {
    // A transport an earlier run proved beats the guess from the path.
    legacy = spec_.hint.transport ? *spec_.hint.transport == TransportKind::kSse
                                  : url->path_ends_with_sse;
  }
  if (!UseChannel(legacy ? TransportKind::kSse : TransportKind::kStreamableHttp)) return;
  if (legacy) {
    static_cast<LegacySseChannel*>(channel_.get())
        ->Connect(Step::kInitialize, [this](std::optional<StepRecord> failure) {
          if (!failure) return Initialize();
          // Under auto a path ending in /sse is only a guess: a Streamable HTTP server may
          // live there too. Fall back the other way, once.
          if (spec_.transport == TransportChoice::kAuto && LegacyRefused(*failure)) {
            return FallBackToStreamable(std::move(*failure));
          }
          Fail(std::move(*failure));
        });
    return;
  }
  Handshake();
}

void ProbeRun::FallBackToStreamable(StepRecord legacy_record) {
  fell_back_ = true;
  first_attempt_ = std::move(legacy_record);
  if (!UseChannel(TransportKind::kStreamableHttp)) return;
  Handshake();
}

// Streamable HTTP: server/discover first (the 2026-07-28 era detection), unless earlier runs
// proved the server legacy.
void ProbeRun::Handshake() {
  if (spec_.hint.era == ProtocolEra::kLegacy) {
    transcript_.era_reason = "legacy, as earlier runs found";
    return Initialize();
  }
  DiscoverFirst();
}

void ProbeRun::DiscoverFirst() {
  discover_tried_ = true;
  EnterModernEra();
  auto* channel = static_cast<StreamableChannel*>(channel_.get());
  if (spec_.hint.era != ProtocolEra::kModern) {
    // Era detection gets its own budget: a legacy server that never answers server/discover
    // must leave time for its initialize.
    auto now = EventLoop::Clock::now();
    channel->SetNextDeadline(
        now + std::min<EventLoop::Clock::duration>((deadline_ - now) / 3, kDiscoverBudget));
  }
  Request(Step::kInitialize, "server/discover", "", nlohmann::json::object(),
          [this](RpcOutcome o) { OnDiscoverFirst(std::move(o)); });
}

void ProbeRun::OnDiscoverFirst(RpcOutcome o) {
  const bool step_timed_out = (o.record.transport == TransportError::kTimeout ||
                               o.record.transport == TransportError::kConnectTimeout) &&
                              EventLoop::Clock::now() < deadline_;
  DiscoverAttempt attempt =
      JudgeDiscoverAttempt(o.record, o.result, o.supported_versions, step_timed_out);
  switch (attempt.answer) {
    case DiscoverAttempt::Answer::kModern:
      transcript_.era_reason = spec_.hint.era == ProtocolEra::kModern
                                   ? "modern, as earlier runs found"
                                   : "server/discover answered";
      return OnDiscover(std::move(o));
    case DiscoverAttempt::Answer::kRetry:
      if (!discover_retried_) {
        discover_retried_ = true;
        return DiscoverFirst();
      }
      [[fallthrough]];
    case DiscoverAttempt::Answer::kFail:
      transcript_.era_reason = "server/discover failed: " + attempt.reason;
      return Fail(std::move(o.record));
    case DiscoverAttempt::Answer::kLegacy: break;
  }
  // A legacy server: initialize on the same connection, unless the step timed out and the
  // connection may still be busy with it.
  modern_ = false;
  transcript_.era = ProtocolEra::kLegacy;
  transcript_.era_reason = attempt.reason + "; probed as legacy";
  transcript_.era_detection = o.record.duration;
  discover_answer_ = attempt.reason;
  if (o.record.Ok()) {
    // Answered, but no discover result: what was wrong with it, should the server be modern.
    if (auto judged = JudgeDiscoverResult(o.result); !judged) {
      o.record = Flagged(std::move(o.record), std::move(judged.error()));
    }
  }
  discover_failure_ = std::move(o.record);
  if (step_timed_out) {
    if (!UseChannel(TransportKind::kStreamableHttp)) return;
  } else {
    static_cast<StreamableChannel*>(channel_.get())->UseLegacyEra();
  }
  Initialize();
}

void ProbeRun::EnterModernEra() {
  modern_ = true;
  transcript_.era = ProtocolEra::kModern;
  static_cast<StreamableChannel*>(channel_.get())
      ->UseModernEra(std::string(kModernProtocolVersion));
}

bool ProbeRun::UseChannel(TransportKind kind) {
  transcript_.transport = kind;
  if (channel_) retired_channel_ = std::move(channel_);
  tl::expected<std::unique_ptr<RpcChannel>, std::string> made =
      kind == TransportKind::kSse ? LegacySseChannel::Create(Context()).map(
                                        [](auto c) -> std::unique_ptr<RpcChannel> { return c; })
                                  : StreamableChannel::Create(Context()).map(
                                        [](auto c) -> std::unique_ptr<RpcChannel> { return c; });
  if (!made) {
    StepRecord rec;
    rec.transport = TransportError::kOther;
    rec.transport_detail = made.error();
    Fail(std::move(rec));
    return false;
  }
  channel_ = std::move(*made);
  return true;
}

void ProbeRun::Initialize() {
  channel_->Call(Step::kInitialize, "initialize", InitializeParams(),
                 [this](RpcOutcome o) { OnInitialize(std::move(o)); });
}

void ProbeRun::OnInitialize(RpcOutcome o) {
  if (!o.record.Ok() && discover_failure_ && OffersModernEra(o.record, o.supported_versions)) {
    // server/discover failed, and initialize is refused the way a modern-only server refuses
    // it: the server is modern and its server/discover is what is broken.
    modern_ = true;
    transcript_.era = ProtocolEra::kModern;
    transcript_.era_detection = Micros{0};
    transcript_.era_reason =
        "server/discover failed and initialize was refused the modern way (a modern-only "
        "server)";
    StepRecord rec = std::move(*discover_failure_);
    rec.message += rec.message.empty() ? "" : "; ";
    rec.message += "initialize was then refused the modern way (HTTP " +
                   std::to_string(o.record.http_status) + ")";
    return Fail(std::move(rec));
  }
  if (!o.record.Ok()) {
    if (transcript_.transport == TransportKind::kStreamableHttp && !discover_tried_ &&
        OffersModernEra(o.record, o.supported_versions)) {
      transcript_.era_reason = "initialize was refused with a modern error; probed as modern";
      transcript_.era_detection = o.record.duration;
      return Discover();
    }
    if (spec_.transport == TransportChoice::kAuto && !fell_back_ &&
        transcript_.transport == TransportKind::kStreamableHttp && Fallbackable(o.record)) {
      FallBackToLegacy(std::move(o.record));
      return;
    }
    if (first_attempt_) {
      // Neither transport works: report what the legacy GET saw first, and that the
      // Streamable HTTP fallback failed too.
      transcript_.transport = TransportKind::kSse;
      StepRecord rec = std::move(*first_attempt_);
      rec.message += rec.message.empty() ? "" : "; ";
      rec.message += "Streamable HTTP fallback also failed (" +
                     (o.record.http_status ? "HTTP " + std::to_string(o.record.http_status)
                                           : std::string(ToString(o.record.transport))) +
                     ")";
      return Fail(std::move(rec));
    }
    if (!discover_answer_.empty()) {
      o.record.message += o.record.message.empty() ? "" : "; ";
      o.record.message += discover_answer_ + " before it";
    }
    return Fail(std::move(o.record));
  }
  auto handshake = JudgeInitializeResult(o.result);
  if (!handshake) return Fail(Flagged(std::move(o.record), std::move(handshake.error())));
  transcript_.server = std::move(handshake->server);
  transcript_.protocol_version = std::move(handshake->protocol_version);
  tools_capability_ = handshake->tools_capability;
  channel_->SetProtocolVersion(transcript_.protocol_version);
  transcript_.steps.push_back(std::move(o.record));
  Initialized();
}

void ProbeRun::FallBackToLegacy(StepRecord streamable_record) {
  fell_back_ = true;
  if (!UseChannel(TransportKind::kSse)) return;
  static_cast<LegacySseChannel*>(channel_.get())
      ->Connect(Step::kInitialize,
                [this, first = std::move(streamable_record)](std::optional<StepRecord> failure) {
                  if (failure) {
                    // Neither transport works: report what the Streamable HTTP POST saw.
                    transcript_.transport = TransportKind::kStreamableHttp;
                    StepRecord rec = first;
                    rec.message += rec.message.empty() ? "" : "; ";
                    rec.message += "legacy SSE fallback also failed";
                    return Fail(std::move(rec));
                  }
                  Initialize();
                });
}

void ProbeRun::Initialized() {
  channel_->Notify(Step::kInitialized, "notifications/initialized", [this](RpcOutcome o) {
    if (!o.record.Ok()) return Fail(std::move(o.record));
    transcript_.steps.push_back(std::move(o.record));
    ListToolsOrSkip();
  });
}

void ProbeRun::ListToolsOrSkip() {
  if (tools_capability_) return ToolsList("");
  if (spec_.tool_call) return Fail(ToolCallFailure(ToolsNotDeclared(*spec_.tool_call)));
  Ping();
}

// The initialize rejection named 2026-07-28: the same channel (and connection, and deadline)
// continues statelessly. The rejected initialize is not a step of its own; server/discover
// takes its place.
void ProbeRun::Discover() {
  EnterModernEra();
  Request(Step::kInitialize, "server/discover", "", nlohmann::json::object(),
          [this](RpcOutcome o) { OnDiscover(std::move(o)); });
}

void ProbeRun::OnDiscover(RpcOutcome o) {
  if (!o.record.Ok()) return Fail(std::move(o.record));
  auto handshake = JudgeDiscoverResult(o.result);
  if (!handshake) return Fail(Flagged(std::move(o.record), std::move(handshake.error())));
  transcript_.server = std::move(handshake->server);
  transcript_.protocol_version = std::move(handshake->protocol_version);
  tools_capability_ = handshake->tools_capability;
  transcript_.steps.push_back(std::move(o.record));
  ListToolsOrSkip();
}

void ProbeRun::Request(Step step, std::string_view method, std::string_view name,
                       nlohmann::json params, RpcChannel::Done done,
                       std::vector<std::string> param_headers) {
  if (transcript_.transport != TransportKind::kStreamableHttp) {
    return channel_->Call(step, method, params, std::move(done));
  }
  // Mcp-Name and Mcp-Param-* go on every Streamable HTTP POST: legacy servers ignore them.
  std::vector<std::string> headers = NameHeader(name);
  headers.insert(headers.end(), param_headers.begin(), param_headers.end());
  if (modern_) params = WithModernMeta(std::move(params));
  static_cast<StreamableChannel*>(channel_.get())
      ->CallWithHeaders(step, method, params, std::move(headers), std::move(done));
}

void ProbeRun::ToolsList(const std::string& cursor) {
  nlohmann::json params = nlohmann::json::object();
  if (!cursor.empty()) params["cursor"] = cursor;
  Request(Step::kToolsList, "tools/list", "", std::move(params),
          [this](RpcOutcome o) { OnToolsPage(std::move(o)); });
}

void ProbeRun::OnToolsPage(RpcOutcome o) {
  if (tools_.pages() == 0) {
    tools_record_ = o.record;
  } else {
    tools_record_.duration += o.record.duration;
  }
  if (!o.record.Ok()) {
    o.record.duration = tools_record_.duration;
    return Fail(std::move(o.record));
  }
  ToolsPageVerdict page = tools_.AddPage(std::move(o.result), transcript_.era);
  switch (page.kind) {
    case ToolsPageVerdict::Kind::kNextPage: return ToolsList(page.next_cursor);
    case ToolsPageVerdict::Kind::kInvalid:
      return Fail(Flagged(tools_record_, std::move(page.problem)));
    case ToolsPageVerdict::Kind::kComplete: break;
  }
  transcript_.tool_count = page.tool_count;
  transcript_.tools_canonical = std::move(page.canonical);
  transcript_.tools_hash = std::move(page.hash);
  transcript_.steps.push_back(tools_record_);
  if (spec_.tool_call) return ToolCall();
  Ping();
}

void ProbeRun::ToolCall() {
  const ToolCallSpec& call = *spec_.tool_call;
  if (auto missing = JudgeToolOffered(call, tools_.tools())) {
    return Fail(ToolCallFailure(std::move(*missing)));
  }
  auto rules = ToolHeaderRules(ToolInputSchema(tools_.tools(), call.name));
  if (!rules && modern_) {
    // The spec has clients drop such a tool from tools/list: agents cannot call it either.
    return Fail(ToolCallFailure(Problem{
        Finding::kToolMissing, "tool \"" + Excerpt(call.name, 80) +
                                   "\" is excluded by MCP clients: its inputSchema is invalid (" +
                                   rules.error() + ")"}));
  }
  if (rules) tool_param_headers_ = ParamHeaders(*rules, call.arguments);
  SendToolCall({{"name", call.name}, {"arguments", call.arguments}});
}

// One round of the tool call; a modern server's input_required is answered from the configured
// input_responses and the call retried (a new request, so a new id), up to kMaxInputRounds.
// All rounds make one step.
void ProbeRun::SendToolCall(nlohmann::json params) {
  Request(
      Step::kToolCall, "tools/call", spec_.tool_call->name, std::move(params),
      [this](RpcOutcome o) {
        o.record.duration += tool_call_time_;
        tool_call_time_ = o.record.duration;
        if (!o.record.Ok()) return Fail(WithArgumentsMisfit(std::move(o.record)));
        if (modern_ && ResultTypeOf(o.result) == "input_required" &&
            ++input_rounds_ <= kMaxInputRounds) {
          auto retry = InputRetryParams(o.result, *spec_.tool_call);
          if (!retry) return Fail(Flagged(std::move(o.record), std::move(retry.error())));
          return SendToolCall(std::move(*retry));
        }
        if (auto problem = JudgeToolCallResult(o.result, *spec_.tool_call, transcript_.era)) {
          return Fail(WithArgumentsMisfit(Flagged(std::move(o.record), std::move(*problem))));
        }
        transcript_.steps.push_back(std::move(o.record));
        Ping();
      },
      tool_param_headers_);
}

// A failed tool call whose configured arguments no longer fit the tool's schema says so after
// the server's own words (a transport failure says nothing about the arguments).
StepRecord ProbeRun::WithArgumentsMisfit(StepRecord record) const {
  if (record.transport != TransportError::kNone || record.http_status >= 300) return record;
  std::string misfit = ArgumentsMisfit(*spec_.tool_call, tools_.tools());
  if (misfit.empty()) return record;
  record.message += record.message.empty() ? misfit : "; " + misfit;
  return record;
}

void ProbeRun::Ping() {
  if (modern_) return Finish();  // the modern era has no ping
  channel_->Call(Step::kPing, "ping", nlohmann::json::object(), [this](RpcOutcome o) {
    if (!o.record.Ok()) return Fail(std::move(o.record));
    transcript_.steps.push_back(std::move(o.record));
    Finish();
  });
}

void ProbeRun::Fail(StepRecord record) {
  transcript_.steps.push_back(std::move(record));
  Finish();
}

void ProbeRun::Finish() {
  if (finished_) return;
  finished_ = true;
  auto complete = [this](std::optional<StepRecord> close) {
    if (close) transcript_.steps.push_back(std::move(*close));
    auto now = EventLoop::Clock::now();
    if (channel_) {
      auto t = channel_->connection_timings();
      transcript_.timings.dns = t.dns;
      transcript_.timings.connect = t.connect;
      transcript_.timings.tls = t.tls;
      transcript_.cert_not_after = channel_->cert_not_after();
    }
    transcript_.timings.total = std::chrono::duration_cast<Micros>(now - started_);
    transcript_.deadline_exceeded = now >= deadline_;
    steps_done_ = true;
    if (!health_pending_) Deliver();
  };
  if (!channel_) return complete(std::nullopt);
  channel_->Close(complete);
}

// Hands the transcript back; `done` may destroy this run, so nothing follows it.
void ProbeRun::Deliver() {
  auto done = std::move(done_);
  done(std::move(transcript_));
}

}  // namespace mcpwatch
