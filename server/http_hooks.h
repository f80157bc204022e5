// What the daemon plugs into the HTTP server. Every hook is optional (an empty std::function
// means "not available") and is called from civetweb worker threads, so it must be
// thread-safe; none is called under a lock of ours.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checks/probe_result.h"
#include "server/text_exposition.h"

namespace mcpwatch {

struct HttpHooks {
  // /readyz: 200 "ready", or 503 "not ready". Unset: always ready.
  std::function<bool()> ready;
  // /readyz: when set and it returns a reason, 503 "degraded: <reason>" (the daemon probes and
  // serves, but cannot store its history). /healthz stays 200: a restart would not help.
  std::function<std::optional<std::string>()> degraded;
  // /healthz and /readyz: when set and true, 503 "draining" (shutdown has begun), whatever
  // ready() says; /probe then refuses new runs with 503.
  std::function<bool()> draining;
  // /metrics: more families after the registry's (the per-target ones), written piece by piece.
  std::function<void(const ExpositionSink&)> more_metrics;
  // Runs one probe of a CONFIGURED target now and returns its result (nullopt: unknown name).
  // Blocking, for at most about `timeout`.
  std::function<std::optional<ProbeResult>(const std::string& target,
                                           std::chrono::milliseconds timeout)>
      probe_now;
  // The configured target names. When set, the API, status page and badges show exactly these
  // targets (stored history of removed targets is not listed), and /probe refuses other names
  // before calling probe_now.
  std::function<std::vector<std::string>()> target_names;
};

}  // namespace mcpwatch
