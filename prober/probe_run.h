// One MCP probe run over Streamable HTTP or legacy HTTP+SSE, recording every step into a
// Transcript. Over Streamable HTTP it sends server/discover first (the 2026-07-28 era
// detection, checks/era_detection.h): a modern server is probed statelessly, server/discover
// (recorded as the initialize step) → tools/list → tools/call, with no initialized
// notification, ping or close (modern_era.h); any other answer proves a legacy server, probed
// on the same connection as initialize → notifications/initialized → tools/list (every page)
// → the operator's tools/call → ping → close. A ProbeHint from earlier runs skips the detection.
// The run stops at the first failed step (still closing a session). The run only sequences the
// steps: every result is judged by checks/result_judge.h. Thread: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "checks/probe_spec.h"
#include "checks/result_judge.h"
#include "checks/transcript.h"
#include "prober/event_loop.h"
#include "prober/health_fetch.h"
#include "prober/rpc_channel.h"

namespace mcpwatch {

class ProbeRun {
 public:
  using Done = std::function<void(Transcript)>;
  ProbeRun(EventLoop& loop, ProbeSpec spec, ProbeLimits limits, Done done);
  ~ProbeRun();
  ProbeRun(const ProbeRun&) = delete;
  ProbeRun& operator=(const ProbeRun&) = delete;

  void Start();

 private:
  bool UseChannel(TransportKind kind);
  void Handshake();
  void DiscoverFirst();
  void OnDiscoverFirst(RpcOutcome outcome);
  void EnterModernEra();
  void Initialize();
  void OnInitialize(RpcOutcome outcome);
  void FallBackToLegacy(StepRecord streamable_record);
  void FallBackToStreamable(StepRecord legacy_record);
  void Discover();
  void OnDiscover(RpcOutcome outcome);
  void Initialized();
  void ListToolsOrSkip();
  // Sends a request; in the modern era with _meta in params and the Mcp-Method/Mcp-Name headers.
  void Request(Step step, std::string_view method, std::string_view name, nlohmann::json params,
               RpcChannel::Done done, std::vector<std::string> param_headers = {});
  void ToolsList(const std::string& cursor);
  void OnToolsPage(RpcOutcome outcome);
  void ToolCall();
  void SendToolCall(nlohmann::json params);
  StepRecord WithArgumentsMisfit(StepRecord record) const;
  void Ping();
  void Fail(StepRecord record);
  void Finish();
  void Deliver();
  ChannelContext Context();

  EventLoop& loop_;
  ProbeSpec spec_;
  ProbeLimits limits_;
  Done done_;
  EventLoop::Clock::time_point started_;
  EventLoop::Clock::time_point deadline_;
  Transcript transcript_;
  std::unique_ptr<RpcChannel> channel_;
  std::unique_ptr<RpcChannel> retired_channel_;  // kept alive until the run ends
  bool modern_ = false;
  bool discover_tried_ = false;    // server/discover went first in this run
  bool discover_retried_ = false;  // once, after an unsupported-version answer naming ours
  std::string discover_answer_;
  std::optional<StepRecord> discover_failure_;  // kept until initialize says which era    // how it
                                                // proved the server legacy
  bool fell_back_ = false;                      // one transport fallback per run, either way
  std::optional<StepRecord> first_attempt_;     // the legacy GET's failure, while falling back
  bool tools_capability_ = true;
  ToolsListing tools_;
  StepRecord tools_record_;                      // all tools/list pages make one step
  std::vector<std::string> tool_param_headers_;  // Mcp-Param-* of the operator's tool call
  int input_rounds_ = 0;                         // input_required answers sent so far
  Micros tool_call_time_{0};                     // all rounds of the tool call
  bool finished_ = false;
  // The health endpoint's GET (spec.health_url), alongside the steps: the run hands back its
  // transcript once both the steps and this are done, all by the one deadline.
  std::unique_ptr<HealthFetch> health_;
  bool health_pending_ = false;
  bool steps_done_ = false;
};

}  // namespace mcpwatch
