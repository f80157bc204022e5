// The parsed model: defaults, inheritance from `defaults:`, path resolution, value typing.
#include <catch2/catch.hpp>

#include "tests/unit/config/config_test_util.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;
using testing::ErrorsOf;
using testing::MustParse;

constexpr const char* kOneTarget = "targets:\n  - name: shop\n    url: https://a.example/mcp\n";

TEST_CASE("built-in defaults apply when keys are absent", "[config][model]") {
  const Config c = MustParse(kOneTarget);
  CHECK(c.listen_host == "127.0.0.1");
  CHECK(c.listen_port == 9464);
  CHECK(c.database == "/etc/mcpwatch/mcpwatch.db");
  CHECK(c.location.empty());
  CHECK(c.storage.raw_retention == 30 * 24h);
  CHECK(c.storage.rollup_retention == 400 * 24h);
  CHECK(c.storage.queue_capacity == 100'000);
  CHECK(c.scheduler.max_inflight == 256);
  CHECK(c.scheduler.jitter == 1s);
  CHECK(c.detection.baseline_window == 7 * 24h);
  CHECK(c.detection.spike_factor == 3.0);
  CHECK(c.detection.window == 3);
  CHECK(c.detection.cert_expiry_warn == std::vector<std::chrono::milliseconds>{720h, 336h, 168h});
  CHECK(c.source_path.empty());
  REQUIRE(c.targets.size() == 1);
  const TargetConfig& t = c.targets[0];
  CHECK(t.interval == 60s);
  CHECK(t.spec.timeout == 10s);
  CHECK(t.spec.transport == TransportChoice::kAuto);
  CHECK(t.spec.headers.empty());
  CHECK_FALSE(t.spec.tool_call.has_value());
  CHECK(t.spec.bearer_token.empty());
  CHECK(t.max_latency.total == 5s);
  CHECK(t.maintenance.empty());
}

TEST_CASE("targets inherit defaults and override per key", "[config][model]") {
  const Config c = MustParse(
      "detection:\n"
      "  max_latency: {total: 8s, initialize: 1s}\n"
      "defaults:\n"
      "  interval: 30s\n"
      "  timeout: 5s\n"
      "  transport: sse\n"
      "  headers: {X-Probe: mcpwatch, X-Env: prod}\n"
      "  labels: {env: prod, team: core}\n"
      "  bearer_token_env: DEFAULT_TOKEN\n"
      "  max_latency: {tool_call: 2s}\n"
      "  tool_call: {name: ping_db}\n"
      "targets:\n"
      "  - name: plain\n"
      "    url: https://a.example/mcp\n"
      "  - name: custom\n"
      "    url: http://127.0.0.1:8080/mcp\n"
      "    interval: 2m\n"
      "    headers: {x-probe: custom, X-Extra: 1}\n"
      "    labels: {team: payments}\n"
      "    bearer_token_file: secrets/token\n"
      "    max_latency: {total: 3s}\n"
      "    tool_call: {name: get_item, arguments: {id: 1}}\n");
  REQUIRE(c.targets.size() == 2);
  const TargetConfig& plain = c.targets[0];
  CHECK(plain.interval == 30s);
  CHECK(plain.spec.timeout == 5s);
  CHECK(plain.spec.transport == TransportChoice::kSse);
  CHECK(plain.spec.headers == std::vector<std::string>{"X-Env: prod", "X-Probe: mcpwatch"});
  CHECK(plain.labels == std::map<std::string, std::string>{{"env", "prod"}, {"team", "core"}});
  CHECK(plain.bearer_token_env == "DEFAULT_TOKEN");
  CHECK(plain.max_latency.total == 8s);
  CHECK(plain.max_latency.initialize == 1s);
  CHECK(plain.max_latency.tool_call == 2s);
  REQUIRE(plain.spec.tool_call.has_value());
  CHECK(plain.spec.tool_call->name == "ping_db");

  const TargetConfig& custom = c.targets[1];
  CHECK(custom.interval == 2min);
  CHECK(custom.spec.timeout == 5s);
  // Same header name (case-insensitive) replaces the inherited one; new ones are added.
  CHECK(custom.spec.headers ==
        std::vector<std::string>{"X-Env: prod", "x-probe: custom", "X-Extra: 1"});
  CHECK(custom.labels == std::map<std::string, std::string>{{"env", "prod"}, {"team", "payments"}});
  // A target choosing a token source replaces the inherited one.
  CHECK(custom.bearer_token_env.empty());
  CHECK(custom.bearer_token_file == "/etc/mcpwatch/secrets/token");
  CHECK(custom.max_latency.total == 3s);
  CHECK(custom.max_latency.initialize == 1s);
  CHECK(custom.max_latency.tool_call == 2s);
  REQUIRE(custom.spec.tool_call.has_value());
  CHECK(custom.spec.tool_call->name == "get_item");
  CHECK(custom.spec.tool_call->arguments == nlohmann::json{{"id", 1}});
}

TEST_CASE("storage: bounds the runs held while the database cannot be written", "[config][model]") {
  CHECK(MustParse(std::string("storage: {queue_capacity: 500}\n") + kOneTarget)
            .storage.queue_capacity == 500);
  CHECK_FALSE(ErrorsOf(std::string("storage: {queue_capacity: 0}\n") + kOneTarget).empty());
}

TEST_CASE("relative paths resolve against the config file's directory", "[config][model]") {
  struct Case {
    const char* file;
    const char* database;
    const char* expected;
  };
  const Case cases[] = {
      {"/etc/mcpwatch/mcpwatch.yaml", "data/mcpwatch.db", "/etc/mcpwatch/data/mcpwatch.db"},
      {"/etc/mcpwatch/mcpwatch.yaml", "../lib/m.db", "/etc/lib/m.db"},
      {"/etc/mcpwatch/mcpwatch.yaml", "/var/lib/mcpwatch/m.db", "/var/lib/mcpwatch/m.db"},
      {"/srv/./conf/x.yaml", "./m.db", "/srv/conf/m.db"},
  };
  for (const Case& c : cases) {
    INFO(c.file << " + " << c.database);
    const Config config =
        MustParse(std::string("database: ") + c.database + "\n" + kOneTarget, c.file);
    CHECK(config.database == c.expected);
  }
  const std::string cwd = std::filesystem::current_path().string();
  CHECK(MustParse(std::string("database: m.db\n") + kOneTarget, "mcpwatch.yaml").database ==
        cwd + "/m.db");
  const Config with_ca =
      MustParse(std::string(kOneTarget) + "    ca_file: ca/private.pem\n", "/etc/mcpwatch/m.yaml");
  CHECK(with_ca.targets[0].spec.ca_file == "/etc/mcpwatch/ca/private.pem");
}

TEST_CASE("listen accepts host:port and [IPv6]:port", "[config][model]") {
  struct Case {
    const char* listen;
    const char* host;
    int port;
  };
  const Case cases[] = {
      {"127.0.0.1:9464", "127.0.0.1", 9464},
      {"\"[::1]:9465\"", "::1", 9465},
      {"localhost:0", "localhost", 0},
      {"0.0.0.0:65535", "0.0.0.0", 65535},
  };
  for (const Case& c : cases) {
    INFO(c.listen);
    const Config config = MustParse(std::string("listen: ") + c.listen + "\n" + kOneTarget);
    CHECK(config.listen_host == c.host);
    CHECK(config.listen_port == c.port);
  }
}

TEST_CASE("tool_call arguments keep YAML types as JSON", "[config][model]") {
  const Config c = MustParse(std::string(kOneTarget) +
                             "    tool_call:\n"
                             "      name: search\n"
                             "      arguments:\n"
                             "        id: 1\n"
                             "        ratio: 0.5\n"
                             "        quoted: \"1\"\n"
                             "        flag: true\n"
                             "        nothing: null\n"
                             "        text: hello world\n"
                             "        list: [a, 2]\n"
                             "        nested: {deep: {x: -3}}\n"
                             "        exp: 1e3\n"
                             "        dot: .5\n"
                             "        plus: +2\n"
                             "        not_exp: 1e\n"
                             "        version: 1.2.3\n"
                             "        minus: \"-\"\n"
                             "      expect_text: \"price: [0-9]+\"\n");
  const auto& call = c.targets[0].spec.tool_call;
  REQUIRE(call.has_value());
  CHECK(call->arguments == nlohmann::json::parse(R"({"id": 1, "ratio": 0.5, "quoted": "1",
      "flag": true, "nothing": null, "text": "hello world", "list": ["a", 2],
      "nested": {"deep": {"x": -3}}, "exp": 1000.0, "dot": 0.5, "plus": 2, "not_exp": "1e",
      "version": "1.2.3", "minus": "-"})"));
  CHECK(call->expect_text == "price: [0-9]+");
}

TEST_CASE("content_hash is the SHA-256 of the bytes", "[config][model]") {
  const Config a = MustParse(kOneTarget);
  const Config b = MustParse(std::string(kOneTarget) + "# a comment changes the bytes\n");
  CHECK(a.content_hash.size() == 64);
  CHECK(a.content_hash != b.content_hash);
  CHECK(MustParse(kOneTarget).content_hash == a.content_hash);
  // A known vector: printf 'targets: []\n' | sha256sum
  const Config known = MustParse("targets: []\n");
  CHECK(known.content_hash == "1e3540d24f97703289ee20d26cdfc2a098254d32b84e3d3410b29fa9343ae245");
  CHECK(known.targets.empty());
}

TEST_CASE("one file with several mistakes reports all of them", "[config][errors]") {
  const std::vector<std::string> errors = ErrorsOf(
      "listen: localhost\n"                             // 1
      "databse: x.db\n"                                 // 2
      "defaults: {interval: 1x}\n"                      // 3
      "targets:\n"                                      // 4
      "  - name: shop\n"                                // 5
      "    url: gopher://a.example/\n"                  // 6
      "    intreval: 30s\n"                             // 7
      "  - name: shop\n"                                // 8
      "    url: https://user:pw@b.example/\n"           // 9
      "    timeout: 2m\n"                               // 10
      "    transport: grpc\n"                           // 11
      "  - url: https://c.example/\n"                   // 12
      "    tool_call: {name: x, expect_text: \"(\"}\n"  // 13
      "alerting:\n"                                     // 14
      "  routes: [{notify: [nobody]}]\n");              // 15
  REQUIRE(errors.size() == 12);
  // In file order, whatever order the sections are checked in.
  CHECK(errors[0] ==
        "t.yaml:1:9: bad listen address \"localhost\": expected host:port, e.g. 127.0.0.1:9464");
  CHECK(errors[1] ==
        "t.yaml:2:1: unknown key \"databse\" at top level (did you mean "
        "\"database\"?)");
  CHECK(errors[2] ==
        "t.yaml:3:22: bad duration for \"interval\" in defaults: \"1x\": unknown "
        "unit \"x\" (use ms, s, m, h, d or w)");
  CHECK(errors[3] ==
        "t.yaml:6:10: bad url in target \"shop\": scheme \"gopher\" is not "
        "supported (use http or https)");
  CHECK(errors[4] ==
        "t.yaml:7:5: unknown key \"intreval\" in target \"shop\" (did you mean "
        "\"interval\"?)");
  CHECK(errors[5] == "t.yaml:8:11: duplicate target name \"shop\" (first defined at line 5)");
  CHECK(errors[6].starts_with("t.yaml:9:10: bad url in target \"shop\": credentials"));
  CHECK(errors[7] ==
        "t.yaml:10:14: timeout (2m) must be less than interval (1m) in target "
        "\"shop\"");
  CHECK(errors[8] ==
        "t.yaml:11:16: bad transport \"grpc\" in target \"shop\" (use auto, "
        "streamable-http or sse)");
  CHECK(errors[9] == "t.yaml:12:5: missing key \"name\" in targets[2]");
  CHECK(
      errors[10].starts_with("t.yaml:13:39: bad regex in expect_text in tool_call of "
                             "targets[2]: "));
  CHECK(errors[11] == "t.yaml:15:21: route routes[0] names unknown notifier \"nobody\"");
  // The secret in the URL is never echoed.
  for (const std::string& e : errors) CHECK(e.find("pw") == std::string::npos);
}

}  // namespace
}  // namespace mcpwatch
