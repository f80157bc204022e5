// A tiny recording HTTP/1.1 server for the alert integration tests: one thread, POSIX sockets,
// 127.0.0.1 only, one request per connection, answers every request with `status`.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace mcpwatch::alerts::test {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class Receiver {
 public:
  // Listens on 127.0.0.1:port (0 = any free port). Throws std::runtime_error on failure.
  // `echo`: the answer's body reflects the request (request line, headers, body), as a
  // helpful error page would; otherwise it is "ok".
  explicit Receiver(int port = 0, int status = 200, bool echo = false);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const;
  std::vector<ReceivedRequest> Requests() const;
  std::vector<ReceivedRequest> RequestsTo(const std::string& path) const;

 private:
  void Loop();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  int status_;
  bool echo_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

// The active alert with these labels in a real Alertmanager's GET /api/v2/alerts, or null when
// absent (resolved alerts are not listed) or when Alertmanager does not answer.
nlohmann::json ActiveAlert(int alertmanager_port, const std::string& alertname,
                           const std::string& target);

}  // namespace mcpwatch::alerts::test
