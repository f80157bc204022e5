#include "alerts/http_post.h"

#include <algorithm>
#include <memory>

#include "base/curl.h"
#include "checks/redaction.h"

namespace mcpwatch::alerts {

namespace {

constexpr size_t kExcerptBytes = 512;

size_t KeepExcerpt(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t bytes = size * count;
  if (out->size() < kExcerptBytes) out->append(data, std::min(bytes, kExcerptBytes - out->size()));
  return bytes;
}

}  // namespace

tl::expected<PostOutcome, std::string> PostRequest(const OutgoingRequest& request) {
  EnsureCurlGlobalInit();
  CurlEasy curl(curl_easy_init());
  if (!curl) return tl::make_unexpected("curl_easy_init failed");
  CurlSlist headers;
  for (const std::string& h : request.headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next == nullptr) return tl::make_unexpected("out of memory building headers");
    (void)headers.release();
    headers.reset(next);
  }
  PostOutcome outcome;
  CURL* c = curl.get();
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "mcpwatch-notifier");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, KeepExcerpt);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &outcome.body_excerpt);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(c);
  // The only text of someone else's that a delivery brings back: scrub it here, once.
  const Redactor redactor(request.secrets);
  if (rc != CURLE_OK) {
    std::string reason = error[0] != '\0' ? error : curl_easy_strerror(rc);
    return tl::make_unexpected(redactor.Scrub(reason));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &outcome.status);
  redactor.ScrubInPlace(outcome.body_excerpt);
  return outcome;
}

}  // namespace mcpwatch::alerts
