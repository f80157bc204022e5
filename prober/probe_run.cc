#include "prober/probe_run.h"

#include <utility>

#include "base/url.h"
#include "checks/protocol_versions.h"
#include "prober/channel_common.h"
#include "prober/legacy_sse_channel.h"
#include "prober/modern_era.h"
#include "prober/streamable_channel.h"

namespace mcpwatch {
namespace {

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
  bool legacy = spec_.transport == TransportChoice::kSse ||
                (spec_.transport == TransportChoice::kAuto && url->path_ends_with_sse);
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
  Initialize();
}

void ProbeRun::FallBackToStreamable(StepRecord legacy_record) {
  fell_back_ = true;
  first_attempt_ = std::move(legacy_record);
  if (!UseChannel(TransportKind::kStreamableHttp)) return;
  Initialize();
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
  if (!o.record.Ok()) {
    if (transcript_.transport == TransportKind::kStreamableHttp &&
        OffersModernEra(o.record, o.supported_versions)) {
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
  modern_ = true;
  transcript_.era = ProtocolEra::kModern;
  static_cast<StreamableChannel*>(channel_.get())
      ->UseModernEra(std::string(kModernProtocolVersion));
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
                       nlohmann::json params, RpcChannel::Done done) {
  if (!modern_) return channel_->Call(step, method, params, std::move(done));
  static_cast<StreamableChannel*>(channel_.get())
      ->CallWithHeaders(step, method, WithModernMeta(std::move(params)),
                        ModernHeaders(method, name), std::move(done));
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
  nlohmann::json params = {{"name", call.name}, {"arguments", call.arguments}};
  Request(Step::kToolCall, "tools/call", call.name, std::move(params), [this](RpcOutcome o) {
    if (!o.record.Ok()) return Fail(WithArgumentsMisfit(std::move(o.record)));
    if (auto problem = JudgeToolCallResult(o.result, *spec_.tool_call, transcript_.era)) {
      return Fail(WithArgumentsMisfit(Flagged(std::move(o.record), std::move(*problem))));
    }
    transcript_.steps.push_back(std::move(o.record));
    Ping();
  });
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
    auto done = std::move(done_);
    done(std::move(transcript_));
  };
  if (!channel_) return complete(std::nullopt);
  channel_->Close(complete);
}

}  // namespace mcpwatch
