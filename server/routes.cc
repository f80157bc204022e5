#include "server/routes.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "base/duration.h"
#include "base/timestamp.h"
#include "config/target_rules.h"
#include "server/api_json.h"
#include "server/label_value.h"
#include "server/log.h"
#include "server/probe_exposition.h"
#include "server/status_page.h"

namespace mcpwatch {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
constexpr std::chrono::milliseconds kDefaultRunsWindow = 24h;
constexpr std::chrono::milliseconds kDefaultEventsWindow = 7 * 24h;
constexpr std::chrono::milliseconds kDefaultProbeTimeout = 10s;
constexpr std::chrono::milliseconds kMinProbeTimeout = 100ms;
constexpr std::chrono::milliseconds kMaxProbeTimeout = 120s;
constexpr std::chrono::milliseconds kScrapeTimeoutOffset = 500ms;  // as blackbox_exporter
constexpr std::string_view kScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds";

// User input echoed in an error message: bounded and printable.
std::string Quote(std::string_view value) {
  return "\"" + BoundLabelValue(value, 64) + "\"";
}

WebResponse BadParameter(std::string_view name, std::string_view value, std::string_view want) {
  return WebResponse::JsonError(400, "bad parameter " + std::string(name) + ": " + Quote(value) +
                                         " is not " + std::string(want));
}

WebResponse HistoryUnavailable(std::string_view what, const std::string& error) {
  server::Log()->warn("history query failed query={} error={}", what, error);
  return WebResponse::JsonError(503, "history unavailable: " + error);
}

// The `since` and `limit` parameters of the list endpoints.
struct ListWindow {
  Clock::time_point since;
  int limit = kDefaultLimit;
};

tl::expected<Clock::time_point, WebResponse> SinceParam(const WebRequest& request,
                                                        std::chrono::milliseconds fallback,
                                                        Clock::time_point now) {
  const auto value = request.Param("since");
  if (!value) return now - fallback;
  if (auto back = ParseDuration(*value)) return now - *back;
  if (auto at = ParseRfc3339(*value)) return *at;
  return tl::make_unexpected(
      BadParameter("since", *value, "a duration (30m, 24h, 7d) or an RFC 3339 time"));
}

tl::expected<int, WebResponse> LimitParam(const WebRequest& request) {
  const auto value = request.Param("limit");
  if (!value) return kDefaultLimit;
  int limit = 0;
  const char* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, limit);
  if (ec != std::errc() || ptr != end || limit < 1 || limit > kMaxLimit) {
    return tl::make_unexpected(BadParameter("limit", *value, "an integer from 1 to 1000"));
  }
  return limit;
}

tl::expected<ListWindow, WebResponse> WindowParams(const WebRequest& request,
                                                   std::chrono::milliseconds default_since) {
  auto since = SinceParam(request, default_since, Clock::now());
  if (!since) return tl::make_unexpected(since.error());
  auto limit = LimitParam(request);
  if (!limit) return tl::make_unexpected(limit.error());
  return ListWindow{*since, *limit};
}

// blackbox_exporter's rule: the scrape timeout minus an offset bounds the run, so the answer
// arrives before Prometheus gives up.
tl::expected<std::chrono::milliseconds, WebResponse> ProbeTimeout(const WebRequest& request) {
  std::optional<std::chrono::milliseconds> timeout;
  if (const auto value = request.Param("timeout")) {
    auto parsed = ParseDuration(*value);
    if (!parsed || parsed->count() <= 0) {
      return tl::make_unexpected(BadParameter("timeout", *value, "a positive duration (5s)"));
    }
    timeout = *parsed;
  }
  if (const auto header = request.Header(kScrapeTimeoutHeader)) {
    double seconds = 0;
    const char* end = header->data() + header->size();
    auto [ptr, ec] = std::from_chars(header->data(), end, seconds);
    if (ec != std::errc() || ptr != end || !(seconds > 0) || seconds > 86400) {
      return tl::make_unexpected(
          WebResponse::JsonError(400, "bad header " + std::string(kScrapeTimeoutHeader) + ": " +
                                          Quote(*header) + " is not a positive number of seconds"));
    }
    const auto scrape = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::duration<double>(seconds)) -
                        kScrapeTimeoutOffset;
    timeout = timeout ? std::min(*timeout, scrape) : scrape;
  }
  return std::clamp(timeout.value_or(kDefaultProbeTimeout), kMinProbeTimeout, kMaxProbeTimeout);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.starts_with(prefix);
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
  const std::string& path = request.path;
  if (path == "/") return StatusPage();
  if (path == "/metrics") return Metrics();
  if (path == "/healthz") return Health();
  if (path == "/readyz") return Ready();
  if (path == "/api/v1/targets") return Targets();
  if (path == "/api/v1/events") return Events(request);
  if (path == "/probe") return Probe(request);

  constexpr std::string_view kTargetsPrefix = "/api/v1/targets/";
  constexpr std::string_view kRunsSuffix = "/runs";
  if (StartsWith(path, kTargetsPrefix) && path.ends_with(kRunsSuffix) &&
      path.size() > kTargetsPrefix.size() + kRunsSuffix.size()) {
    return Runs(request, path.substr(kTargetsPrefix.size(),
                                     path.size() - kTargetsPrefix.size() - kRunsSuffix.size()));
  }
  constexpr std::string_view kBadgePrefix = "/badge/";
  constexpr std::string_view kSvg = ".svg";
  if (StartsWith(path, kBadgePrefix) && path.ends_with(kSvg) &&
      path.size() > kBadgePrefix.size() + kSvg.size()) {
    return Badge(path.substr(kBadgePrefix.size(), path.size() - kBadgePrefix.size() - kSvg.size()));
  }
  return WebResponse::JsonError(404, "no such path: " + Quote(path));
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
    return WebResponse::JsonError(404, "unknown target " + Quote(target));
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
  const std::string unknown = "unknown target " + Quote(*target) +
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
