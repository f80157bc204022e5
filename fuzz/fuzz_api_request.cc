// A request to the HTTP API as anyone who can reach the port may send it: the path (decoded as
// civetweb decodes it), the query string and Prometheus' scrape-timeout header, each read by
// server/http_types.h and server/api_request.h. The input is three strings as
// FuzzedDataProvider::ConsumeRandomLengthString cuts them ("\ " ends one), then the method.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "base/encoding.h"
#include "config/target_rules.h"
#include "fuzz/check.h"
#include "server/api_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mcpwatch;
  using namespace std::chrono_literals;
  FuzzedDataProvider in(data, size);
  WebRequest request;
  request.path = PercentDecode(in.ConsumeRandomLengthString(), false);
  request.query = ParseQuery(in.ConsumeRandomLengthString());
  const std::string scrape_timeout = in.ConsumeRandomLengthString();
  if (!scrape_timeout.empty()) {
    request.headers["x-prometheus-scrape-timeout-seconds"] = scrape_timeout;
  }
  request.method = in.ConsumeRemainingBytesAsString();

  const Route route = MatchRoute(request.path);
  FUZZ_CHECK((route.endpoint == Endpoint::kRuns || route.endpoint == Endpoint::kBadge) !=
             route.target.empty());
  (void)IsTargetName(route.target);
  (void)IsTargetName(request.Param("target").value_or(""));

  const auto now = std::chrono::system_clock::time_point{} + 24h * 365 * 57;  // in 2027
  if (auto since = SinceParam(request, 24h, now); !since) FUZZ_CHECK(since.error().status == 400);
  if (auto limit = LimitParam(request)) {
    FUZZ_CHECK(*limit >= 1 && *limit <= kMaxLimit);
  } else {
    FUZZ_CHECK(limit.error().status == 400);
  }
  if (auto timeout = ProbeTimeout(request)) {
    FUZZ_CHECK(*timeout >= 100ms && *timeout <= 120s);
  } else {
    FUZZ_CHECK(timeout.error().status == 400);
  }
  return 0;
}
