#include "prober/probe_run.h"

#include <algorithm>
#include <regex>

#include "base/digest.h"
#include "base/url.h"
#include "checks/tool_list.h"
#include "prober/channel_common.h"
#include "prober/legacy_sse_channel.h"
#include "prober/modern_era.h"
#include "prober/streamable_channel.h"

namespace mcpwatch {
namespace {

constexpr std::size_t kMaxAssertionText = 16 * 1024;

nlohmann::json InitializeParams() {
  return {{"protocolVersion", kSupportedProtocolVersions[0]},
          {"capabilities", nlohmann::json::object()},
          {"clientInfo",
           {{"name", kClientName}, {"title", kClientTitle}, {"version", kClientVersion}}}};
}

std::string StringMember(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? Excerpt(it->get<std::string>(), 200) : std::string();
}

// Validates an initialize result; returns the problem, or "" when usable.
std::string CheckInitializeResult(const nlohmann::json& result, Finding& finding) {
  auto version = result.find("protocolVersion");
  if (version == result.end() || !version->is_string()) {
    finding = Finding::kMalformedResult;
    return "initialize result has no protocolVersion";
  }
  auto v = version->get<std::string>();
  if (std::find(kSupportedProtocolVersions.begin(), kSupportedProtocolVersions.end(), v) ==
      kSupportedProtocolVersions.end()) {
    finding = Finding::kUnsupportedVersion;
    return "server negotiated protocol version \"" + Excerpt(v, 40) +
           "\", which mcpwatch does not speak (2024-11-05 … 2025-11-25)";
  }
  auto info = result.find("serverInfo");
  if (info == result.end() || !info->is_object()) {
    finding = Finding::kMalformedResult;
    return "initialize result has no serverInfo";
  }
  auto name = info->find("name");
  if (name == info->end() || !name->is_string()) {
    finding = Finding::kMalformedResult;
    return "serverInfo has no name";
  }
  auto caps = result.find("capabilities");
  if (caps != result.end() && !caps->is_object()) {
    finding = Finding::kMalformedResult;
    return "initialize result capabilities is not an object";
  }
  return "";
}

bool Fallbackable(const StepRecord& rec) {
  if (rec.transport != TransportError::kNone) return false;
  if (rec.http_status != 400 && rec.http_status != 404 && rec.http_status != 405) return false;
  // A modern (2026-07-28) server names itself with one of these codes; it is no legacy server.
  return !(rec.jsonrpc_code && *rec.jsonrpc_code <= -32020 && *rec.jsonrpc_code >= -32022);
}

}  // namespace

ProbeRun::ProbeRun(EventLoop& loop, ProbeSpec spec, ProbeLimits limits, Done done)
    : loop_(loop), spec_(std::move(spec)), limits_(limits), done_(std::move(done)) {}

ProbeRun::~ProbeRun() = default;

ChannelContext ProbeRun::Context() { return ChannelContext{loop_, spec_, deadline_, limits_}; }

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
    rec.transport_detail = "host " + url->host +
                           " is under .invalid, which never resolves (RFC 6761); not looked up";
    Fail(std::move(rec));
    return;
  }
  bool legacy = spec_.transport == TransportChoice::kSse ||
                (spec_.transport == TransportChoice::kAuto && url->path_ends_with_sse);
  if (!UseChannel(legacy ? TransportKind::kSse : TransportKind::kStreamableHttp)) return;
  if (legacy) {
    static_cast<LegacySseChannel*>(channel_.get())
        ->Connect(Step::kInitialize, [this](std::optional<StepRecord> failure) {
          if (failure) return Fail(std::move(*failure));
          Initialize();
        });
    return;
  }
  Initialize();
}

bool ProbeRun::UseChannel(TransportKind kind) {
  transcript_.transport = kind;
  if (channel_) retired_channel_ = std::move(channel_);
  tl::expected<std::unique_ptr<RpcChannel>, std::string> made =
      kind == TransportKind::kSse
          ? LegacySseChannel::Create(Context()).map([](auto c) -> std::unique_ptr<RpcChannel> { return c; })
          : StreamableChannel::Create(Context()).map([](auto c) -> std::unique_ptr<RpcChannel> { return c; });
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
    if (spec_.transport == TransportChoice::kAuto &&
        transcript_.transport == TransportKind::kStreamableHttp && Fallbackable(o.record)) {
      FallBackToLegacy(std::move(o.record));
      return;
    }
    return Fail(std::move(o.record));
  }
  Finding finding = Finding::kNone;
  std::string problem = CheckInitializeResult(o.result, finding);
  if (!problem.empty()) {
    o.record.finding = finding;
    o.record.message = problem;
    return Fail(std::move(o.record));
  }
  const auto& info = o.result["serverInfo"];
  transcript_.server = {StringMember(info, "name"), StringMember(info, "version"),
                        StringMember(info, "title")};
  transcript_.protocol_version = o.result["protocolVersion"].get<std::string>();
  auto caps = o.result.find("capabilities");
  tools_capability_ = caps != o.result.end() && caps->contains("tools");
  channel_->SetProtocolVersion(transcript_.protocol_version);
  transcript_.steps.push_back(std::move(o.record));
  Initialized();
}

void ProbeRun::FallBackToLegacy(StepRecord streamable_record) {
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
  if (spec_.tool_call) {
    StepRecord rec;
    rec.step = Step::kToolCall;
    rec.finding = Finding::kToolMissing;
    rec.message = "tool \"" + spec_.tool_call->name +
                  "\" cannot be called: the server declares no tools capability";
    return Fail(std::move(rec));
  }
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
  Finding finding = Finding::kNone;
  std::string problem = CheckDiscoverResult(o.result, finding);
  if (!problem.empty()) {
    o.record.finding = finding;
    o.record.message = problem;
    return Fail(std::move(o.record));
  }
  transcript_.server = DiscoveredServer(o.result);
  transcript_.protocol_version = std::string(kModernProtocolVersion);
  auto caps = o.result.find("capabilities");
  tools_capability_ = caps != o.result.end() && caps->contains("tools");
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
  ++pages_;
  if (pages_ == 1) {
    tools_record_ = o.record;
  } else {
    tools_record_.duration += o.record.duration;
  }
  if (!o.record.Ok()) {
    o.record.duration = tools_record_.duration;
    return Fail(std::move(o.record));
  }
  auto fail_tools = [this](std::string message) {
    tools_record_.finding = Finding::kInvalidTools;
    tools_record_.message = std::move(message);
    Fail(tools_record_);
  };
  if (modern_) {
    std::string type = ResultTypeOf(o.result);
    if (type != "complete") {
      return fail_tools(type.empty() ? "tools/list resultType is not a string"
                                     : "tools/list answered resultType \"" + Excerpt(type, 40) +
                                           "\" instead of a complete result");
    }
  }
  auto tools = o.result.find("tools");
  if (tools == o.result.end() || !tools->is_array()) {
    return fail_tools("tools/list result has no tools array");
  }
  for (auto& t : *tools) tools_.push_back(std::move(t));
  auto next = o.result.find("nextCursor");
  if (next != o.result.end() && next->is_string() && !next->get<std::string>().empty()) {
    std::string cursor = next->get<std::string>();
    if (!cursors_.insert(cursor).second) return fail_tools("tools/list nextCursor repeats a cursor");
    if (pages_ >= limits_.max_tools_pages) {
      return fail_tools("tools/list has more than " + std::to_string(limits_.max_tools_pages) +
                        " pages");
    }
    return ToolsList(cursor);
  }
  auto problems = ValidateTools(tools_);
  if (!problems.empty()) {
    std::string msg = "invalid tool definitions: " + problems[0];
    for (std::size_t i = 1; i < problems.size() && i < 3; ++i) msg += "; " + problems[i];
    if (problems.size() > 3) msg += "; and " + std::to_string(problems.size() - 3) + " more";
    return fail_tools(Excerpt(msg, 400));
  }
  transcript_.tool_count = static_cast<int>(tools_.size());
  transcript_.tools_canonical = CanonicalToolsJson(tools_);
  transcript_.tools_hash = Sha256Hex(transcript_.tools_canonical);
  transcript_.steps.push_back(tools_record_);
  if (spec_.tool_call) return ToolCall();
  Ping();
}

void ProbeRun::ToolCall() {
  const ToolCallSpec& call = *spec_.tool_call;
  bool offered = std::any_of(tools_.begin(), tools_.end(), [&](const nlohmann::json& t) {
    auto n = t.find("name");
    return n != t.end() && n->is_string() && n->get<std::string>() == call.name;
  });
  if (!offered) {
    StepRecord rec;
    rec.step = Step::kToolCall;
    rec.finding = Finding::kToolMissing;
    rec.message = "tool \"" + Excerpt(call.name, 80) + "\" is not offered (the server lists " +
                  std::to_string(tools_.size()) + " tools)";
    return Fail(std::move(rec));
  }
  nlohmann::json params = {{"name", call.name}, {"arguments", call.arguments}};
  Request(Step::kToolCall, "tools/call", call.name, std::move(params), [this](RpcOutcome o) {
    if (!o.record.Ok()) return Fail(std::move(o.record));
    if (modern_) {
      std::string type = ResultTypeOf(o.result);
      if (type == "input_required") {
        o.record.finding = Finding::kToolIsError;
        o.record.message =
            "tool asked for input (input_required); a synthetic probe tool must not";
        return Fail(std::move(o.record));
      }
      if (type != "complete") {
        o.record.finding = Finding::kMalformedResult;
        o.record.message = type.empty() ? "tools/call resultType is not a string"
                                        : "tools/call answered resultType \"" +
                                              Excerpt(type, 40) + "\", which mcpwatch does not know";
        return Fail(std::move(o.record));
      }
    }
    std::string text = ToolResultText(o.result, kMaxAssertionText);
    auto is_error = o.result.find("isError");
    if (is_error != o.result.end() && is_error->is_boolean() && is_error->get<bool>()) {
      o.record.finding = Finding::kToolIsError;
      o.record.message = "tool returned isError: " + Excerpt(text, 200);
      return Fail(std::move(o.record));
    }
    const std::string& expect = spec_.tool_call->expect_text;
    if (!expect.empty()) {
      bool matched = false;
      try {
        matched = std::regex_search(text, std::regex(expect, std::regex::ECMAScript));
      } catch (const std::exception&) {
        matched = false;  // a regex too costly for this text counts as no match
      }
      if (!matched) {
        o.record.finding = Finding::kAssertionFailed;
        o.record.message = "result text does not match /" + Excerpt(expect, 80) +
                           "/: " + Excerpt(text, 160);
        return Fail(std::move(o.record));
      }
    }
    transcript_.steps.push_back(std::move(o.record));
    Ping();
  });
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
