// The server's own health endpoint, fetched alongside a probe run (ProbeSpec::health_url,
// issue 11): one GET on its own connection, within the run's deadline, its body read and
// dropped (bounded). Thread: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "checks/transcript.h"
#include "prober/event_loop.h"
#include "prober/http_exchange.h"

namespace mcpwatch {

class HealthFetch {
 public:
  using Done = std::function<void(HealthRecord)>;

  // Starts the GET; `done` runs exactly once on the loop thread, by `deadline` (curl's timeout),
  // unless the fetch is destroyed first (before Start returns when no handle can be made). No
  // headers are sent: the health URL is not the MCP URL, so the operator's credentials never go
  // there.
  static std::unique_ptr<HealthFetch> Start(EventLoop& loop, const std::string& url,
                                            EventLoop::Clock::time_point deadline,
                                            const std::string& ca_file, Done done);
  HealthFetch(const HealthFetch&) = delete;
  HealthFetch& operator=(const HealthFetch&) = delete;
  ~HealthFetch();

 private:
  HealthFetch() = default;

  std::unique_ptr<HttpExchange> exchange_;
  HealthRecord record_;
  Done done_;
};

}  // namespace mcpwatch
