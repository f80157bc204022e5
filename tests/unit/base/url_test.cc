#include "base/url.h"

#include <catch2/catch.hpp>

namespace mcpwatch {
namespace {

TEST_CASE("CheckHttpUrl is the one rule for every URL we send requests to", "[base][url]") {
  struct Case {
    const char* url;
    const char* problem;  // "" when acceptable
  };
  const Case cases[] = {
      {"http://127.0.0.1:9000/mcp", ""},
      {"https://mcp.example.com/mcp?key=1", ""},
      {"HTTPS://[::1]:8443/", ""},
      {"mcp.example.com/mcp", "it needs a scheme (http:// or https://)"},
      {"ftp://127.0.0.1/mcp", "scheme \"ftp\" is not supported (use http or https)"},
      {"https://bob:hunter2@a.example/mcp",
       "credentials in URLs are refused (use headers, bearer_token_env or bearer_token_file)"},
      {"http:///mcp", "it has no host"},
      {"http://:80/mcp", "it has no host"},
      {"http://a.example/m cp", "it contains whitespace"},
      {"http://[::1/mcp", "it is not a valid URL"},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    CHECK(CheckHttpUrl(c.url) == c.problem);
  }
}

TEST_CASE("a rejected URL's reason never echoes the URL", "[base][url]") {
  for (const char* url : {"https://bob:hunter2@a.example/", "http://[hunter2/"}) {
    const std::string why = CheckHttpUrl(url);
    REQUIRE_FALSE(why.empty());
    CHECK(why.find("hunter2") == std::string::npos);
  }
}

TEST_CASE("ParseProbeUrl reads what a run needs to know", "[base][url]") {
  auto sse = ParseProbeUrl("http://127.0.0.1:1/sse/");
  REQUIRE(sse);
  CHECK(sse->path_ends_with_sse);
  CHECK(sse->host == "127.0.0.1");
  auto invalid = ParseProbeUrl("https://mcp.example.INVALID./mcp");
  REQUIRE(invalid);
  CHECK(invalid->reserved_invalid);
  CHECK_FALSE(ParseProbeUrl("ftp://127.0.0.1/").has_value());
}

TEST_CASE("RedactUrl drops userinfo and query values", "[base][url]") {
  CHECK(RedactUrl("https://u:p@a.example/mcp?key=s3cret") == "https://a.example/mcp?redacted");
  CHECK(RedactUrl("http://a.example/mcp") == "http://a.example/mcp");
}

}  // namespace
}  // namespace mcpwatch
