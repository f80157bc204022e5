#include "tests/support/servers.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/support/net.h"

namespace mcpwatch::test {

namespace {

std::vector<std::string> FixtureArgv(const std::vector<std::string>& flags) {
  std::vector<std::string> argv{FixtureBinary()};
  if (std::find(flags.begin(), flags.end(), "--port") == flags.end()) {
    argv.insert(argv.end(), {"--port", "0"});
  }
  argv.insert(argv.end(), flags.begin(), flags.end());
  return argv;
}

std::string FlagValue(const std::vector<std::string>& flags, const std::string& name) {
  auto it = std::find(flags.begin(), flags.end(), name);
  return it != flags.end() && it + 1 != flags.end() ? *(it + 1) : std::string();
}

}  // namespace

Fixture::Fixture(std::vector<std::string> flags)
    : flags_(std::move(flags)), process_(Subprocess::Start(FixtureArgv(flags_))) {
  const auto port = process_.WaitForLine("^LISTENING ([0-9]+)$", std::chrono::seconds(10));
  if (!port) {
    throw std::runtime_error("mcp_fixture did not start: " + process_.Stderr());
  }
  port_ = std::stoi(*port);
}

std::string Fixture::BaseUrl() const {
  const std::string scheme = FlagValue(flags_, "--tls-cert").empty() ? "http" : "https";
  const std::string host = FlagValue(flags_, "--host") == "::1" ? "[::1]" : "127.0.0.1";
  return scheme + "://" + host + ":" + std::to_string(port_);
}

std::string Fixture::Url() const {
  return BaseUrl() + "/mcp";
}
std::string Fixture::SseUrl() const {
  return BaseUrl() + "/sse";
}

EverythingServer::EverythingServer(std::string mode)
    : mode_(std::move(mode)),
      port_(FreePort()),
      process_(Subprocess::Start(
          {NodeBinary(),
           SourcePath("tests/tools/node_modules/@modelcontextprotocol/server-everything/dist/"
                      "index.js"),
           mode_},
          {"PORT=" + std::to_string(port_)})) {
  const bool ready = Eventually([this] { return PortAccepts(port_) || !process_.Running(); },
                                std::chrono::seconds(20));
  if (!ready || !process_.Running()) {
    throw std::runtime_error("server-everything " + mode_ + " did not start: " + process_.Stderr());
  }
}

std::string EverythingServer::Url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + (mode_ == "sse" ? "/sse" : "/mcp");
}

namespace {

std::vector<std::string> SdkArgv(const std::string& script, int port, const std::string& path,
                                 const std::vector<std::string>& args) {
  std::vector<std::string> argv = {NodeBinary(), SourcePath("tests/tools/servers/" + script),
                                   std::to_string(port), path};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

SdkServer::SdkServer(const std::string& script, std::string path,
                     const std::vector<std::string>& args)
    : path_(std::move(path)),
      port_(FreePort()),
      process_(Subprocess::Start(SdkArgv(script, port_, path_, args))) {
  const bool ready = Eventually([this] { return PortAccepts(port_) || !process_.Running(); },
                                std::chrono::seconds(20));
  if (!ready || !process_.Running()) {
    throw std::runtime_error(script + " did not start: " + process_.Stderr());
  }
}

std::string SdkServer::Url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + path_;
}

}  // namespace mcpwatch::test
