// A request and a response as plain values, so the routes are functions of data and the
// civetweb glue (http_server.cc) stays thin.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpwatch {

struct WebRequest {
  std::string method;                          // "GET", ...
  std::string path;                            // decoded, without the query
  std::map<std::string, std::string> query;    // decoded; the first of repeated keys wins
  std::map<std::string, std::string> headers;  // names lower-cased

  std::optional<std::string> Param(const std::string& name) const;
  std::optional<std::string> Header(std::string_view name) const;  // any case
};

struct WebResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides the two above
  // When set, the body is whatever this writes through its sink, sent with chunked transfer
  // encoding as it is produced (a large /metrics never sits in memory whole); `body` is unused.
  std::function<void(const std::function<void(std::string_view)>&)> stream;

  static WebResponse Text(int status, std::string body);
  static WebResponse Json(int status, const nlohmann::json& body);
  // {"error": message} with the status; used for every 4xx/5xx of the API.
  static WebResponse JsonError(int status, std::string message);
};

// The headers every answer carries, civetweb's own error pages included (http_server.cc adds
// them in its one response writer): a Content-Security-Policy that allows nothing but the status
// page's inline <style> and forbids framing, nosniff, no Referer. There is deliberately no
// Access-Control-Allow-Origin: browsers keep other origins' pages from reading the API.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

// "a=1&b=x%20y" -> {a: "1", b: "x y"}; '+' is a space. Malformed escapes are kept literally.
std::map<std::string, std::string> ParseQuery(std::string_view query);

}  // namespace mcpwatch
