// The daemon's side of OAuth end to end (issue 13) against a real OAuth-protected MCP server on
// loopback built from the TypeScript SDK's auth router (tests/tools/servers/ts_sdk_oauth.mjs):
// `mcpwatch auth login` with the test playing the browser, `serve` across several access-token
// expiries without a failed run, a revoked refresh token and a stopped authorization server as
// their own classes and alerts (never TargetDown), and a canary in every credential found in
// none of the database, the logs, /metrics, the API or the status page.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kCanary = "cnry-oauth-5d13e7";
constexpr int kAccessTtlSeconds = 3;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// ts_sdk_oauth.mjs: the MCP server and its authorization server, each on a free port.
class OAuthServer {
 public:
  OAuthServer()
      : mcp_port_(FreePort()),
        as_port_(FreePort()),
        process_(
            Subprocess::Start({NodeBinary(), SourcePath("tests/tools/servers/ts_sdk_oauth.mjs"),
                               std::to_string(mcp_port_), std::to_string(as_port_),
                               std::to_string(kAccessTtlSeconds), kCanary})) {
    if (!process_.WaitForLine("^listening ", 20s)) {
      throw std::runtime_error("ts_sdk_oauth.mjs did not start: " + process_.Stderr());
    }
  }
  std::string Url() const { return Base() + "/mcp"; }
  std::string Base() const { return "http://127.0.0.1:" + std::to_string(mcp_port_); }
  json Stats() const {
    return json::parse(HttpGet(Base() + "/control/stats").body, nullptr, false);
  }
  void Control(const std::string& what) const {
    REQUIRE(HttpPost(Base() + "/control/" + what, "{}").status == 200);
  }

 private:
  int mcp_port_;
  int as_port_;
  Subprocess process_;
};

std::string WriteOAuthConfig(const TempDir& dir, int port, const std::string& url) {
  return WriteConfig(dir, port, {{"shop", url, "auth: {type: oauth}"}}, "1s", "800ms");
}

// Runs `mcpwatch auth login shop` and plays the browser: follows the printed authorization URL
// (the AS approves at once and redirects) to the loopback redirect.
ProcessResult LoginPlayingBrowser(const std::string& config) {
  const int redirect_port = FreePort();
  Subprocess login =
      Subprocess::Start({McpwatchBinary(), "auth", "login", "shop", "--config", config, "--port",
                         std::to_string(redirect_port), "--timeout", "30s"});
  auto url = login.WaitForLine("^  (http://\\S+)$", 20s);
  ProcessResult out;
  if (!url) {
    out.err = login.Stderr();
    out.out = login.Stdout();
    return out;
  }
  HttpResponse authorize = HttpGet(*url);
  CHECK(authorize.status == 302);
  const std::string location = authorize.Header("location").value_or("");
  CHECK_THAT(location,
             Catch::StartsWith("http://127.0.0.1:" + std::to_string(redirect_port) + "/callback?"));
  HttpResponse back = HttpGet(location);
  CHECK(back.status == 200);
  out.exit_code = login.Wait(20s).value_or(-1);
  out.out = login.Stdout();
  out.err = login.Stderr();
  return out;
}

std::optional<json> FiringAlert(const std::string& config, const std::string& rule) {
  ProcessResult r = RunProcess({McpwatchBinary(), "alerts", "--config", config, "--json"}, 20s);
  json view = json::parse(r.out, nullptr, false);
  if (!view.is_object()) return std::nullopt;
  for (const json& a : view["alerts"]) {
    if (a.value("alert", "") == rule && a.value("state", "") == "firing") return a;
  }
  return std::nullopt;
}

bool AnyAlert(const std::string& config, const std::string& rule) {
  ProcessResult r = RunProcess({McpwatchBinary(), "alerts", "--config", config, "--json"}, 20s);
  json view = json::parse(r.out, nullptr, false);
  if (!view.is_object()) return false;
  for (const json& a : view["alerts"]) {
    if (a.value("alert", "") == rule) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("oauth: auth login stores the tokens in a 0600 file beside the database",
          "[serve][oauth]") {
  OAuthServer server;
  TempDir dir;
  const std::string config = WriteOAuthConfig(dir, FreePort(), server.Url());
  ProcessResult login = LoginPlayingBrowser(config);
  INFO("stdout: " << login.out << "\nstderr: " << login.err);
  REQUIRE(login.exit_code == 0);
  CHECK_THAT(login.out, Catch::Contains("Signed in"));
  const std::string file = dir.File("mcpwatch-tokens.json");
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  json tokens = json::parse(ReadAll(file));
  const json& shop = tokens["targets"]["shop"];
  CHECK_THAT(shop.value("access_token", ""), Catch::StartsWith(std::string(kCanary) + "-access-"));
  CHECK_THAT(shop.value("refresh_token", ""),
             Catch::StartsWith(std::string(kCanary) + "-refresh-"));
  CHECK_THAT(shop.value("client_secret", ""), Catch::StartsWith(std::string(kCanary) + "-secret-"));
  CHECK(shop["refresh_expires_at"].is_number());
  // The credentials never reach the terminal.
  CHECK_THAT(login.out + login.err, !Catch::Contains(kCanary));
  CHECK(server.Stats()["issued"] == 1);
}

TEST_CASE("oauth: auth login without a browser times out with a clear message", "[serve][oauth]") {
  OAuthServer server;
  TempDir dir;
  const std::string config = WriteOAuthConfig(dir, FreePort(), server.Url());
  ProcessResult r = RunProcess({McpwatchBinary(), "auth", "login", "shop", "--config", config,
                                "--port", "0", "--timeout", "1s"},
                               20s);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("Open this URL"));
  CHECK_THAT(r.err, Catch::Contains("nobody completed the sign-in in time") &&
                        Catch::Contains("--timeout 1s"));
  CHECK_FALSE(std::ifstream(dir.File("mcpwatch-tokens.json")).good());
}

TEST_CASE("oauth: a token file others can read stops the daemon's use of it, naming the file",
          "[serve][oauth]") {
  OAuthServer server;
  TempDir dir;
  const int port = FreePort();
  const std::string config = WriteOAuthConfig(dir, port, server.Url());
  REQUIRE(LoginPlayingBrowser(config).exit_code == 0);
  const std::string file = dir.File("mcpwatch-tokens.json");
  ::chmod(file.c_str(), 0644);
  Subprocess daemon = StartDaemon(config);
  const std::string db = dir.File("history.db");
  const bool classed =
      Eventually([&] { return ClassCounts(db)["shop"]["auth_credentials_rejected"] >= 1; }, 20s);
  INFO("daemon stderr: " << daemon.Stderr() << daemon.Stdout());
  REQUIRE(classed);
  const std::string log = daemon.Stdout() + daemon.Stderr();
  CHECK_THAT(log, Catch::Contains(file) && Catch::Contains("0644"));
  CHECK_THAT(log, !Catch::Contains(kCanary));
}

TEST_CASE(
    "oauth: serve keeps short-lived tokens fresh without a person, a revoked refresh token is "
    "auth_credentials_rejected with its own alert and never TargetDown, and no credential leaks",
    "[serve][oauth]") {
  OAuthServer server;
  TempDir dir;
  const int port = FreePort();
  // shop: authorization code, signed in once; svc: client_credentials, no person at all.
  const std::string config = WriteConfig(
      dir, port,
      {{"shop", server.Url(), "auth: {type: oauth}"},
       {"svc", server.Url(),
        "auth: {type: client_credentials, client_id: svc, client_secret_env: SVC_SECRET}"}},
      "1s", "800ms");
  REQUIRE(LoginPlayingBrowser(config).exit_code == 0);
  Subprocess daemon = Subprocess::Start({McpwatchBinary(), "serve", "--config", config},
                                        {"SVC_SECRET=" + std::string(kCanary) + "-svc-secret"});
  REQUIRE(daemon.WaitForLine("ready targets=", 20s));
  const std::string db = dir.File("history.db");
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  INFO("daemon stdout: " << daemon.Stdout() << "\nstderr: " << daemon.Stderr());

  // At least three access-token lifetimes (3 s each) of runs every second.
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(Eventually(
      [&] {
        return std::chrono::steady_clock::now() - start >=
                   4 * std::chrono::seconds(kAccessTtlSeconds) &&
               server.Stats().value("refreshed", 0) >= 3;
      },
      40s));
  {
    auto counts = ClassCounts(db);
    INFO("runs: " << json(counts).dump() << " stats: " << server.Stats().dump());
    CHECK(counts["shop"].size() == 1);  // every run ok
    CHECK(counts["shop"]["ok"] >= 10);
    CHECK(counts["svc"].size() == 1);
    CHECK(counts["svc"]["ok"] >= 10);
    CHECK(server.Stats()["mcp_401"] == 0);  // renewed ahead of expiry, never refused
    CHECK(server.Stats()["refused"] == 0);
    CHECK(server.Stats()["client_credentials"] >= 4);  // svc: a new grant per lifetime
    // The refresh token's expiry (refresh_token_expires_in: 30 days) feeds the watchdog; svc
    // holds no refresh token.
    const std::string metrics = HttpGet(base + "/metrics").body;
    const auto expiry =
        Metric(metrics, "probe_mcp_auth_refresh_expiry_timestamp_seconds", {{"target", "shop"}});
    REQUIRE(expiry);
    const double now_s =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(*expiry > now_s + 29 * 86400.0);
    CHECK_FALSE(
        Metric(metrics, "probe_mcp_auth_refresh_expiry_timestamp_seconds", {{"target", "svc"}}));
  }

  // Revoked: once the last access token expires, the runs are auth_credentials_rejected and
  // AuthCredentialsRejected fires, not TargetDown.
  server.Control("revoke");
  const bool rejected = Eventually(
      [&] {
        return ClassCounts(db)["shop"]["auth_credentials_rejected"] >= 2 &&
               FiringAlert(config, "AuthCredentialsRejected").has_value();
      },
      30s);
  INFO("runs: " << json(ClassCounts(db)).dump());
  REQUIRE(rejected);
  CHECK_FALSE(AnyAlert(config, "TargetDown"));
  CHECK(ClassCounts(db)["shop"]["auth_failure"] == 0);
  CHECK(ClassCounts(db)["svc"].size() == 1);  // the other identity is untouched: all ok
  HttpResponse runs = HttpGet(base + "/api/v1/targets/shop/runs");
  CHECK_THAT(runs.body, Catch::Contains("invalid_grant") && Catch::Contains("auth login"));

  // The canary is in every credential (the registered and the configured client secret, access
  // and refresh tokens); none is in anything mcpwatch stores, logs or serves.
  std::vector<std::pair<std::string, std::string>> places = {
      {"history.db", ReadAll(db)},
      {"history.db-wal", ReadAll(db + "-wal")},
      {"daemon stdout", daemon.Stdout()},
      {"daemon stderr", daemon.Stderr()},
  };
  for (const std::string path :
       {"/", "/metrics", "/api/v1/targets", "/api/v1/events", "/api/v1/targets/shop/runs",
        "/api/v1/targets/svc/runs", "/probe?target=shop", "/probe?target=svc", "/badge/shop.svg"}) {
    HttpResponse r = HttpGet(base + path);
    CHECK(r.status == 200);
    places.emplace_back(path, r.body);
  }
  for (const char* command : {"status", "events", "alerts"}) {
    places.emplace_back(
        command, RunProcess({McpwatchBinary(), command, "--config", config, "--json"}, 20s).out);
  }
  for (const char* target : {"shop", "svc"}) {
    places.emplace_back(
        std::string("history ") + target,
        RunProcess({McpwatchBinary(), "history", target, "--config", config, "--json"}, 20s).out);
  }
  // The token file is the one place the credentials live.
  const json token_file = json::parse(ReadAll(dir.File("mcpwatch-tokens.json")));
  CHECK(token_file["targets"].contains("shop"));
  CHECK_FALSE(token_file["targets"].contains("svc"));  // client_credentials: memory only
  for (const auto& [where, text] : places) {
    INFO(where);
    CHECK_THAT(text, !Catch::Contains(kCanary));
  }
  daemon.Signal(SIGTERM);
  REQUIRE(daemon.Wait(20s).has_value());
  CHECK_THAT(ReadAll(db) + ReadAll(db + "-wal"), !Catch::Contains(kCanary));
  CHECK_THAT(daemon.Stdout() + daemon.Stderr(), !Catch::Contains(kCanary));
}

TEST_CASE("oauth: an authorization server outage is auth_server_unavailable, not TargetDown",
          "[serve][oauth]") {
  OAuthServer server;
  TempDir dir;
  const int port = FreePort();
  const std::string config = WriteOAuthConfig(dir, port, server.Url());
  REQUIRE(LoginPlayingBrowser(config).exit_code == 0);
  Subprocess daemon = StartDaemon(config);
  const std::string db = dir.File("history.db");
  INFO("daemon stdout: " << daemon.Stdout() << "\nstderr: " << daemon.Stderr());
  REQUIRE(Eventually([&] { return ClassCounts(db)["shop"]["ok"] >= 2; }, 20s));

  server.Control("stop-as");
  const bool unavailable = Eventually(
      [&] {
        return ClassCounts(db)["shop"]["auth_server_unavailable"] >= 2 &&
               FiringAlert(config, "AuthServerUnavailable").has_value();
      },
      30s);
  INFO("runs: " << json(ClassCounts(db)).dump());
  REQUIRE(unavailable);
  CHECK_FALSE(AnyAlert(config, "TargetDown"));
  CHECK_FALSE(AnyAlert(config, "AuthCredentialsRejected"));
  const std::string metrics = HttpGet("http://127.0.0.1:" + std::to_string(port) + "/metrics").body;
  CHECK(Metric(metrics, "probe_mcp_runs_total",
               {{"target", "shop"}, {"class", "auth_server_unavailable"}})
            .value_or(0) >= 2);
}

TEST_CASE("oauth: probe --auth puts the auth health class in its verdict JSON", "[serve][oauth]") {
  OAuthServer server;
  // This authorization server approves without a person: probe completes the flow itself.
  ProcessResult ok = RunProcess({McpwatchBinary(), "probe", server.Url(), "--auth", "oauth",
                                 "--transport", "streamable-http", "--json"},
                                30s);
  INFO("ok run: " << ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(json::parse(ok.out, nullptr, false).value("class", "") == "ok");
  CHECK_THAT(ok.out + ok.err, !Catch::Contains(kCanary));

  server.Control("stop-as");
  ProcessResult down = RunProcess({McpwatchBinary(), "probe", server.Url(), "--auth", "oauth",
                                   "--transport", "streamable-http", "--json"},
                                  30s);
  INFO("AS stopped: " << down.out << down.err);
  CHECK(down.exit_code == 3);
  const json verdict = json::parse(down.out, nullptr, false);
  CHECK(verdict.value("class", "") == "auth_server_unavailable");
  CHECK_THAT(verdict.value("error", ""), Catch::StartsWith("auth: "));
}
