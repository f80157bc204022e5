#pragma once

#include <string>
#include <vector>

#include "tests/support/process.h"

namespace mcpwatch::test {

// mcp_fixture started with extra flags (--port 0 unless given); the port is parsed from its
// "LISTENING <port>" line. Stopped (SIGTERM, then SIGKILL) on destruction.
class Fixture {
 public:
  // Throws std::runtime_error (with the fixture's stderr) if it does not listen within 10 s.
  explicit Fixture(std::vector<std::string> flags = {});

  int port() const { return port_; }
  std::string BaseUrl()
      const;  // "http://127.0.0.1:<port>" (https with --tls-cert, [::1] with --host ::1)
  std::string Url() const;     // BaseUrl() + "/mcp"
  std::string SseUrl() const;  // BaseUrl() + "/sse"
  Subprocess& process() { return process_; }

 private:
  std::vector<std::string> flags_;
  Subprocess process_;
  int port_ = 0;
};

// @modelcontextprotocol/server-everything under Node, mode "streamableHttp" or "sse", on a
// FreePort() passed in env PORT; ready once the port accepts connections (20 s limit, throws
// std::runtime_error otherwise). The server binds all interfaces; tests only talk to loopback.
class EverythingServer {
 public:
  explicit EverythingServer(std::string mode);

  int port() const { return port_; }
  std::string Url() const;  // http://127.0.0.1:<port>/mcp or /sse
  Subprocess& process() { return process_; }

 private:
  std::string mode_;
  int port_;
  Subprocess process_;
};

// A real TypeScript SDK server (tests/tools/servers/ts_sdk_v1.mjs or ts_sdk_v2.mjs) under Node
// on a FreePort() of loopback, serving one echo tool at `path`; `args` are the script's further
// arguments (v1: stateless|stateful; v2: stateless|reject). Ready once the port accepts
// connections (20 s limit, throws std::runtime_error otherwise).
class SdkServer {
 public:
  SdkServer(const std::string& script, std::string path, const std::vector<std::string>& args = {});

  std::string Url() const;  // http://127.0.0.1:<port><path>

 private:
  std::string path_;
  int port_;
  Subprocess process_;
};

}  // namespace mcpwatch::test
