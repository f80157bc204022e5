#include "tests/support/paths.h"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace mcpwatch::test {

std::string BinaryPath(std::string_view rel) {
  return std::string(MCPWATCH_BINARY_DIR) + "/" + std::string(rel);
}

std::string SourcePath(std::string_view rel) {
  return std::string(MCPWATCH_SOURCE_DIR) + "/" + std::string(rel);
}

std::string McpwatchBinary() {
  return BinaryPath("app/mcpwatch");
}
std::string FixtureBinary() {
  return BinaryPath("tests/fixtures/mcp_fixture");
}
std::string NodeBinary() {
  return SourcePath("tests/tools/node_modules/.bin/node");
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/mcpwatch-test-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

std::string TempDir::File(std::string_view name) const {
  return path_ + "/" + std::string(name);
}

}  // namespace mcpwatch::test
