#include "prober/prober.h"

#include "checks/redaction.h"
#include "prober/probe_run.h"

namespace mcpwatch {

Prober::Prober(EventLoop& loop, ProbeLimits limits) : loop_(loop), limits_(limits) {}

Prober::~Prober() = default;

void Prober::Start(ProbeSpec spec, std::function<void(Transcript)> done) {
  uint64_t id = next_id_++;
  // Every byte the target sent reaches the rest of mcpwatch inside this transcript, so the
  // run's secrets are scrubbed here, once, before anything stores, logs, serves or sends it
  // (servers echo request headers in error bodies). The token is always among them, even when
  // the caller did not list it.
  std::vector<std::string> secrets = spec.secrets;
  secrets.push_back(spec.bearer_token);
  auto run = std::make_unique<ProbeRun>(
      loop_, std::move(spec), limits_,
      [this, id, redactor = Redactor(secrets), done = std::move(done)](Transcript t) {
        Redact(t, redactor);
        done(std::move(t));
        // The run is still on the stack: free it once this callback has returned.
        loop_.AddTimer(EventLoop::Clock::now(), [this, id] { runs_.erase(id); });
      });
  ProbeRun* raw = run.get();
  runs_.emplace(id, std::move(run));
  raw->Start();
}

}  // namespace mcpwatch
