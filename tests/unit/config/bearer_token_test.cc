// ResolveBearerToken / ResolvedSpec read secrets at call time and never echo them in errors.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config.h"

namespace mcpwatch {
namespace {

// A file under the build tree, removed when the test ends.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents)
      : path_(std::filesystem::path(MCPWATCH_BINARY_DIR) / "unit_config_tmp" / name) {
    std::filesystem::create_directories(path_.parent_path());
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST_CASE("no token configured resolves to empty", "[config][token]") {
  TargetConfig t;
  t.spec.url = "https://a.example/";
  CHECK(ResolveBearerToken(t) == std::string());
  CHECK(ResolvedSpec(t).bearer_token.empty());
  CHECK(ResolvedSpec(t).url == "https://a.example/");
}

TEST_CASE("token from an environment variable", "[config][token]") {
  TargetConfig t;
  t.bearer_token_env = "MCPWATCH_TEST_TOKEN_ENV";
  ::setenv("MCPWATCH_TEST_TOKEN_ENV", "s3cret-env\n", 1);
  CHECK(ResolveBearerToken(t) == std::string("s3cret-env"));
  CHECK(ResolvedSpec(t).bearer_token == "s3cret-env");

  ::setenv("MCPWATCH_TEST_TOKEN_ENV", "", 1);
  auto empty = ResolveBearerToken(t);
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error() == "environment variable MCPWATCH_TEST_TOKEN_ENV is empty");

  ::unsetenv("MCPWATCH_TEST_TOKEN_ENV");
  auto missing = ResolveBearerToken(t);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error() == "environment variable MCPWATCH_TEST_TOKEN_ENV is not set");
  CHECK(ResolvedSpec(t).bearer_token.empty());
}

TEST_CASE("token from a file, read at call time", "[config][token]") {
  TargetConfig t;
  {
    TempFile file("token", "s3cret-file\r\n");
    t.bearer_token_file = file.path();
    CHECK(ResolveBearerToken(t) == std::string("s3cret-file"));
    std::ofstream(file.path(), std::ios::binary) << "rotated";
    CHECK(ResolvedSpec(t).bearer_token == "rotated");
  }
  auto missing = ResolveBearerToken(t);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().starts_with("cannot read bearer_token_file " + t.bearer_token_file));

  TempFile blank("blank", "\n");
  t.bearer_token_file = blank.path();
  auto empty = ResolveBearerToken(t);
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error() == "bearer_token_file " + blank.path() + " is empty");
}

TEST_CASE("LoadConfig reports an unreadable file without a position", "[config][load]") {
  const auto config = LoadConfig("/nonexistent/mcpwatch.yaml");
  REQUIRE_FALSE(config.has_value());
  REQUIRE(config.error().size() == 1);
  CHECK(ToString(config.error()[0]) ==
        "/nonexistent/mcpwatch.yaml: cannot read the config file: No such file or directory");
}

}  // namespace
}  // namespace mcpwatch
