#include "tests/integration/alerts/receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "tests/support/support.h"

namespace mcpwatch::alerts::test {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Reads until the headers and Content-Length bytes of body have arrived (or the peer stops).
bool ReadRequest(int fd, ReceivedRequest& out) {
  std::string data;
  char buf[4096];
  size_t header_end = std::string::npos;
  size_t length = 0;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      size_t line_end = data.find("\r\n");
      std::string request_line = data.substr(0, line_end);
      size_t sp1 = request_line.find(' ');
      size_t sp2 = request_line.find(' ', sp1 + 1);
      out.method = request_line.substr(0, sp1);
      out.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t pos = line_end + 2;
      while (pos < header_end) {
        size_t eol = data.find("\r\n", pos);
        std::string line = data.substr(pos, eol - pos);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string value = line.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          out.headers[Lower(line.substr(0, colon))] = value;
        }
        pos = eol + 2;
      }
      auto it = out.headers.find("content-length");
      length = it == out.headers.end() ? 0 : std::stoul(it->second);
    }
    if (data.size() >= header_end + 4 + length) {
      out.body = data.substr(header_end + 4, length);
      return true;
    }
  }
}

}  // namespace

Receiver::Receiver(int port, int status, bool echo) : status_(status), echo_(echo) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 16) != 0) {
    close(listen_fd_);
    throw std::runtime_error("bind/listen failed on 127.0.0.1:" + std::to_string(port));
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Loop(); });
}

Receiver::~Receiver() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
}

std::string Receiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<ReceivedRequest> Receiver::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<ReceivedRequest> Receiver::RequestsTo(const std::string& path) const {
  std::vector<ReceivedRequest> matching;
  for (ReceivedRequest& r : Requests()) {
    if (r.path == path) matching.push_back(std::move(r));
  }
  return matching;
}

void Receiver::Loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Serve(fd);
    close(fd);
  }
}

void Receiver::Serve(int fd) {
  ReceivedRequest request;
  if (!ReadRequest(fd, request)) return;
  std::string body = "ok";
  if (echo_) {
    body = "you sent: " + request.method + " " + request.path + "\n";
    for (const auto& [name, value] : request.headers) body += name + ": " + value + "\n";
    body += "\n" + request.body;
  }
  {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(request));
  }
  std::string response = "HTTP/1.1 " + std::to_string(status_) +
                         " X\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\nConnection: close\r\n\r\n" + body;
  (void)send(fd, response.data(), response.size(), MSG_NOSIGNAL);
}

nlohmann::json ActiveAlert(int alertmanager_port, const std::string& alertname,
                           const std::string& target) {
  auto r = mcpwatch::test::HttpGet("http://127.0.0.1:" + std::to_string(alertmanager_port) +
                                   "/api/v2/alerts");
  if (r.status != 200) return nullptr;
  nlohmann::json alerts = nlohmann::json::parse(r.body, nullptr, false);
  if (!alerts.is_array()) return nullptr;
  for (const nlohmann::json& a : alerts) {
    if (a.contains("labels") && a["labels"].value("alertname", "") == alertname &&
        a["labels"].value("target", "") == target) {
      return a;
    }
  }
  return nullptr;
}

}  // namespace mcpwatch::alerts::test
