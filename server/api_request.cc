#include "server/api_request.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "base/duration.h"
#include "base/timestamp.h"
#include "server/label_value.h"

namespace mcpwatch {

namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kDefaultProbeTimeout = 10s;
constexpr std::chrono::milliseconds kMinProbeTimeout = 100ms;
constexpr std::chrono::milliseconds kMaxProbeTimeout = 120s;
constexpr std::chrono::milliseconds kScrapeTimeoutOffset = 500ms;  // as blackbox_exporter
constexpr std::string_view kScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds";

// NAME when path is prefix + NAME + suffix with NAME not empty.
std::optional<std::string> Between(std::string_view path, std::string_view prefix,
                                   std::string_view suffix) {
  if (!path.starts_with(prefix) || !path.ends_with(suffix) ||
      path.size() <= prefix.size() + suffix.size()) {
    return std::nullopt;
  }
  return std::string(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()));
}

}  // namespace

Route MatchRoute(std::string_view path) {
  if (path == "/") return {Endpoint::kStatusPage, ""};
  if (path == "/metrics") return {Endpoint::kMetrics, ""};
  if (path == "/healthz") return {Endpoint::kHealth, ""};
  if (path == "/readyz") return {Endpoint::kReady, ""};
  if (path == "/api/v1/targets") return {Endpoint::kTargets, ""};
  if (path == "/api/v1/events") return {Endpoint::kEvents, ""};
  if (path == "/probe") return {Endpoint::kProbe, ""};
  if (auto target = Between(path, "/api/v1/targets/", "/runs")) {
    return {Endpoint::kRuns, std::move(*target)};
  }
  if (auto target = Between(path, "/badge/", ".svg")) return {Endpoint::kBadge, std::move(*target)};
  return {Endpoint::kNotFound, ""};
}

std::string QuoteInput(std::string_view value) {
  return "\"" + BoundLabelValue(value, 64) + "\"";
}

WebResponse BadParameter(std::string_view name, std::string_view value, std::string_view want) {
  return WebResponse::JsonError(400, "bad parameter " + std::string(name) + ": " +
                                         QuoteInput(value) + " is not " + std::string(want));
}

tl::expected<std::chrono::system_clock::time_point, WebResponse> SinceParam(
    const WebRequest& request, std::chrono::milliseconds fallback,
    std::chrono::system_clock::time_point now) {
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
      return tl::make_unexpected(WebResponse::JsonError(
          400, "bad header " + std::string(kScrapeTimeoutHeader) + ": " + QuoteInput(*header) +
                   " is not a positive number of seconds"));
    }
    const auto scrape = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::duration<double>(seconds)) -
                        kScrapeTimeoutOffset;
    timeout = timeout ? std::min(*timeout, scrape) : scrape;
  }
  return std::clamp(timeout.value_or(kDefaultProbeTimeout), kMinProbeTimeout, kMaxProbeTimeout);
}

}  // namespace mcpwatch
