#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpwatch::test {

// Minimal blocking HTTP client for tests (libcurl easy API). It refuses any URL whose host is
// not 127.0.0.1, [::1] or localhost (curl_code = CURLE_URL_MALFORMAT, nothing is sent). TLS
// peer verification is off: test servers use throwaway certificates.
struct HttpResponse {
  long status = 0;
  std::string body;
  std::string content_type;
  int curl_code = 0;                                         // CURLcode; 0 = transfer completed
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, final response

  // First response header with this (case-insensitive) name.
  std::optional<std::string> Header(std::string_view name) const;
};

HttpResponse HttpGet(const std::string& url,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));
// `headers` are "Name: value" lines. Without a Content-Type header, application/json is sent.
HttpResponse HttpPost(const std::string& url, const std::string& body,
                      const std::vector<std::string>& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
// Any method (GET, POST, DELETE, ...) with headers and optional body.
HttpResponse HttpSend(const std::string& method, const std::string& url, const std::string& body,
                      const std::vector<std::string>& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace mcpwatch::test
