#include "server/http_types.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

TEST_CASE("ParseQuery decodes keys and values and keeps the first of repeated keys") {
  const auto q = ParseQuery("target=shop%20eu&since=1h&limit=5&target=other&flag&a+b=c+d&=x");
  CHECK(q.at("target") == "shop eu");
  CHECK(q.at("since") == "1h");
  CHECK(q.at("limit") == "5");
  CHECK(q.at("flag").empty());
  CHECK(q.at("a b") == "c d");
  CHECK(ParseQuery("").empty());
}

TEST_CASE("WebRequest headers are found in any case") {
  WebRequest r;
  r.headers["x-prometheus-scrape-timeout-seconds"] = "10";
  CHECK(r.Header("X-Prometheus-Scrape-Timeout-Seconds") == "10");
  CHECK_FALSE(r.Header("Accept"));
}

TEST_CASE("JSON responses survive invalid UTF-8 and carry their content type") {
  const WebResponse r = WebResponse::Json(200, {{"name", std::string("bad\xff")}});
  CHECK(r.content_type == "application/json");
  CHECK(r.body.find("bad") != std::string::npos);
  const WebResponse e = WebResponse::JsonError(400, "bad parameter limit");
  CHECK(e.status == 400);
  CHECK(nlohmann::json::parse(e.body)["error"] == "bad parameter limit");
}

TEST_CASE("SecurityHeaders forbid scripts, framing and sniffing, and grant no CORS") {
  std::map<std::string, std::string> headers(SecurityHeaders().begin(), SecurityHeaders().end());
  REQUIRE(headers.size() == SecurityHeaders().size());  // each name once
  const std::string csp = headers.at("Content-Security-Policy");
  CHECK(csp.starts_with("default-src 'none';"));
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("script-src") == std::string::npos);
  CHECK(csp.find('*') == std::string::npos);
  CHECK(headers.at("X-Content-Type-Options") == "nosniff");
  CHECK(headers.at("Referrer-Policy") == "no-referrer");
  for (const auto& [name, value] : headers) CHECK_FALSE(name.starts_with("Access-Control"));
}

}  // namespace
}  // namespace mcpwatch
