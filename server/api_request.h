// Reading what a request to the HTTP API asks for: the route its path names and its parameters
// (`since`, `limit`, `timeout` and Prometheus' scrape-timeout header). Pure functions of the
// request (and of `now`), so routes.cc only dispatches, and all of this is tested and fuzzed
// without a server. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "server/http_types.h"

namespace mcpwatch {

enum class Endpoint {
  kStatusPage,  // /
  kMetrics,     // /metrics
  kHealth,      // /healthz
  kReady,       // /readyz
  kTargets,     // /api/v1/targets
  kEvents,      // /api/v1/events
  kProbe,       // /probe
  kRuns,        // /api/v1/targets/NAME/runs
  kBadge,       // /badge/NAME.svg
  kNotFound,
};

struct Route {
  Endpoint endpoint = Endpoint::kNotFound;
  std::string target;  // NAME of kRuns and kBadge (not checked here: any non-empty text)
};

// The route of a decoded path (civetweb's local_uri, without the query).
Route MatchRoute(std::string_view path);

// User input echoed in an error message: quoted, bounded and printable.
std::string QuoteInput(std::string_view value);
// 400 {"error": "bad parameter NAME: \"VALUE\" is not WANT"}.
WebResponse BadParameter(std::string_view name, std::string_view value, std::string_view want);

inline constexpr int kDefaultLimit = 100;
inline constexpr int kMaxLimit = 1000;

// `since`: a duration back from `now` ("1h", "7d") or an RFC 3339 time; `now - fallback` when
// absent; else a 400.
tl::expected<std::chrono::system_clock::time_point, WebResponse> SinceParam(
    const WebRequest& request, std::chrono::milliseconds fallback,
    std::chrono::system_clock::time_point now);

// `limit`: an integer from 1 to kMaxLimit; kDefaultLimit when absent; else a 400.
tl::expected<int, WebResponse> LimitParam(const WebRequest& request);

// How long /probe may run: blackbox_exporter's rule, the scrape timeout header minus an offset
// (and `timeout` when given, whichever is shorter), clamped to 100ms..120s; 10s without either.
tl::expected<std::chrono::milliseconds, WebResponse> ProbeTimeout(const WebRequest& request);

}  // namespace mcpwatch
