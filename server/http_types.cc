#include "server/http_types.h"

#include "base/ascii_lower.h"
#include "base/encoding.h"

namespace mcpwatch {

std::optional<std::string> WebRequest::Param(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> WebRequest::Header(std::string_view name) const {
  auto it = headers.find(AsciiLower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

WebResponse WebResponse::Text(int status, std::string body) {
  WebResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

WebResponse WebResponse::Json(int status, const nlohmann::json& body) {
  WebResponse r;
  r.status = status;
  r.content_type = "application/json";
  // Replace, not throw, on invalid UTF-8 that came from a server or the database.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.body.push_back('\n');
  return r;
}

WebResponse WebResponse::JsonError(int status, std::string message) {
  return Json(status, {{"error", std::move(message)}});
}

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  // The status page has no scripts, images or forms; only its one <style> element needs a
  // grant, and 'unsafe-inline' under style-src cannot run code.
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
  };
  return kHeaders;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    params.emplace(std::move(key), std::move(value));  // emplace keeps the first
  }
  return params;
}

}  // namespace mcpwatch
