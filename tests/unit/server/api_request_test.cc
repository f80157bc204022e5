#include "server/api_request.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

WebRequest WithQuery(std::string_view query) {
  WebRequest r;
  r.method = "GET";
  r.query = ParseQuery(query);
  return r;
}

std::string ErrorOf(const WebResponse& r) {
  return nlohmann::json::parse(r.body)["error"].get<std::string>();
}

}  // namespace

TEST_CASE("api_request: paths name routes", "[api_request]") {
  struct Case {
    std::string path;
    Endpoint endpoint;
    std::string target;
  };
  const std::vector<Case> cases = {
      {"/", Endpoint::kStatusPage, ""},
      {"/metrics", Endpoint::kMetrics, ""},
      {"/healthz", Endpoint::kHealth, ""},
      {"/readyz", Endpoint::kReady, ""},
      {"/api/v1/targets", Endpoint::kTargets, ""},
      {"/api/v1/events", Endpoint::kEvents, ""},
      {"/probe", Endpoint::kProbe, ""},
      {"/api/v1/targets/shop/runs", Endpoint::kRuns, "shop"},
      {"/api/v1/targets/a/b/runs", Endpoint::kRuns, "a/b"},  // checked by the route, not here
      {"/api/v1/targets//runs", Endpoint::kNotFound, ""},    // an empty name
      {"/api/v1/targets/runs", Endpoint::kNotFound, ""},
      {"/badge/shop.svg", Endpoint::kBadge, "shop"},
      {"/badge/.svg", Endpoint::kNotFound, ""},
      {"/badge/shop.png", Endpoint::kNotFound, ""},
      {"", Endpoint::kNotFound, ""},
      {"/metrics/", Endpoint::kNotFound, ""},
      {"/Metrics", Endpoint::kNotFound, ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.path);
    const Route route = MatchRoute(c.path);
    CHECK(route.endpoint == c.endpoint);
    CHECK(route.target == c.target);
  }
}

TEST_CASE("api_request: since is a duration back from now or an RFC 3339 time", "[api_request]") {
  const Clock::time_point now = Clock::time_point{} + 1000h;
  CHECK(*SinceParam(WithQuery(""), 24h, now) == now - 24h);
  CHECK(*SinceParam(WithQuery("since=90m"), 24h, now) == now - 90min);
  CHECK(SinceParam(WithQuery("since=2026-12-01T02:00:00Z"), 24h, now)->time_since_epoch() ==
        std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}.time_since_epoch() + 2h);
  // fuzz_api_request's query: a year beyond what system_clock holds once overflowed (UBSan).
  const auto far = SinceParam(
      WithQuery("target=shop%20eu&since=2826-12-01T02:00:00%2B01:00&limit=1000"), 24h, now);
  REQUIRE_FALSE(far);
  CHECK(far.error().status == 400);
  // Its duration sibling: 6400 years back from now overflowed the same way.
  const auto long_ago = SinceParam(WithQuery("since=202688888888888s"), 24h, now);
  REQUIRE_FALSE(long_ago);
  CHECK(long_ago.error().status == 400);
  const auto bad = SinceParam(WithQuery("since=yesterday"), 24h, now);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().status == 400);
  CHECK(ErrorOf(bad.error()) ==
        "bad parameter since: \"yesterday\" is not a duration (30m, 24h, 7d) or an RFC 3339 time");
}

TEST_CASE("api_request: limit is an integer from 1 to 1000", "[api_request]") {
  CHECK(*LimitParam(WithQuery("")) == kDefaultLimit);
  CHECK(*LimitParam(WithQuery("limit=1")) == 1);
  CHECK(*LimitParam(WithQuery("limit=1000")) == 1000);
  for (const char* bad : {"limit=0", "limit=1001", "limit=-1", "limit=5x", "limit=", "limit=+5",
                          "limit=99999999999999999999"}) {
    CAPTURE(bad);
    const auto limit = LimitParam(WithQuery(bad));
    REQUIRE_FALSE(limit);
    CHECK(limit.error().status == 400);
    CHECK_THAT(ErrorOf(limit.error()), Catch::StartsWith("bad parameter limit: "));
  }
}

TEST_CASE("api_request: the probe timeout follows the scrape timeout, clamped", "[api_request]") {
  CHECK(*ProbeTimeout(WithQuery("")) == 10s);
  CHECK(*ProbeTimeout(WithQuery("timeout=3s")) == 3s);
  CHECK(*ProbeTimeout(WithQuery("timeout=1ms")) == 100ms);
  CHECK(*ProbeTimeout(WithQuery("timeout=1h")) == 120s);
  WebRequest scraped = WithQuery("timeout=30s");
  scraped.headers["x-prometheus-scrape-timeout-seconds"] = "4.5";
  CHECK(*ProbeTimeout(scraped) == 4s);  // 4.5s minus the 500ms offset, shorter than 30s
  for (const char* header : {"0", "-1", "abc", "86401", "4s", "nan", ""}) {
    CAPTURE(header);
    WebRequest r = WithQuery("");
    r.headers["x-prometheus-scrape-timeout-seconds"] = header;
    const auto timeout = ProbeTimeout(r);
    REQUIRE_FALSE(timeout);
    CHECK_THAT(ErrorOf(timeout.error()),
               Catch::StartsWith("bad header X-Prometheus-Scrape-Timeout-Seconds: "));
  }
  for (const char* query : {"timeout=0", "timeout=5", "timeout=-5s"}) {
    CAPTURE(query);
    const auto timeout = ProbeTimeout(WithQuery(query));
    REQUIRE_FALSE(timeout);
    CHECK_THAT(ErrorOf(timeout.error()), Catch::StartsWith("bad parameter timeout: "));
  }
}

TEST_CASE("api_request: echoed input is quoted and bounded", "[api_request]") {
  CHECK(QuoteInput("shop") == "\"shop\"");
  CHECK(QuoteInput(std::string(100, 'x')) == "\"" + std::string(64, 'x') + "\"");
  CHECK(QuoteInput("a\nb") == "\"a?b\"");
}

}  // namespace mcpwatch
