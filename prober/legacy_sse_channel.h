// The HTTP+SSE transport of MCP 2024-11-05: a GET opens an event stream whose first event
// names the endpoint to POST messages to; responses arrive as events on that stream.
#pragma once

#include <memory>

#include "prober/channel_common.h"
#include "prober/http_exchange.h"
#include "prober/rpc_channel.h"
#include "prober/sse_parser.h"

namespace mcpwatch {

class LegacySseChannel : public RpcChannel {
 public:
  static tl::expected<std::unique_ptr<LegacySseChannel>, std::string> Create(ChannelContext ctx);
  ~LegacySseChannel() override;

  // Opens the stream and waits for the endpoint event. Reports a failure record for `step`
  // (the step that needed the connection), or nullopt once the endpoint is known. A legacy
  // server sends the endpoint event first and at once; a stream whose first event is another,
  // or that sends none within kEndpointGrace, is a Streamable HTTP server's stream: reported
  // at once as Finding::kTransportMismatch instead of hanging until the deadline.
  void Connect(Step step, std::function<void(std::optional<StepRecord>)> done);

  static constexpr std::chrono::milliseconds kEndpointGrace{3000};


  void Call(Step step, std::string_view method, const nlohmann::json& params, Done done) override;
  void Notify(Step step, std::string_view method, Done done) override;
  void Close(std::function<void(std::optional<StepRecord>)> done) override;
  void SetProtocolVersion(std::string version) override { protocol_version_ = std::move(version); }
  RunTimings connection_timings() const override { return timings_; }
  std::optional<std::chrono::system_clock::time_point> cert_not_after() const override {
    return cert_not_after_;
  }

 private:
  struct Pending : PendingRequest {
    using PendingRequest::PendingRequest;
    bool post_done = false;
    std::string post_body;  // start of the POST's answer, for error messages
  };

  LegacySseChannel(ChannelContext ctx, std::unique_ptr<HttpExchange> stream,
                   std::unique_ptr<HttpExchange> post);
  void Post(const std::string& body);
  void OnStreamEvent(const sse::StreamEvent& ev);
  void OnStreamDone(const HttpOutcome& out);
  void OnStreamOpen();
  // Ends the connect phase (the endpoint timer stops, the stream's connection timings and
  // certificate become the run's) and hands back Connect's callback, for the caller to call.
  std::function<void(std::optional<StepRecord>)> EndConnect();
  // Ends Connect with connect_record_ (a failure); the stream is cancelled.
  void FailConnect(Finding finding, std::string message);
  void OnPostDone(const HttpOutcome& out, const HttpResponseHead& head);
  void MaybeComplete();
  void Fail(TransportError transport, Finding finding, std::string message);
  void Complete();
  std::vector<std::string> Headers() const;
  // Runs fn on the loop after the current libcurl callback returns: curl forbids adding or
  // removing transfers from inside its callbacks.
  void Defer(std::function<void()> fn);

  ChannelContext ctx_;
  std::unique_ptr<HttpExchange> stream_;
  std::unique_ptr<HttpExchange> post_;
  std::vector<std::string> base_headers_;
  std::string protocol_version_;
  std::string endpoint_;
  std::unique_ptr<sse::Parser> parser_;
  HttpResponseHead stream_head_;
  std::function<void(std::optional<StepRecord>)> connect_done_;
  StepRecord connect_record_;
  EventLoop::Clock::time_point connect_started_;
  EventLoop::TimerId endpoint_timer_ = 0;
  bool stream_open_ = false;
  int64_t next_id_ = 1;
  RunTimings timings_;
  std::optional<std::chrono::system_clock::time_point> cert_not_after_;
  std::unique_ptr<Pending> pending_;
  std::vector<EventLoop::TimerId> deferred_;
};

}  // namespace mcpwatch
