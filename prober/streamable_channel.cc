#include "prober/streamable_channel.h"

#include <algorithm>
#include <utility>

#include "checks/tool_headers.h"
#include "prober/bounded_json.h"
#include "prober/modern_era.h"

namespace mcpwatch {
namespace {

constexpr std::size_t kMaxErrorBody = 4096;
constexpr auto kStreamGrace = std::chrono::milliseconds(50);

bool IsHttps(const std::string& url) {
  return url.rfind("https://", 0) == 0;
}

}  // namespace

tl::expected<std::unique_ptr<StreamableChannel>, std::string> StreamableChannel::Create(
    ChannelContext ctx) {
  auto exchange = HttpExchange::Create(ctx.loop, ctx.spec.request_headers);
  if (!exchange) return tl::unexpected(exchange.error());
  return std::unique_ptr<StreamableChannel>(new StreamableChannel(ctx, std::move(*exchange)));
}

StreamableChannel::StreamableChannel(ChannelContext ctx, std::unique_ptr<HttpExchange> exchange)
    : ctx_(ctx), exchange_(std::move(exchange)), base_headers_(BaseHeaders(ctx.spec)) {}

StreamableChannel::~StreamableChannel() {
  if (pending_ && pending_->timer != 0) ctx_.loop.CancelTimer(pending_->timer);
}

std::vector<std::string> StreamableChannel::Headers(bool json_body) const {
  std::vector<std::string> h = base_headers_;
  if (json_body) {
    h.emplace_back("Content-Type: application/json");
    h.emplace_back("Accept: application/json, text/event-stream");
  } else {
    h.emplace_back("Accept: text/event-stream");
  }
  if (!session_id_.empty()) h.push_back("Mcp-Session-Id: " + session_id_);
  if (!protocol_version_.empty()) h.push_back("MCP-Protocol-Version: " + protocol_version_);
  return h;
}

HttpRequest StreamableChannel::BaseRequest() const {
  HttpRequest req;
  req.url = ctx_.spec.url;
  req.deadline = pending_ && pending_->deadline ? *pending_->deadline : ctx_.deadline;
  req.ca_file = ctx_.spec.ca_file;
  req.max_body_bytes = std::max(ctx_.limits.max_stream_bytes, ctx_.limits.max_body_bytes);
  return req;
}

void StreamableChannel::Call(Step step, std::string_view method, const nlohmann::json& params,
                             Done done) {
  CallWithHeaders(step, method, params, {}, std::move(done));
}

void StreamableChannel::UseModernEra(std::string version) {
  modern_ = true;
  session_id_.clear();
  protocol_version_ = std::move(version);
}

void StreamableChannel::UseLegacyEra() {
  modern_ = false;
  protocol_version_.clear();
}

void StreamableChannel::CallWithHeaders(Step step, std::string_view method,
                                        const nlohmann::json& params,
                                        std::vector<std::string> extra_headers, Done done) {
  pending_ = std::make_unique<Pending>(step, std::move(done), !session_id_.empty());
  pending_->extra_headers = std::move(extra_headers);
  pending_->extra_headers.insert(pending_->extra_headers.begin(),
                                 "Mcp-Method: " + EncodeHeaderValue(method));
  pending_->deadline = std::exchange(next_deadline_, std::nullopt);
  pending_->id = next_id_++;
  Send(jsonrpc::Request(pending_->id, method, params));
}

void StreamableChannel::Notify(Step step, std::string_view method, Done done) {
  pending_ = std::make_unique<Pending>(step, std::move(done), !session_id_.empty());
  pending_->notification = true;
  pending_->extra_headers = {"Mcp-Method: " + EncodeHeaderValue(method)};
  pending_->deadline = std::exchange(next_deadline_, std::nullopt);
  Send(jsonrpc::Notification(method));
}

void StreamableChannel::Send(const std::string& body) {
  HttpRequest req = BaseRequest();
  req.method = HttpRequest::Method::kPost;
  req.body = body;
  req.headers = Headers(true);
  req.headers.insert(req.headers.end(), pending_->extra_headers.begin(),
                     pending_->extra_headers.end());
  req.fresh_connection = first_request_;
  req.want_cert_info = first_request_ && IsHttps(req.url);
  pending_->started = EventLoop::Clock::now();
  exchange_->Start(req, {[this](const HttpResponseHead& h) { OnHead(h); },
                         [this](std::string_view c) { return OnData(c); },
                         [this](const HttpOutcome& o) { OnDone(o); }});
}

void StreamableChannel::OnHead(const HttpResponseHead& head) {
  Pending& p = *pending_;
  if (p.resuming) {
    p.mode = head.status >= 200 && head.status < 300 && head.content_type == "text/event-stream"
                 ? BodyMode::kSse
                 : BodyMode::kOther;
    p.head.status = p.head.status == 0 ? head.status : p.head.status;
    if (p.mode == BodyMode::kSse) {
      sse::Limits limits{ctx_.limits.max_event_bytes, ctx_.limits.max_events};
      p.parser = std::make_unique<sse::Parser>(limits);
    }
    p.body.clear();
    p.resume_status = head.status;
    return;
  }
  p.head = head;
  if (p.step == Step::kInitialize && !modern_ && !head.session_id.empty()) {
    session_id_ = head.session_id;
  }
  bool ok = head.status >= 200 && head.status < 300;
  if (ok && head.content_type == "application/json") {
    p.mode = BodyMode::kJson;
  } else if (ok && head.content_type == "text/event-stream") {
    p.mode = BodyMode::kSse;
    sse::Limits limits{ctx_.limits.max_event_bytes, ctx_.limits.max_events};
    p.parser = std::make_unique<sse::Parser>(limits);
  } else {
    p.mode = BodyMode::kOther;
  }
}

bool StreamableChannel::OnData(std::string_view chunk) {
  Pending& p = *pending_;
  switch (p.mode) {
    case BodyMode::kJson:
      if (p.body.size() + chunk.size() > ctx_.limits.max_body_bytes) {
        p.json_oversize = true;
        return false;
      }
      p.body.append(chunk);
      return true;
    case BodyMode::kSse: {
      p.stream_bytes += chunk.size();
      if (p.stream_bytes > ctx_.limits.max_stream_bytes) {
        p.stream_finding = p.responded ? Finding::kNone : Finding::kOversize;
        p.stream_message =
            "event stream exceeded " + std::to_string(ctx_.limits.max_stream_bytes) + " bytes";
        return false;
      }
      auto status = p.parser->Feed(chunk, [this](const sse::StreamEvent& ev) { OnSseEvent(ev); });
      p.last_event_id = p.parser->last_event_id();
      if (p.parser->retry_ms()) p.retry_ms = p.parser->retry_ms();
      if (status != sse::Status::kOk) return false;
      return p.stream_finding == Finding::kNone;
    }
    case BodyMode::kOther:
    case BodyMode::kNone:
      if (p.body.size() >= kMaxErrorBody) return false;
      p.body.append(chunk.substr(0, kMaxErrorBody - p.body.size()));
      return true;
  }
  return true;
}

void StreamableChannel::OnSseEvent(const sse::StreamEvent& ev) {
  Pending& p = *pending_;
  if (p.responded || p.stream_finding != Finding::kNone) return;
  if (!ev.type.empty() && ev.type != "message") return;
  if (ev.data.empty()) return;  // priming event or keep-alive
  auto parsed = ParseJson(ev.data, JsonLimits{ctx_.limits.max_event_bytes, 128});
  if (!parsed) {
    p.stream_finding = Finding::kMalformedJson;
    p.stream_message = "SSE event data is " + parsed.error();
    return;
  }
  ScanMessages(*parsed, p.id, p.scan);
  AnswerServerRequests();
  if (p.scan.response) {
    p.responded = true;
    p.responded_at = EventLoop::Clock::now();
    // The server should end the stream now; give it a moment so the connection stays reusable.
    auto when = std::min(p.responded_at + kStreamGrace, p.deadline.value_or(ctx_.deadline));
    p.timer = ctx_.loop.AddTimer(when, [this] {
      pending_->timer = 0;
      exchange_->Cancel();
      first_request_ = false;
      Complete();
    });
  }
}

void StreamableChannel::AnswerServerRequests() {
  Pending& p = *pending_;
  if (p.scan.server_requests.empty()) return;
  const jsonrpc::Message req = p.scan.server_requests.front();
  p.scan.server_requests.clear();  // at most one answer in flight; the rest are dropped
  // Server requests are rare (we declare no capabilities): the second handle is made on demand
  // rather than on every run's hot path.
  if (!side_) {
    auto side = HttpExchange::Create(ctx_.loop, ctx_.spec.request_headers);
    if (!side) return;
    side_ = std::move(*side);
  }
  if (side_->active()) return;
  HttpRequest r = BaseRequest();
  r.method = HttpRequest::Method::kPost;
  r.headers = Headers(true);
  r.body = req.method == "ping" ? jsonrpc::Result(req.id, nlohmann::json::object())
                                : jsonrpc::Error(req.id, -32601, "not supported by mcpwatch");
  side_->Start(r, {nullptr, nullptr, [](const HttpOutcome&) {}});
}

void StreamableChannel::OnDone(const HttpOutcome& out) {
  Pending& p = *pending_;
  if (p.timer != 0) {
    ctx_.loop.CancelTimer(p.timer);
    p.timer = 0;
  }
  if (first_request_) {
    first_request_ = false;
    timings_.dns = out.namelookup;
    if (out.connect > out.namelookup) timings_.connect = out.connect - out.namelookup;
    if (out.appconnect > out.connect) timings_.tls = out.appconnect - out.connect;
    cert_not_after_ = out.cert_not_after;
  }
  if (!p.resuming && out.starttransfer > out.pretransfer) {
    p.record.ttfb = out.starttransfer - out.pretransfer;
  }
  if (p.resuming) {
    FinishSse(out);
    return;
  }
  if (p.responded || (p.mode == BodyMode::kSse && out.transport == TransportError::kNone)) {
    RecordHttp(p.record, p.head, "");
    FinishSse(out);
    return;
  }
  if (out.transport != TransportError::kNone) {
    if (p.head.status > 0) RecordHttp(p.record, p.head, p.body);
    RecordTransport(p.record, out);
    Complete();
    return;
  }
  RecordHttp(p.record, p.head, p.body);
  if (!p.record.HttpOk()) p.supported_versions = SupportedVersionsOfErrorBody(p.body);
  if (!p.record.HttpOk() || p.notification) {
    Complete();
    return;
  }
  if (p.json_oversize || out.oversize) {
    p.record.finding = Finding::kOversize;
    p.record.message =
        "response body exceeded " + std::to_string(ctx_.limits.max_body_bytes) + " bytes";
  } else if (p.mode == BodyMode::kJson) {
    auto parsed = ParseJson(p.body, JsonLimits{ctx_.limits.max_body_bytes, 128});
    if (!parsed) {
      p.record.finding = Finding::kMalformedJson;
      p.record.message = "response body is " + parsed.error();
    } else {
      ScanMessages(*parsed, p.id, p.scan);
      if (p.scan.response) {
        RecordResponse(p.record, *p.scan.response, p.result);
      } else {
        RecordMissingResponse(p.record, p.scan, "JSON body carried no response");
      }
    }
  } else {
    p.record.finding = Finding::kBadContentType;
    p.record.message = "content type \"" + Excerpt(p.head.content_type, 60) +
                       "\" is neither application/json nor text/event-stream" +
                       (p.body.empty() ? "" : "; body: " + Excerpt(p.body, 80));
  }
  Complete();
}

// The end of an SSE response stream (the POST's, or a resumption GET's).
void StreamableChannel::FinishSse(const HttpOutcome& out) {
  Pending& p = *pending_;
  if (p.responded) {
    RecordResponse(p.record, *p.scan.response, p.result);
    Complete();
    return;
  }
  if (p.stream_finding != Finding::kNone) {
    p.record.finding = p.stream_finding;
    p.record.message = p.stream_message;
    Complete();
    return;
  }
  if (p.parser && p.parser->status() != sse::Status::kOk) {
    bool too_large = p.parser->status() == sse::Status::kEventTooLarge;
    p.record.finding = too_large ? Finding::kMalformedSse : Finding::kOversize;
    p.record.message = too_large ? "an SSE event exceeded " +
                                       std::to_string(ctx_.limits.max_event_bytes) + " bytes"
                                 : "more than " + std::to_string(ctx_.limits.max_events) +
                                       " SSE events without the response";
    Complete();
    return;
  }
  if (out.transport != TransportError::kNone) {
    RecordTransport(p.record, out);
    Complete();
    return;
  }
  if (p.resuming && (p.resume_status < 200 || p.resume_status >= 300 || p.mode != BodyMode::kSse)) {
    // A response to another id (or an invalid message) seen before the stream closed is the
    // real cause; only without one is the failed resumption worth reporting.
    RecordMissingResponse(p.record, p.scan,
                          "event stream closed before the response; resuming it with GET "
                          "answered HTTP " +
                              std::to_string(p.resume_status));
    Complete();
    return;
  }
  // The modern era has no resumability: a stream that ends early has lost the response.
  bool can_resume =
      !modern_ && !p.last_event_id.empty() && p.record.attempts <= ctx_.limits.max_resume_attempts;
  auto delay = p.retry_ms ? std::chrono::milliseconds(*p.retry_ms) : ctx_.limits.default_retry;
  delay = std::min(delay, ctx_.limits.max_retry);
  if (can_resume && EventLoop::Clock::now() + delay < ctx_.deadline) {
    p.timer = ctx_.loop.AddTimer(EventLoop::Clock::now() + delay, [this] {
      pending_->timer = 0;
      Resume();
    });
    return;
  }
  RecordMissingResponse(p.record, p.scan, "event stream ended without the response");
  Complete();
}

void StreamableChannel::Resume() {
  Pending& p = *pending_;
  p.resuming = true;
  p.record.attempts += 1;
  HttpRequest req = BaseRequest();
  req.method = HttpRequest::Method::kGet;
  req.headers = Headers(false);
  req.headers.push_back("Last-Event-ID: " + p.last_event_id);
  exchange_->Start(req, {[this](const HttpResponseHead& h) { OnHead(h); },
                         [this](std::string_view c) { return OnData(c); },
                         [this](const HttpOutcome& o) { OnDone(o); }});
}

void StreamableChannel::Complete() {
  auto p = std::move(pending_);
  auto end = p->responded ? p->responded_at : EventLoop::Clock::now();
  p->record.duration = std::chrono::duration_cast<Micros>(end - p->started);
  RpcOutcome outcome{std::move(p->record), std::move(p->result), std::move(p->supported_versions)};
  auto done = std::move(p->done);
  done(std::move(outcome));
}

void StreamableChannel::Close(std::function<void(std::optional<StepRecord>)> done) {
  auto now = EventLoop::Clock::now();
  if (session_id_.empty() || now >= ctx_.deadline) {
    done(std::nullopt);
    return;
  }
  HttpRequest req = BaseRequest();
  req.method = HttpRequest::Method::kDelete;
  req.headers = Headers(false);
  req.close_after = true;
  req.deadline = std::min(ctx_.deadline, now + std::chrono::seconds(2));
  auto started = now;
  auto rec = std::make_shared<StepRecord>();
  rec->step = Step::kClose;
  rec->had_session = true;
  exchange_->Start(
      req, {[rec](const HttpResponseHead& h) { RecordHttp(*rec, h, ""); }, nullptr,
            [rec, started, done = std::move(done)](const HttpOutcome& out) {
              if (out.transport != TransportError::kNone) RecordTransport(*rec, out);
              rec->duration = std::chrono::duration_cast<Micros>(EventLoop::Clock::now() - started);
              done(*rec);
            }});
}

}  // namespace mcpwatch
