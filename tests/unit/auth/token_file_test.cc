// The token file on a real file system: round trip, mode 0600 whatever the umask, atomic
// replacement, and errors that name the file without quoting its content.
#include "auth/token_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace mcpwatch {
namespace {

namespace fs = std::filesystem;

struct ScratchDir {
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "mcpwatch-tokens-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() { fs::remove_all(path); }
  std::string File(const std::string& name) const { return (fs::path(path) / name).string(); }
  std::string path;
};

StoredToken Sample(std::string secret) {
  StoredToken t;
  t.url = "http://127.0.0.1:1/mcp";
  t.issuer = "http://127.0.0.1:2/";
  t.resource = "http://127.0.0.1:1/mcp";
  t.client_id = "client-1";
  t.client_secret = "secret-" + secret;
  t.token_endpoint_auth_method = "client_secret_post";
  t.access_token = "at-" + secret;
  t.token_type = "Bearer";
  t.refresh_token = "rt-" + secret;
  t.scope = "mcp:tools";
  t.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  t.refresh_expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'900'000'000));
  return t;
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("token file: it sits beside the database", "[token_file]") {
  CHECK(TokenFilePath("/var/lib/mcpwatch/mcpwatch.db") == "/var/lib/mcpwatch/mcpwatch-tokens.json");
  CHECK(TokenFilePath("data/history.db") == "data/mcpwatch-tokens.json");
}

TEST_CASE("token file: a missing file is empty, a written one reads back", "[token_file]") {
  ScratchDir dir;
  const std::string path = dir.File("mcpwatch-tokens.json");
  auto empty = LoadTokenFile(path);
  REQUIRE(empty);
  CHECK(empty->empty());

  const mode_t old_umask = ::umask(0);  // a careless umask must not widen the file
  auto written = UpdateTokenFile(path, [](TokenFile& f) { f["shop"] = Sample("a"); });
  ::umask(old_umask);
  REQUIRE(written);
  CHECK(Mode(path) == 0600);
  CHECK_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));

  REQUIRE(UpdateTokenFile(path, [](TokenFile& f) { f["docs"] = Sample("b"); }));
  auto read = LoadTokenFile(path);
  REQUIRE(read);
  REQUIRE(read->size() == 2);  // the second update kept the first entry
  const StoredToken& shop = read->at("shop");
  CHECK(shop.access_token == "at-a");
  CHECK(shop.refresh_token == "rt-a");
  CHECK(shop.client_secret == "secret-a");
  CHECK(shop.expires_at == Sample("a").expires_at);
  CHECK(shop.refresh_expires_at == Sample("a").refresh_expires_at);
  CHECK_FALSE(shop.obtained_at);
  CHECK(read->at("docs").access_token == "at-b");

  REQUIRE(UpdateTokenFile(path, [](TokenFile& f) { f.erase("shop"); }));
  CHECK(LoadTokenFile(path)->size() == 1);
}

TEST_CASE("token file: wrong permissions are refused naming the file", "[token_file]") {
  ScratchDir dir;
  const std::string path = dir.File("mcpwatch-tokens.json");
  REQUIRE(UpdateTokenFile(path, [](TokenFile& f) { f["shop"] = Sample("cnry-perm-1"); }));
  ::chmod(path.c_str(), 0644);
  auto read = LoadTokenFile(path);
  REQUIRE_FALSE(read);
  CHECK_THAT(read.error(),
             Catch::Contains(path) && Catch::Contains("0644") && Catch::Contains("chmod 600"));
  CHECK_THAT(read.error(), !Catch::Contains("cnry-perm-1"));
  // An update refuses too, rather than overwrite what it could not read.
  CHECK_FALSE(UpdateTokenFile(path, [](TokenFile&) {}));
}

TEST_CASE("token file: corrupt content is refused naming the file, not quoting it",
          "[token_file]") {
  ScratchDir dir;
  const std::string path = dir.File("mcpwatch-tokens.json");
  const char* bodies[] = {
      "cnry-corrupt-7 not json",
      R"({"version":1,"targets":{"shop":{"access_token":"cnry-corrupt-7"}}})",
      R"({"version":99,"targets":{}})",
      R"(["cnry-corrupt-7"])",
  };
  for (const char* body : bodies) {
    INFO(body);
    {
      std::ofstream f(path, std::ios::trunc);
      f << body;
    }
    ::chmod(path.c_str(), 0600);
    auto read = LoadTokenFile(path);
    REQUIRE_FALSE(read);
    CHECK_THAT(read.error(), Catch::Contains(path) && Catch::Contains("corrupt"));
    CHECK_THAT(read.error(), !Catch::Contains("cnry-corrupt-7"));
  }
}

}  // namespace mcpwatch
