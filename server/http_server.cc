#include "server/http_server.h"

#include <civetweb.h>

#include <array>
#include <exception>
#include <mutex>
#include <string_view>

#include "base/ascii_lower.h"
#include "server/log.h"
#include "server/routes.h"

namespace mcpwatch {

namespace {

WebRequest ToRequest(const mg_request_info& info) {
  WebRequest request;
  request.method = info.request_method != nullptr ? info.request_method : "";
  // local_uri is URL-decoded and cleaned of "..", without the query.
  request.path = info.local_uri != nullptr ? info.local_uri : "";
  if (info.query_string != nullptr) request.query = ParseQuery(info.query_string);
  for (int i = 0; i < info.num_headers; ++i) {
    const mg_header& h = info.http_headers[i];
    if (h.name != nullptr && h.value != nullptr) {
      request.headers.emplace(AsciiLower(h.name), h.value);
    }
  }
  return request;
}

void SendHeaders(mg_connection* conn, const WebResponse& response,
                 std::optional<size_t> content_length) {
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  if (content_length) {
    const std::string length = std::to_string(*content_length);
    mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  } else {
    mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
  }
  for (const auto& [name, value] : SecurityHeaders()) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
}

void Send(mg_connection* conn, const WebResponse& response, bool with_body, bool chunked_ok) {
  if (!response.stream) {
    SendHeaders(conn, response, response.body.size());
    if (with_body && !response.body.empty()) {
      mg_write(conn, response.body.data(), response.body.size());
    }
    return;
  }
  if (!chunked_ok) {  // an HTTP/1.0 client: the whole body, then its length
    std::string body;
    response.stream([&](std::string_view piece) { body += piece; });
    SendHeaders(conn, response, body.size());
    if (with_body && !body.empty()) mg_write(conn, body.data(), body.size());
    return;
  }
  SendHeaders(conn, response, std::nullopt);
  if (!with_body) return;
  bool failed = false;  // the client went away: render the rest without sending it
  response.stream([&](std::string_view piece) {
    if (failed || piece.empty()) return;
    failed = mg_send_chunk(conn, piece.data(), static_cast<unsigned>(piece.size())) < 0;
  });
  if (!failed) mg_send_chunk(conn, "", 0);
}

// civetweb's own messages (bind failures at start-up, socket errors) go to our logger.
int LogMessage(const mg_connection*, const char* message) {
  server::Log()->warn("civetweb message={}", message != nullptr ? message : "");
  return 1;
}

// SecurityHeaders() as header lines, for civetweb's own answers (a malformed or oversized
// request, a request that timed out), which do not pass through Send().
std::string SecurityHeaderLines() {
  std::string lines;
  for (const auto& [name, value] : SecurityHeaders()) lines += name + ": " + value + "\r\n";
  return lines;
}

std::string ListeningPorts(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

void HttpServer::ContextStopper::operator()(mg_context* ctx) const {
  mg_stop(ctx);
}

HttpServer::HttpServer(std::unique_ptr<Routes> routes, RateLimiter::Options rate)
    : routes_(std::move(routes)), limiter_(rate) {}

HttpServer::~HttpServer() {
  Stop();
}

tl::expected<std::unique_ptr<HttpServer>, std::string> HttpServer::Start(
    const std::string& host, int port, std::shared_ptr<prometheus::Registry> registry,
    std::filesystem::path database, HttpHooks hooks, HttpLimits limits) {
  if (port < 0 || port > 65535) {
    return tl::make_unexpected("listen port " + std::to_string(port) + " is out of range");
  }
  static std::once_flag init_once;
  std::call_once(init_once, [] { mg_init_library(0); });

  auto server = std::unique_ptr<HttpServer>(
      new HttpServer(std::make_unique<Routes>(std::move(registry), std::move(database),
                                              std::move(hooks), kWorkerThreads),
                     limits.rate));

  const std::string ports = ListeningPorts(host, port);
  const std::string threads = std::to_string(kWorkerThreads);
  const std::string request_timeout = std::to_string(limits.request_timeout.count());
  const std::string keep_alive_timeout = std::to_string(kKeepAliveTimeoutMs);
  const std::string max_request = std::to_string(kMaxHeaderBytes);
  const std::string security_headers = SecurityHeaderLines();
  // Name/value pairs. civetweb reads a request until its headers end for at most
  // request_timeout_ms from the first byte (keep_alive_timeout_ms for a kept-alive connection's
  // next request), then answers 400 and closes: that is what frees a worker thread from a
  // slowloris client. max_request_size is the request line plus headers (civetweb 1.15 answers
  // 400 beyond it). Its CORS defaults are "*" (it would answer preflights itself): empty turns
  // them off.
  // clang-format off
  std::array<const char*, 21> options = {
      "listening_ports", ports.c_str(),
      "num_threads", threads.c_str(),
      "request_timeout_ms", request_timeout.c_str(),
      "keep_alive_timeout_ms", keep_alive_timeout.c_str(),
      "enable_keep_alive", "yes",
      "max_request_size", max_request.c_str(),
      "additional_header", security_headers.c_str(),
      "access_control_allow_origin", "",
      "access_control_allow_methods", "",
      "access_control_allow_headers", "",
      nullptr};
  // clang-format on
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = nullptr;
  init.configuration_options = options.data();
  std::array<char, 256> error_text{};
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text.data();
  error.text_buffer_size = error_text.size();

  mg_context* ctx = mg_start2(&init, &error);
  if (ctx == nullptr) {
    return tl::make_unexpected("cannot listen on " + ports + ": " +
                               (error_text[0] != '\0' ? error_text.data() : "civetweb failed"));
  }
  server->context_.reset(ctx);
  mg_set_request_handler(ctx, "/", &HttpServer::HandleRequest, server.get());

  std::array<mg_server_port, 4> bound{};
  const int count = mg_get_server_ports(ctx, static_cast<int>(bound.size()), bound.data());
  if (count < 1 || bound[0].port <= 0) {
    return tl::make_unexpected("cannot tell which port " + ports + " bound");
  }
  server->port_ = bound[0].port;
  server::Log()->info("http server listening address={} port={}", host, server->port_);
  return server;
}

void HttpServer::Stop() {
  std::lock_guard lock(stop_mu_);
  context_.reset();  // mg_stop: joins the worker threads
}

int HttpServer::HandleRequest(mg_connection* conn, void* self) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr) return 0;
  const bool head =
      info->request_method != nullptr && std::string_view(info->request_method) == "HEAD";
  const bool http11 =
      info->http_version != nullptr && std::string_view(info->http_version) != "1.0";
  // No route takes a body. civetweb's own error answer (with SecurityHeaders) closes the
  // connection instead of draining the body, which a client could send forever.
  const bool unknown_length = mg_get_header(conn, "Transfer-Encoding") != nullptr;
  if (info->content_length > kMaxBodyBytes || unknown_length) {
    mg_send_http_error(
        conn, 413, "%s",
        unknown_length ? "request body of unknown length (chunked)" : "request body over 64 KB");
    return 413;
  }
  auto* server = static_cast<HttpServer*>(self);
  // The supervisor's liveness and readiness probes are constant-cost answers and must never be
  // refused: a 429 there would take a healthy monitor out of rotation because another client on
  // the same address (often loopback) is busy with the API.
  const std::string_view uri = info->local_uri != nullptr ? info->local_uri : "";
  const bool supervisor_probe = uri == "/healthz" || uri == "/readyz";
  if (const auto wait =
          supervisor_probe ? std::nullopt
                           : server->limiter_.Admit(info->remote_addr, RateLimiter::Clock::now())) {
    WebResponse refused = WebResponse::JsonError(429, "too many requests from this address");
    refused.headers.emplace_back("Retry-After", std::to_string(wait->count()));
    Send(conn, refused, !head, http11);
    return 429;
  }
  WebResponse response;
  try {
    response = server->routes_->Handle(ToRequest(*info));
  } catch (const std::exception& e) {
    // A hook or a third-party call threw: answer 500 rather than let civetweb's thread die.
    server::Log()->error("http handler failed path={} error={}",
                         info->local_uri != nullptr ? info->local_uri : "", e.what());
    response = WebResponse::JsonError(500, "internal error");
  }
  try {
    Send(conn, response, !head, http11);
  } catch (const std::exception& e) {
    // Only a streamed body can throw here, after its headers went out: the client sees a
    // truncated answer (no final chunk) rather than a wrong one.
    server::Log()->error("http response failed path={} error={}",
                         info->local_uri != nullptr ? info->local_uri : "", e.what());
  }
  return response.status;
}

}  // namespace mcpwatch
