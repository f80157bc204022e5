#include "prober/legacy_sse_channel.h"

#include "prober/bounded_json.h"

namespace mcpwatch {
namespace {

constexpr std::size_t kMaxErrorBody = 4096;

std::optional<std::string> UrlPart(CURLU* u, CURLUPart part) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, 0) != CURLUE_OK) return std::nullopt;
  std::string s(out);
  curl_free(out);
  return s;
}

// Resolves the endpoint event's URI against the stream URL; refuses another origin (the TS
// SDK does the same): a server must not send our credentials elsewhere.
tl::expected<std::string, std::string> ResolveEndpoint(const std::string& base,
                                                       const std::string& ref) {
  CurlUrl u(curl_url());
  CurlUrl b(curl_url());
  if (!u || !b) return tl::unexpected(std::string("out of memory"));
  if (curl_url_set(b.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) {
    return tl::unexpected("cannot parse URL " + base);
  }
  if (curl_url_set(u.get(), CURLUPART_URL, ref.c_str(), 0) != CURLUE_OK) {
    return tl::unexpected("endpoint event data \"" + Excerpt(ref, 80) + "\" is not a URI");
  }
  for (CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
    if (UrlPart(u.get(), part) != UrlPart(b.get(), part)) {
      return tl::unexpected("endpoint event names another origin: " + Excerpt(ref, 80));
    }
  }
  auto full = UrlPart(u.get(), CURLUPART_URL);
  if (!full) return tl::unexpected(std::string("cannot resolve the endpoint URI"));
  return *full;
}

}  // namespace

tl::expected<std::unique_ptr<LegacySseChannel>, std::string> LegacySseChannel::Create(
    ChannelContext ctx) {
  auto stream = HttpExchange::Create(ctx.loop, ctx.spec.request_headers);
  if (!stream) return tl::unexpected(stream.error());
  auto post = HttpExchange::Create(ctx.loop, ctx.spec.request_headers);
  if (!post) return tl::unexpected(post.error());
  return std::unique_ptr<LegacySseChannel>(
      new LegacySseChannel(ctx, std::move(*stream), std::move(*post)));
}

LegacySseChannel::LegacySseChannel(ChannelContext ctx, std::unique_ptr<HttpExchange> stream,
                                   std::unique_ptr<HttpExchange> post)
    : ctx_(ctx),
      stream_(std::move(stream)),
      post_(std::move(post)),
      base_headers_(BaseHeaders(ctx.spec)) {}

LegacySseChannel::~LegacySseChannel() {
  for (auto id : deferred_) ctx_.loop.CancelTimer(id);
  ctx_.loop.CancelTimer(endpoint_timer_);
  post_->Cancel();
  stream_->Cancel();
}

std::vector<std::string> LegacySseChannel::Headers() const {
  std::vector<std::string> h = base_headers_;
  h.emplace_back("Content-Type: application/json");
  h.emplace_back("Accept: application/json, text/event-stream");
  if (!protocol_version_.empty()) h.push_back("MCP-Protocol-Version: " + protocol_version_);
  return h;
}

void LegacySseChannel::Connect(Step step, std::function<void(std::optional<StepRecord>)> done) {
  connect_done_ = std::move(done);
  connect_record_ = {};
  connect_record_.step = step;
  connect_started_ = EventLoop::Clock::now();
  parser_ = std::make_unique<sse::Parser>(sse::Limits{ctx_.limits.max_event_bytes,
                                                      ctx_.limits.max_events});
  auto error_body = std::make_shared<std::string>();
  HttpRequest req;
  req.method = HttpRequest::Method::kGet;
  req.url = ctx_.spec.url;
  req.deadline = ctx_.deadline;
  req.ca_file = ctx_.spec.ca_file;
  req.headers = base_headers_;
  req.headers.emplace_back("Accept: text/event-stream");
  req.fresh_connection = true;
  req.close_after = true;
  req.want_cert_info = req.url.rfind("https://", 0) == 0;
  req.max_body_bytes = ctx_.limits.max_stream_bytes;
  stream_->Start(
      req, {[this](const HttpResponseHead& h) {
              stream_head_ = h;
              stream_open_ = h.status >= 200 && h.status < 300 &&
                             h.content_type == "text/event-stream";
              if (stream_open_) OnStreamOpen();
            },
            [this, error_body](std::string_view chunk) {
              if (!stream_open_) {
                if (error_body->size() >= kMaxErrorBody) return false;
                error_body->append(chunk.substr(0, kMaxErrorBody - error_body->size()));
                return true;
              }
              auto st = parser_->Feed(chunk, [this](const sse::StreamEvent& ev) { OnStreamEvent(ev); });
              return st == sse::Status::kOk;
            },
            [this, error_body](const HttpOutcome& out) {
              if (connect_done_) {
                RecordHttp(connect_record_, stream_head_, *error_body);
              }
              OnStreamDone(out);
            }});
}

void LegacySseChannel::Defer(std::function<void()> fn) {
  auto id = std::make_shared<EventLoop::TimerId>(0);
  *id = ctx_.loop.AddTimer(EventLoop::Clock::now(), [this, id, fn = std::move(fn)] {
    std::erase(deferred_, *id);
    fn();
  });
  deferred_.push_back(*id);
}

void LegacySseChannel::OnStreamEvent(const sse::StreamEvent& ev) {
  if (endpoint_.empty()) {
    if (!connect_done_) return;
    if (ev.type != "endpoint") {
      return FailConnect(Finding::kTransportMismatch,
                         "the SSE stream's first event is \"" +
                             Excerpt(ev.type.empty() ? "message" : ev.type, 40) +
                             "\", not the endpoint event of the 2024-11-05 HTTP+SSE transport: "
                             "this is a Streamable HTTP server's stream");
    }
    auto resolved = ResolveEndpoint(ctx_.spec.url, ev.data);
    if (!resolved) return FailConnect(Finding::kInvalidJsonRpc, resolved.error());
    auto done = EndConnect();
    endpoint_ = *resolved;
    Defer([done = std::move(done)] { done(std::nullopt); });
    return;
  }
  if (!pending_ || pending_->notification || pending_->scan.response) return;
  if ((!ev.type.empty() && ev.type != "message") || ev.data.empty()) return;
  auto parsed = ParseJson(ev.data, JsonLimits{ctx_.limits.max_event_bytes, 128});
  if (!parsed) {
    Defer([this, msg = "SSE event data is " + parsed.error()] {
      Fail(TransportError::kNone, Finding::kMalformedJson, msg);
    });
    return;
  }
  ScanMessages(*parsed, pending_->id, pending_->scan);
  if (pending_->scan.response) Defer([this] { MaybeComplete(); });
}

void LegacySseChannel::OnStreamOpen() {
  // A legacy server names its endpoint as soon as the stream opens; waiting for the whole
  // deadline would report a Streamable HTTP server's idle stream as a hung server.
  auto grace = std::min(EventLoop::Clock::now() + kEndpointGrace, ctx_.deadline);
  endpoint_timer_ = ctx_.loop.AddTimer(grace, [this] {
    endpoint_timer_ = 0;
    if (!connect_done_) return;
    FailConnect(Finding::kTransportMismatch,
                "the SSE stream sent no endpoint event within " +
                    std::to_string(kEndpointGrace.count() / 1000) +
                    " s of opening: not the 2024-11-05 HTTP+SSE transport (a Streamable HTTP "
                    "server's stream stays silent)");
  });
}

std::function<void(std::optional<StepRecord>)> LegacySseChannel::EndConnect() {
  auto done = std::move(connect_done_);
  connect_done_ = nullptr;
  ctx_.loop.CancelTimer(endpoint_timer_);
  endpoint_timer_ = 0;
  // The connection was made even when the stream then failed: its timings are the run's.
  timings_ = stream_->ConnectTimings();
  cert_not_after_ = stream_->CertNotAfter();
  return done;
}

void LegacySseChannel::FailConnect(Finding finding, std::string message) {
  auto done = EndConnect();
  connect_record_.http_status = static_cast<int>(stream_head_.status);
  connect_record_.content_type = stream_head_.content_type;
  connect_record_.finding = finding;
  connect_record_.message = std::move(message);
  connect_record_.duration =
      std::chrono::duration_cast<Micros>(EventLoop::Clock::now() - connect_started_);
  Defer([this, done = std::move(done)] {
    stream_->Cancel();
    stream_open_ = false;
    done(connect_record_);
  });
}

void LegacySseChannel::OnStreamDone(const HttpOutcome& out) {
  bool was_open = stream_open_;
  stream_open_ = false;
  ctx_.loop.CancelTimer(endpoint_timer_);  // the stream is over, connected or not
  endpoint_timer_ = 0;
  if (connect_done_) {
    auto done = EndConnect();
    if (out.transport != TransportError::kNone) {
      RecordTransport(connect_record_, out);
    } else if (connect_record_.HttpOk() && !was_open) {
      connect_record_.finding = Finding::kBadContentType;
      connect_record_.message = "GET for the legacy SSE stream answered content type \"" +
                                Excerpt(stream_head_.content_type, 60) + "\"";
    } else if (connect_record_.HttpOk()) {
      connect_record_.finding = parser_->status() == sse::Status::kOk ? Finding::kNoResponse
                                                                      : Finding::kMalformedSse;
      connect_record_.message = "the SSE stream ended without an endpoint event";
    }
    connect_record_.duration =
        std::chrono::duration_cast<Micros>(EventLoop::Clock::now() - connect_started_);
    done(connect_record_);
    return;
  }
  if (!pending_) return;
  if (out.transport != TransportError::kNone) {
    Fail(out.transport, Finding::kNone, Excerpt(out.error, 300));
  } else if (parser_->status() != sse::Status::kOk) {
    Fail(TransportError::kNone, Finding::kMalformedSse, "the SSE stream broke its bounds");
  } else {
    Fail(TransportError::kNone, Finding::kNoResponse, "the SSE stream closed before the response");
  }
}

void LegacySseChannel::Call(Step step, std::string_view method, const nlohmann::json& params,
                            Done done) {
  pending_ = std::make_unique<Pending>(step, std::move(done), /*had_session=*/true);
  pending_->id = next_id_++;
  Post(jsonrpc::Request(pending_->id, method, params));
}

void LegacySseChannel::Notify(Step step, std::string_view method, Done done) {
  pending_ = std::make_unique<Pending>(step, std::move(done), /*had_session=*/true);
  pending_->notification = true;
  Post(jsonrpc::Notification(method));
}

void LegacySseChannel::Post(const std::string& body) {
  if (!stream_open_) {
    Fail(TransportError::kConnectionReset, Finding::kNone, "the SSE stream is closed");
    return;
  }
  HttpRequest req;
  req.method = HttpRequest::Method::kPost;
  req.url = endpoint_;
  req.body = body;
  req.headers = Headers();
  req.deadline = ctx_.deadline;
  req.ca_file = ctx_.spec.ca_file;
  req.max_body_bytes = kMaxErrorBody;
  pending_->started = EventLoop::Clock::now();
  auto head = std::make_shared<HttpResponseHead>();
  post_->Start(req, {[head](const HttpResponseHead& h) { *head = h; },
                     [this](std::string_view chunk) {
                       auto& b = pending_->post_body;
                       if (b.size() < kMaxErrorBody)
                         b.append(chunk.substr(0, kMaxErrorBody - b.size()));
                       return true;
                     },
                     [this, head](const HttpOutcome& out) { OnPostDone(out, *head); }});
}

void LegacySseChannel::OnPostDone(const HttpOutcome& out, const HttpResponseHead& head) {
  if (!pending_) return;
  Pending& p = *pending_;
  p.post_done = true;
  if (out.starttransfer > out.pretransfer) p.record.ttfb = out.starttransfer - out.pretransfer;
  if (out.transport != TransportError::kNone && !out.oversize) {
    if (head.status > 0) RecordHttp(p.record, head, p.post_body);
    RecordTransport(p.record, out);
    Complete();
    return;
  }
  RecordHttp(p.record, head, p.post_body);
  p.record.content_type.clear();  // the POST's answer is an acknowledgement, not the response
  if (!p.record.HttpOk() || p.notification) {
    Complete();
    return;
  }
  MaybeComplete();
}

void LegacySseChannel::MaybeComplete() {
  if (!pending_ || !pending_->post_done || !pending_->scan.response) return;
  RecordResponse(pending_->record, *pending_->scan.response, pending_->result);
  Complete();
}

void LegacySseChannel::Fail(TransportError transport, Finding finding, std::string message) {
  if (!pending_) return;
  post_->Cancel();
  StepRecord& rec = pending_->record;
  rec.transport = transport;
  rec.finding = finding;
  if (transport != TransportError::kNone) {
    rec.transport_detail = std::move(message);
  } else {
    rec.message = std::move(message);
  }
  Complete();
}

void LegacySseChannel::Complete() {
  auto p = std::move(pending_);
  p->record.duration =
      std::chrono::duration_cast<Micros>(EventLoop::Clock::now() - p->started);
  RpcOutcome outcome{std::move(p->record), std::move(p->result), {}};
  auto done = std::move(p->done);
  done(std::move(outcome));
}

void LegacySseChannel::Close(std::function<void(std::optional<StepRecord>)> done) {
  post_->Cancel();
  stream_->Cancel();
  stream_open_ = false;
  done(std::nullopt);
}

}  // namespace mcpwatch
