#pragma once

#include <string>
#include <string_view>

namespace mcpwatch::test {

// Binaries built by the project (MCPWATCH_BINARY_DIR + "/" + rel).
std::string BinaryPath(std::string_view rel);
// Files in the source tree (MCPWATCH_SOURCE_DIR + "/" + rel).
std::string SourcePath(std::string_view rel);
std::string McpwatchBinary();  // BinaryPath("app/mcpwatch")
std::string FixtureBinary();   // BinaryPath("tests/fixtures/mcp_fixture")
std::string NodeBinary();      // SourcePath("tests/tools/node_modules/.bin/node")

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();  // throws std::runtime_error if the directory cannot be created
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const;  // path() + "/" + name

 private:
  std::string path_;
};

}  // namespace mcpwatch::test
