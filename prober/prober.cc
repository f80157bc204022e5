#include "prober/prober.h"

#include "prober/probe_run.h"

namespace mcpwatch {

Prober::Prober(EventLoop& loop, ProbeLimits limits) : loop_(loop), limits_(limits) {}

Prober::~Prober() = default;

void Prober::Start(ProbeSpec spec, std::function<void(Transcript)> done) {
  uint64_t id = next_id_++;
  auto run = std::make_unique<ProbeRun>(
      loop_, std::move(spec), limits_, [this, id, done = std::move(done)](Transcript t) {
        done(std::move(t));
        // The run is still on the stack: free it once this callback has returned.
        loop_.AddTimer(EventLoop::Clock::now(), [this, id] { runs_.erase(id); });
      });
  ProbeRun* raw = run.get();
  runs_.emplace(id, std::move(run));
  raw->Start();
}

}  // namespace mcpwatch
