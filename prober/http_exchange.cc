#include "prober/http_exchange.h"

#include <algorithm>
#include <ctime>

#include "base/version.h"

namespace mcpwatch {
namespace {

Micros InfoMicros(CURL* easy, CURLINFO info) {
  curl_off_t v = 0;
  curl_easy_getinfo(easy, info, &v);
  return Micros(v);
}

// "Expire date:Mar  1 12:00:00 2030 GMT" (OpenSSL's ASN1_TIME_print form).
std::optional<std::chrono::system_clock::time_point> ParseCertTime(std::string_view text) {
  std::tm tm{};
  std::string s(TrimHeaderSpace(text));
  if (strptime(s.c_str(), "%b %d %H:%M:%S %Y GMT", &tm) == nullptr) return std::nullopt;
  time_t t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t);
}

std::optional<std::chrono::system_clock::time_point> EarliestNotAfter(CURL* easy) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr) {
    return std::nullopt;
  }
  std::optional<std::chrono::system_clock::time_point> earliest;
  constexpr std::string_view kKey = "Expire date:";
  for (int i = 0; i < info->num_of_certs; ++i) {
    for (curl_slist* l = info->certinfo[i]; l != nullptr; l = l->next) {
      std::string_view line(l->data);
      if (line.substr(0, kKey.size()) != kKey) continue;
      auto t = ParseCertTime(line.substr(kKey.size()));
      if (t && (!earliest || *t < *earliest)) earliest = t;
    }
  }
  return earliest;
}

std::string_view MethodName(HttpRequest::Method m) {
  switch (m) {
    case HttpRequest::Method::kPost: return "POST";
    case HttpRequest::Method::kGet: return "GET";
    case HttpRequest::Method::kDelete: return "DELETE";
  }
  return "POST";
}

}  // namespace

TransportError MapCurlError(CURLcode code, bool connected) {
  switch (code) {
    case CURLE_OK:
    case CURLE_WRITE_ERROR: return TransportError::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return TransportError::kDnsFailure;
    case CURLE_COULDNT_CONNECT: return TransportError::kConnectRefused;
    case CURLE_OPERATION_TIMEDOUT:
      return connected ? TransportError::kTimeout : TransportError::kConnectTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED: return TransportError::kTlsFailure;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return TransportError::kConnectionReset;
    default: return TransportError::kOther;
  }
}

tl::expected<std::unique_ptr<HttpExchange>, std::string> HttpExchange::Create(
    EventLoop& loop, RequestHeaderHook hook) {
  CurlEasy easy(curl_easy_init());
  if (!easy) return tl::unexpected(std::string("curl_easy_init failed"));
  return std::unique_ptr<HttpExchange>(new HttpExchange(loop, std::move(easy), std::move(hook)));
}

HttpExchange::HttpExchange(EventLoop& loop, CurlEasy easy, RequestHeaderHook hook)
    : loop_(loop), easy_(std::move(easy)), hook_(std::move(hook)) {}

HttpExchange::~HttpExchange() {
  Cancel();
}

void HttpExchange::Cancel() {
  if (active_) {
    loop_.Remove(easy_.get());
    active_ = false;
  }
}

void HttpExchange::Start(const HttpRequest& req, Callbacks callbacks) {
  CURL* e = easy_.get();
  curl_easy_reset(e);
  callbacks_ = std::move(callbacks);
  head_ = {};
  head_fired_ = false;
  stopped_ = false;
  oversize_ = false;
  body_bytes_ = 0;
  max_body_bytes_ = req.max_body_bytes;
  want_cert_info_ = req.want_cert_info;
  errbuf_[0] = '\0';

  curl_slist* list = nullptr;
  for (const auto& h : req.headers) {
    // curl drops "Name:" with nothing after it (that is how one removes a header); "Name;" is
    // how it sends a header whose value is empty (an empty mirrored parameter, say).
    const auto colon = h.find(':');
    if (colon != std::string::npos && h.find_first_not_of(' ', colon + 1) == std::string::npos) {
      list = curl_slist_append(list, (h.substr(0, colon) + ";").c_str());
      continue;
    }
    list = curl_slist_append(list, h.c_str());
  }
  if (hook_) {
    for (const auto& h : hook_(MethodName(req.method), req.url)) {
      list = curl_slist_append(list, h.c_str());
    }
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  headers_.reset(list);

  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_.get());
  curl_easy_setopt(e, CURLOPT_USERAGENT, kUserAgent.data());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf_);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &HttpExchange::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &HttpExchange::OnWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  if (req.fresh_connection) curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
  if (req.close_after) curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  if (req.want_cert_info) curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
  if (!req.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, req.ca_file.c_str());

  auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(req.deadline - EventLoop::Clock::now());
  long timeout_ms = std::max<long>(1, static_cast<long>(remaining.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);

  switch (req.method) {
    case HttpRequest::Method::kPost:
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
      curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req.body.c_str());
      break;
    case HttpRequest::Method::kGet: curl_easy_setopt(e, CURLOPT_HTTPGET, 1L); break;
    case HttpRequest::Method::kDelete: curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE"); break;
  }

  active_ = true;
  loop_.Add(e, [this](CURLcode code) { Finish(code); });
}

RunTimings HttpExchange::ConnectTimings() const {
  RunTimings t;
  CURL* e = easy_.get();
  Micros dns = InfoMicros(e, CURLINFO_NAMELOOKUP_TIME_T);
  Micros connect = InfoMicros(e, CURLINFO_CONNECT_TIME_T);
  Micros app = InfoMicros(e, CURLINFO_APPCONNECT_TIME_T);
  t.dns = dns;
  if (connect > dns) t.connect = connect - dns;
  if (app > connect) t.tls = app - connect;
  return t;
}

std::optional<std::chrono::system_clock::time_point> HttpExchange::CertNotAfter() const {
  return want_cert_info_ ? EarliestNotAfter(easy_.get()) : std::nullopt;
}

void HttpExchange::FireHead() {
  if (head_fired_) return;
  head_fired_ = true;
  if (callbacks_.on_head) callbacks_.on_head(head_);
}

void HttpExchange::Finish(CURLcode code) {
  active_ = false;
  CURL* e = easy_.get();
  HttpOutcome out;
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  out.status = status;
  out.namelookup = InfoMicros(e, CURLINFO_NAMELOOKUP_TIME_T);
  out.connect = InfoMicros(e, CURLINFO_CONNECT_TIME_T);
  out.appconnect = InfoMicros(e, CURLINFO_APPCONNECT_TIME_T);
  out.pretransfer = InfoMicros(e, CURLINFO_PRETRANSFER_TIME_T);
  out.starttransfer = InfoMicros(e, CURLINFO_STARTTRANSFER_TIME_T);
  out.total = InfoMicros(e, CURLINFO_TOTAL_TIME_T);
  out.body_bytes = body_bytes_;
  out.stopped = stopped_;
  out.oversize = oversize_;
  if (want_cert_info_) out.cert_not_after = EarliestNotAfter(e);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && (stopped_ || oversize_))) {
    // Connected: a connect completed, a response began, or our request went out on a reused
    // connection (whose connect time reads 0; without this a hang on a later step of the run
    // was misreported as connect_timeout).
    long request_bytes = 0;
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_bytes);
    out.transport = MapCurlError(code, out.connect.count() > 0 || status > 0 || request_bytes > 0);
    if (out.transport == TransportError::kNone) out.transport = TransportError::kOther;
    out.error = errbuf_[0] != '\0' ? std::string(errbuf_) : std::string(curl_easy_strerror(code));
  }
  if (status > 0) FireHead();
  if (callbacks_.on_done) {
    auto done = std::move(callbacks_.on_done);
    callbacks_ = {};
    done(out);  // may Start() the next request on this exchange
  }
}

size_t HttpExchange::OnHeader(char* data, size_t size, size_t n, void* userp) {
  auto* self = static_cast<HttpExchange*>(userp);
  // The blank line ends a final response's head: hand it over now, not with the first body
  // byte, so a stream that opens and stays silent is seen as open.
  if (ReadHeadLine(std::string_view(data, size * n), self->head_) == HeadLine::kEnd &&
      self->head_.status >= 200) {
    self->FireHead();
  }
  return size * n;
}

size_t HttpExchange::OnWrite(char* data, size_t size, size_t n, void* userp) {
  auto* self = static_cast<HttpExchange*>(userp);
  std::size_t len = size * n;
  self->FireHead();
  self->body_bytes_ += len;
  if (self->body_bytes_ > self->max_body_bytes_) {
    self->oversize_ = true;
    return 0;
  }
  if (self->callbacks_.on_data && !self->callbacks_.on_data(std::string_view(data, len))) {
    self->stopped_ = true;
    return 0;
  }
  return len;
}

}  // namespace mcpwatch
