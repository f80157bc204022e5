// Streamable HTTP (MCP 2025-03-26 … 2025-11-25): every message is a POST to the endpoint; a
// request is answered with application/json or a text/event-stream that may carry
// notifications before the response and may be resumed with GET + Last-Event-ID.
#pragma once

#include <memory>

#include "prober/channel_common.h"
#include "prober/http_exchange.h"
#include "prober/rpc_channel.h"
#include "prober/sse_parser.h"

namespace mcpwatch {

class StreamableChannel : public RpcChannel {
 public:
  static tl::expected<std::unique_ptr<StreamableChannel>, std::string> Create(ChannelContext ctx);
  ~StreamableChannel() override;

  void Call(Step step, std::string_view method, const nlohmann::json& params, Done done) override;
  // Every POST carries Mcp-Method; `extra_headers` adds the request's own (the modern era's
  // Mcp-Name and Mcp-Param-* headers).
  void CallWithHeaders(Step step, std::string_view method, const nlohmann::json& params,
                       std::vector<std::string> extra_headers, Done done);
  // Switches the channel to the stateless modern era: every later request announces `version`,
  // no session id is kept or sent (so Close sends no DELETE), and SSE streams are not resumed.
  void UseModernEra(std::string version);
  // Back to the legacy wire after server/discover proved the server legacy.
  void UseLegacyEra();
  // The next request (only) ends at `deadline` instead of the run's: era detection's own step
  // budget, so a server that never answers server/discover still gets its initialize.
  void SetNextDeadline(EventLoop::Clock::time_point deadline) { next_deadline_ = deadline; }
  void Notify(Step step, std::string_view method, Done done) override;
  void Close(std::function<void(std::optional<StepRecord>)> done) override;
  void SetProtocolVersion(std::string version) override { protocol_version_ = std::move(version); }
  RunTimings connection_timings() const override { return timings_; }
  std::optional<std::chrono::system_clock::time_point> cert_not_after() const override {
    return cert_not_after_;
  }

  const std::string& session_id() const { return session_id_; }

 private:
  enum class BodyMode { kNone, kJson, kSse, kOther };
  struct Pending : PendingRequest {
    using PendingRequest::PendingRequest;
    std::vector<std::string> extra_headers;
    std::optional<EventLoop::Clock::time_point> deadline;  // else the run's
    std::vector<std::string> supported_versions;           // from a non-2xx JSON-RPC error body
    HttpResponseHead head;
    BodyMode mode = BodyMode::kNone;
    std::string body;  // JSON body, or the start of an error body (bounded)
    std::unique_ptr<sse::Parser> parser;
    std::size_t stream_bytes = 0;
    bool json_oversize = false;
    bool responded = false;
    EventLoop::Clock::time_point responded_at;
    bool resuming = false;
    long resume_status = 0;
    std::string last_event_id;
    std::optional<int> retry_ms;
    Finding stream_finding = Finding::kNone;
    std::string stream_message;
    EventLoop::TimerId timer = 0;
  };

  StreamableChannel(ChannelContext ctx, std::unique_ptr<HttpExchange> exchange);
  std::vector<std::string> Headers(bool json_body) const;
  void Send(const std::string& body);
  void Resume();
  bool OnData(std::string_view chunk);
  void OnSseEvent(const sse::StreamEvent& ev);
  void OnDone(const HttpOutcome& out);
  void Complete();
  void OnHead(const HttpResponseHead& head);
  bool ResponseReady(const HttpOutcome& out);
  void FinishSse(const HttpOutcome& out);
  void AnswerServerRequests();
  HttpRequest BaseRequest() const;

  ChannelContext ctx_;
  std::unique_ptr<HttpExchange> exchange_;
  std::unique_ptr<HttpExchange> side_;  // answers server→client requests (ping); made on demand
  std::vector<std::string> base_headers_;
  std::string session_id_;
  std::string protocol_version_;
  int64_t next_id_ = 1;
  bool first_request_ = true;
  bool modern_ = false;
  std::optional<EventLoop::Clock::time_point> next_deadline_;
  RunTimings timings_;
  std::optional<std::chrono::system_clock::time_point> cert_not_after_;
  std::unique_ptr<Pending> pending_;
};

}  // namespace mcpwatch
