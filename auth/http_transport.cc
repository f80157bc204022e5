#include "auth/http_transport.h"

#include <algorithm>

#include "base/ascii_lower.h"
#include "base/version.h"

namespace mcpwatch {
namespace {

struct Collected {
  HttpReply reply;
  std::size_t max_body = 0;
  bool oversize = false;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t OnHeader(char* data, size_t size, size_t n, void* userp) {
  auto* c = static_cast<Collected*>(userp);
  std::string_view line(data, size * n);
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  const std::string name = AsciiLower(Trim(line.substr(0, colon)));
  std::string_view value = Trim(line.substr(colon + 1)).substr(0, 4096);
  if (name == "content-type") {
    c->reply.content_type = AsciiLower(Trim(value.substr(0, value.find(';'))));
  } else if (name == "location") {
    c->reply.location = std::string(value);
  } else if (name == "dpop-nonce") {
    c->reply.dpop_nonce = std::string(value);
  }
  return size * n;
}

size_t OnWrite(char* data, size_t size, size_t n, void* userp) {
  auto* c = static_cast<Collected*>(userp);
  if (c->reply.body.size() + size * n > c->max_body) {
    c->oversize = true;
    return 0;
  }
  c->reply.body.append(data, size * n);
  return size * n;
}

}  // namespace

tl::expected<std::unique_ptr<CurlTransport>, std::string> CurlTransport::Create(
    CurlTransportOptions options) {
  EnsureCurlGlobalInit();
  CurlEasy easy(curl_easy_init());
  if (!easy) return tl::unexpected(std::string("curl_easy_init failed"));
  return std::unique_ptr<CurlTransport>(new CurlTransport(std::move(easy), std::move(options)));
}

tl::expected<HttpReply, std::string> CurlTransport::Send(const HttpCall& call) {
  CURL* e = easy_.get();
  curl_easy_reset(e);
  Collected collected;
  collected.max_body = options_.max_body_bytes;
  char errbuf[CURL_ERROR_SIZE] = {};

  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
      call.deadline - std::chrono::steady_clock::now());
  const auto timeout = std::min(remaining, options_.request_timeout);
  if (timeout.count() <= 0) return tl::unexpected(std::string("the deadline passed"));

  curl_slist* list = nullptr;
  for (const auto& h : call.headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");
  CurlSlist headers(list);

  curl_easy_setopt(e, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_USERAGENT, kUserAgent.data());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &collected);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &collected);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (call.method == HttpCall::Method::kPost) {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(call.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, call.body.c_str());
  } else {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  }

  const CURLcode code = curl_easy_perform(e);
  // Drop the references into this frame before returning.
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, nullptr);
  if (collected.oversize) {
    return tl::unexpected("the answer is larger than " +
                          std::to_string(options_.max_body_bytes / 1024) + " KiB");
  }
  if (code != CURLE_OK) {
    return tl::unexpected(errbuf[0] != '\0' ? std::string(errbuf)
                                            : std::string(curl_easy_strerror(code)));
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &collected.reply.status);
  return std::move(collected.reply);
}

}  // namespace mcpwatch
