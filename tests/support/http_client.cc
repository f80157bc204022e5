#include "tests/support/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace mcpwatch::test {

namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsLoopbackUrl(const std::string& url) {
  for (const char* prefix : {"http://127.0.0.1", "https://127.0.0.1", "http://[::1]",
                             "https://[::1]", "http://localhost", "https://localhost"}) {
    const std::string p(prefix);
    if (url.compare(0, p.size(), p) == 0) {
      const char next = url.size() > p.size() ? url[p.size()] : '/';
      if (next == ':' || next == '/') return true;
    }
  }
  return false;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new (final or interim) response starts
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  response->headers.emplace_back(Lower(line.substr(0, colon)), std::string(value));
  return size * count;
}

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  const std::string lower = Lower(name);
  for (const auto& [k, v] : headers) {
    if (k == lower) return v;
  }
  return std::nullopt;
}

HttpResponse HttpSend(const std::string& method, const std::string& url, const std::string& body,
                      const std::vector<std::string>& headers, std::chrono::milliseconds timeout) {
  HttpResponse response;
  if (!IsLoopbackUrl(url)) {
    response.curl_code = CURLE_URL_MALFORMAT;
    return response;
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    response.curl_code = CURLE_FAILED_INIT;
    return response;
  }
  std::unique_ptr<curl_slist, SlistDeleter> list;
  bool has_content_type = false;
  for (const auto& h : headers) {
    has_content_type = has_content_type || Lower(h).rfind("content-type:", 0) == 0;
    list.reset(curl_slist_append(list.release(), h.c_str()));
  }
  if (method == "POST" && !has_content_type) {
    list.reset(curl_slist_append(list.release(), "Content-Type: application/json"));
  }
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response);
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  } else if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty()) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
  }
  response.curl_code = static_cast<int>(curl_easy_perform(c));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  if (auto ct = response.Header("content-type")) response.content_type = *ct;
  return response;
}

HttpResponse HttpGet(const std::string& url, std::chrono::milliseconds timeout) {
  return HttpSend("GET", url, "", {}, timeout);
}

HttpResponse HttpPost(const std::string& url, const std::string& body,
                      const std::vector<std::string>& headers, std::chrono::milliseconds timeout) {
  return HttpSend("POST", url, body, headers, timeout);
}

}  // namespace mcpwatch::test
