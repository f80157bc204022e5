#include "server/routes.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>

#include "config/target_rules.h"
#include "server/api_json.h"
#include "server/api_request.h"
#include "server/log.h"
#include "server/probe_exposition.h"
#include "server/status_page.h"

namespace mcpwatch {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

constexpr std::chrono::milliseconds kDefaultRunsWindow = 24h;
constexpr std::chrono::milliseconds kDefaultEventsWindow = 7 * 24h;

WebResponse HistoryUnavailable(std::string_view what, const std::string& error) {
  server::Log()->warn("history query failed query={} error={}", what, error);
  return WebResponse::JsonError(503, "history unavailable: " + error);
}

// The `since` and `limit` parameters of the list endpoints.
struct ListWindow {
  Clock::time_point since;
  int limit = kDefaultLimit;
};

tl::expected<ListWindow, WebResponse> WindowParams(const WebRequest& request,
                                                   std::chrono::milliseconds default_since) {
  auto since = SinceParam(request, default_since, Clock::now());
  if (!since) return tl::make_unexpected(since.error());
  auto limit = LimitParam(request);
  if (!limit) return tl::make_unexpected(limit.error());
  return ListWindow{*since, *limit};
}

}  // namespace

Routes::Routes(std::shared_ptr<prometheus::Registry> registry, std::filesystem::path database,
               HttpHooks hooks, size_t readers)
    : registry_(std::move(registry)),
      hooks_(std::move(hooks)),
      readers_(std::move(database), readers) {}

WebResponse Routes::Handle(const WebRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    WebResponse r = WebResponse::JsonError(405, "only GET is supported");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const Route route = MatchRoute(request.path);
  switch (route.endpoint) {
    case Endpoint::kStatusPage: return StatusPage();
    case Endpoint::kMetrics: return Metrics();
    case Endpoint::kHealth: return Health();
    case Endpoint::kReady: return Ready();
    case Endpoint::kTargets: return Targets();
    case Endpoint::kEvents: return Events(request);
    case Endpoint::kProbe: return Probe(request);
    case Endpoint::kRuns: return Runs(request, route.target);
    case Endpoint::kBadge: return Badge(route.target);
    case Endpoint::kNotFound: break;
  }
  return WebResponse::JsonError(404, "no such path: " + QuoteInput(request.path));
}

WebResponse Routes::Metrics() {
  WebResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.stream = [registry = registry_, more = hooks_.more_metrics](const ExpositionSink& sink) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, registry->Collect());
    sink(out.view());
    if (more) more(sink);
  };
  return r;
}

// Shutdown fails liveness too, so nothing mistakes a draining daemon for a healthy one.
WebResponse Routes::Health() {
  if (hooks_.draining && hooks_.draining()) return WebResponse::Text(503, "draining\n");
  return WebResponse::Text(200, "ok\n");
}

WebResponse Routes::Ready() {
  if (hooks_.draining && hooks_.draining()) return WebResponse::Text(503, "draining\n");
  if (hooks_.ready && !hooks_.ready()) return WebResponse::Text(503, "not ready\n");
  if (hooks_.degraded) {
    if (auto reason = hooks_.degraded())
      return WebResponse::Text(503, "degraded: " + *reason + "\n");
  }
  return WebResponse::Text(200, "ready\n");
}

bool Routes::IsConfigured(const std::string& target) const {
  if (!hooks_.target_names) return true;  // nothing to check against
  const std::vector<std::string> names = hooks_.target_names();
  return std::find(names.begin(), names.end(), target) != names.end();
}

tl::expected<std::vector<storage::TargetStatus>, std::string> Routes::Statuses() {
  auto reader = readers_.Acquire();
  if (!reader) return tl::make_unexpected(reader.error());
  auto rows = (*reader)->Status(Clock::now());
  if (!rows || !hooks_.target_names) return rows;
  return ConfiguredStatuses(std::move(*rows), hooks_.target_names());
}

template <typename Read>
WebResponse Routes::FromHistory(std::string_view what, Read read) {
  auto reader = readers_.Acquire();
  if (!reader) return HistoryUnavailable(what, reader.error());
  auto body = read(**reader);
  if (!body) return HistoryUnavailable(what, body.error());
  return WebResponse::Json(200, *body);
}

WebResponse Routes::Targets() {
  auto rows = Statuses();
  if (!rows) return HistoryUnavailable("status", rows.error());
  return WebResponse::Json(200, StatusesJson(*rows));
}

WebResponse Routes::Runs(const WebRequest& request, const std::string& target) {
  if (!IsConfigured(target)) {
    return WebResponse::JsonError(404, "unknown target " + QuoteInput(target));
  }
  auto window = WindowParams(request, kDefaultRunsWindow);
  if (!window) return window.error();
  return FromHistory("runs", [&](storage::HistoryReader& history) {
    return history.History(target, window->since, window->limit).map(RunsJson);
  });
}

WebResponse Routes::Events(const WebRequest& request) {
  auto window = WindowParams(request, kDefaultEventsWindow);
  if (!window) return window.error();
  const std::string target = request.Param("target").value_or("");
  return FromHistory("events", [&](storage::HistoryReader& history) {
    return history.Events(target, window->since, window->limit).map(EventsJson);
  });
}

WebResponse Routes::Probe(const WebRequest& request) {
  const auto target = request.Param("target");
  if (!target || target->empty()) {
    return WebResponse::JsonError(400, "missing parameter target: /probe?target=NAME");
  }
  // Not even the shape of a configured name (a URL, a path): refused before anything is
  // looked up, whatever the config holds.
  if (!IsTargetName(*target)) {
    return BadParameter("target", *target,
                        "a target name ([A-Za-z0-9_.-], at most 64 characters): /probe only runs "
                        "targets named in the config, never a URL");
  }
  auto timeout = ProbeTimeout(request);
  if (!timeout) return timeout.error();
  if (!hooks_.probe_now) {
    return WebResponse::JsonError(503, "probing on demand is not available");
  }
  if (hooks_.draining && hooks_.draining()) {
    return WebResponse::JsonError(503, "shutting down: no new probes are accepted");
  }
  const std::string unknown = "unknown target " + QuoteInput(*target) +
                              ": /probe only runs targets named in the config, never a URL";
  if (!IsConfigured(*target)) return WebResponse::JsonError(404, unknown);
  const std::optional<ProbeResult> result = hooks_.probe_now(*target, *timeout);
  if (!result) return WebResponse::JsonError(404, unknown);
  WebResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = ProbeExposition(*result, *timeout);
  return r;
}

WebResponse Routes::Badge(const std::string& target) {
  WebResponse r;
  r.content_type = "image/svg+xml";
  r.headers.emplace_back("Cache-Control", "max-age=60");
  auto rows = Statuses();
  if (!rows) return HistoryUnavailable("badge", rows.error());
  auto it = std::find_if(rows->begin(), rows->end(),
                         [&](const storage::TargetStatus& s) { return s.target == target; });
  if (it == rows->end()) {
    r.status = 404;
    r.body = RenderBadge(std::nullopt);
  } else {
    r.body = RenderBadge(*it);
  }
  return r;
}

WebResponse Routes::StatusPage() {
  auto rows = Statuses();
  if (!rows) return HistoryUnavailable("status page", rows.error());
  WebResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderStatusPage(*rows, Clock::now());
  return r;
}

}  // namespace mcpwatch
