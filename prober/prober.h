// The probe engine's front door: starts probe runs on an EventLoop and hands back each run's
// Transcript. Many runs proceed at once on one thread; none blocks another.
// Thread: loop thread only (use EventLoop::Post from elsewhere).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "checks/probe_spec.h"
#include "checks/transcript.h"
#include "prober/event_loop.h"
#include "prober/rpc_channel.h"

namespace mcpwatch {

class ProbeRun;

class Prober {
 public:
  explicit Prober(EventLoop& loop, ProbeLimits limits = {});
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // Starts a run; `done` runs exactly once on the loop thread, no later than spec.timeout
  // (plus a bounded session close) after the call, with a transcript from which every form
  // of spec.secrets and spec.bearer_token has been scrubbed (checks/redaction.h).
  void Start(ProbeSpec spec, std::function<void(Transcript)> done);
  std::size_t inflight() const { return runs_.size(); }

 private:
  EventLoop& loop_;
  ProbeLimits limits_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<ProbeRun>> runs_;
};

}  // namespace mcpwatch
