// Judging the results that open a run: initialize (legacy) and server/discover (modern), and
// the resultType every modern result carries.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "checks/protocol_versions.h"
#include "checks/result_judge.h"

namespace mcpwatch {
namespace {

using nlohmann::json;

const json kInitialize = {
    {"protocolVersion", "2025-06-18"},
    {"capabilities", {{"tools", {{"listChanged", true}}}}},
    {"serverInfo", {{"name", "srv"}, {"version", "1.2"}, {"title", "Server"}}}};

json With(json base, const std::string& key, json value) {
  base[key] = std::move(value);
  return base;
}

json Without(json base, const std::string& key) {
  base.erase(key);
  return base;
}

}  // namespace

TEST_CASE("result_judge: a usable initialize result names the server", "[result_judge]") {
  auto judged = JudgeInitializeResult(kInitialize);
  REQUIRE(judged);
  CHECK(judged->server.name == "srv");
  CHECK(judged->server.version == "1.2");
  CHECK(judged->server.title == "Server");
  CHECK(judged->protocol_version == "2025-06-18");
  CHECK(judged->tools_capability);

  for (auto version : kSupportedProtocolVersions) {
    CAPTURE(version);
    auto other = JudgeInitializeResult(With(kInitialize, "protocolVersion", std::string(version)));
    REQUIRE(other);
    CHECK(other->protocol_version == version);
  }

  // Server fields are excerpts: one line, bounded; absent ones are empty.
  auto hostile = JudgeInitializeResult(
      With(kInitialize, "serverInfo", {{"name", "a\nb" + std::string(300, 'x')}}));
  REQUIRE(hostile);
  CHECK(hostile->server.name == "a b" + std::string(197, 'x') + "...");
  CHECK(hostile->server.version.empty());
  CHECK(hostile->server.title.empty());
}

TEST_CASE("result_judge: initialize result problems", "[result_judge]") {
  struct Case {
    const char* name;
    json result;
    Finding finding;
    std::string message;
  };
  const std::string unsupported = "\", which mcpwatch does not speak (2024-11-05 … 2025-11-25)";
  const std::vector<Case> cases = {
      {"no protocolVersion", Without(kInitialize, "protocolVersion"), Finding::kMalformedResult,
       "initialize result has no protocolVersion"},
      {"protocolVersion not a string", With(kInitialize, "protocolVersion", 20250618),
       Finding::kMalformedResult, "initialize result has no protocolVersion"},
      {"unknown version", With(kInitialize, "protocolVersion", "2099-01-01"),
       Finding::kUnsupportedVersion,
       "server negotiated protocol version \"2099-01-01" + unsupported},
      {"the modern version is not negotiated by initialize",
       With(kInitialize, "protocolVersion", "2026-07-28"), Finding::kUnsupportedVersion,
       "server negotiated protocol version \"2026-07-28" + unsupported},
      {"hostile version is an excerpt",
       With(kInitialize, "protocolVersion", "v\r\n" + std::string(60, '9')),
       Finding::kUnsupportedVersion,
       "server negotiated protocol version \"v  " + std::string(37, '9') + "..." + unsupported},
      {"no serverInfo", Without(kInitialize, "serverInfo"), Finding::kMalformedResult,
       "initialize result has no serverInfo"},
      {"serverInfo not an object", With(kInitialize, "serverInfo", "srv"),
       Finding::kMalformedResult, "initialize result has no serverInfo"},
      {"serverInfo without name", With(kInitialize, "serverInfo", {{"version", "1"}}),
       Finding::kMalformedResult, "serverInfo has no name"},
      {"serverInfo name not a string", With(kInitialize, "serverInfo", {{"name", 7}}),
       Finding::kMalformedResult, "serverInfo has no name"},
      {"capabilities not an object", With(kInitialize, "capabilities", json::array()),
       Finding::kMalformedResult, "initialize result capabilities is not an object"},
      {"result not an object", json("ok"), Finding::kMalformedResult,
       "initialize result has no protocolVersion"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto judged = JudgeInitializeResult(c.result);
    REQUIRE_FALSE(judged);
    CHECK(judged.error().finding == c.finding);
    CHECK(judged.error().message == c.message);
  }
}

TEST_CASE("result_judge: the tools capability is read from capabilities", "[result_judge]") {
  struct Case {
    const char* name;
    json result;
    bool tools;
  };
  const std::vector<Case> cases = {
      {"tools named", kInitialize, true},
      {"tools empty object", With(kInitialize, "capabilities", {{"tools", json::object()}}), true},
      {"other capabilities only", With(kInitialize, "capabilities", {{"prompts", json::object()}}),
       false},
      {"empty capabilities", With(kInitialize, "capabilities", json::object()), false},
      {"no capabilities", Without(kInitialize, "capabilities"), false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto judged = JudgeInitializeResult(c.result);
    REQUIRE(judged);
    CHECK(judged->tools_capability == c.tools);

    // server/discover reads it the same way.
    json discover = {{"supportedVersions", {"2026-07-28"}}};
    if (c.result.contains("capabilities")) discover["capabilities"] = c.result["capabilities"];
    auto discovered = JudgeDiscoverResult(discover);
    REQUIRE(discovered);
    CHECK(discovered->tools_capability == c.tools);
  }
}

TEST_CASE("modern era: server/discover results are checked", "[modern]") {
  const json good = {
      {"resultType", "complete"},
      {"supportedVersions", {"2026-07-28"}},
      {"capabilities", {{"tools", json::object()}}},
      {"_meta", {{"io.modelcontextprotocol/serverInfo", {{"name", "srv"}, {"version", "2.1"}}}}}};
  auto judged = JudgeDiscoverResult(good);
  REQUIRE(judged);
  CHECK(judged->server.name == "srv");
  CHECK(judged->server.version == "2.1");
  CHECK(judged->protocol_version == "2026-07-28");
  CHECK(judged->tools_capability);
  ServerInfo info = DiscoveredServer(good);
  CHECK(info.name == "srv");
  CHECK(info.version == "2.1");
  CHECK(DiscoveredServer(json::object()).name.empty());

  json without_type = good;
  without_type.erase("resultType");  // absent means complete
  CHECK(JudgeDiscoverResult(without_type));

  json old_only = good;
  old_only["supportedVersions"] = {"2025-11-25"};
  CHECK_THAT(JudgeDiscoverResult(old_only).error().message,
             Catch::Contains("does not list 2026-07-28"));
  CHECK(JudgeDiscoverResult(old_only).error().finding == Finding::kUnsupportedVersion);

  json no_versions = good;
  no_versions.erase("supportedVersions");
  CHECK_THAT(JudgeDiscoverResult(no_versions).error().message,
             Catch::Contains("no supportedVersions"));
  CHECK(JudgeDiscoverResult(no_versions).error().finding == Finding::kMalformedResult);

  json pending = good;
  pending["resultType"] = "input_required";
  CHECK_THAT(JudgeDiscoverResult(pending).error().message, Catch::Contains("\"input_required\""));
}

TEST_CASE("result_judge: server/discover result problems", "[result_judge]") {
  struct Case {
    const char* name;
    json result;
    Finding finding;
    std::string message;
  };
  const json good = {{"supportedVersions", {"2025-11-25", "2026-07-28"}}};
  const std::vector<Case> cases = {
      {"resultType not a string", With(good, "resultType", 1), Finding::kMalformedResult,
       "server/discover resultType is not a string"},
      {"resultType not complete", With(good, "resultType", "input_required"),
       Finding::kMalformedResult,
       "server/discover answered resultType \"input_required\" instead of a complete result"},
      {"no supportedVersions", json::object(), Finding::kMalformedResult,
       "server/discover result has no supportedVersions array"},
      {"supportedVersions not an array", With(good, "supportedVersions", "2026-07-28"),
       Finding::kMalformedResult, "server/discover result has no supportedVersions array"},
      {"modern version not listed", With(good, "supportedVersions", {"2025-11-25", 2026}),
       Finding::kUnsupportedVersion,
       "server/discover supportedVersions [\"2025-11-25\",2026] does not list 2026-07-28, the "
       "modern version mcpwatch speaks"},
      {"capabilities not an object", With(good, "capabilities", true), Finding::kMalformedResult,
       "server/discover result capabilities is not an object"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto judged = JudgeDiscoverResult(c.result);
    REQUIRE_FALSE(judged);
    CHECK(judged.error().finding == c.finding);
    CHECK(judged.error().message == c.message);
  }
  // Without _meta the server is unnamed, which is no problem.
  auto unnamed = JudgeDiscoverResult(good);
  REQUIRE(unnamed);
  CHECK(unnamed->server.name.empty());
}

TEST_CASE("modern era: a missing resultType means complete", "[modern]") {
  CHECK(ResultTypeOf(json::object()) == "complete");
  CHECK(ResultTypeOf(json{{"resultType", "input_required"}}) == "input_required");
  CHECK(ResultTypeOf(json{{"resultType", 3}}).empty());
}

}  // namespace mcpwatch
