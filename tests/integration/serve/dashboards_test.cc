// Every Grafana dashboard and Prometheus rule expression against a real Prometheus that scraped
// a real `mcpwatch serve` run (issue 6): fixture targets chosen so that every series a panel or
// rule reads exists — healthy and baselined, a tool_error, a refused port, TLS with a
// certificate expiry, a deploy, delivered and failed notifications, a location — then
// tests/dashboards/query_exprs.py checks that each expression evaluates, that each selector in
// it matches series and each label it groups by exists, that no loaded rule fails, and that
// each non-filter dashboard expression and recording rule has data.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/alerts/receiver.h"
#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kLocation = "lab-1";

// A self-signed certificate for 127.0.0.1, valid for 30 days, that the daemon trusts through
// ca_file: the TLS target's runs succeed and export probe_ssl_earliest_cert_expiry.
struct SelfSignedCert {
  TempDir dir;
  std::string cert = dir.File("cert.pem");
  std::string key = dir.File("key.pem");

  SelfSignedCert() {
    auto r = RunProcess(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "30", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert},
        30s);
    if (r.exit_code != 0) throw std::runtime_error("openssl req failed: " + r.err);
  }
};

std::string PercentEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// True when an instant query returns at least one sample.
bool HasData(int prom_port, const std::string& expr) {
  auto r = HttpGet("http://127.0.0.1:" + std::to_string(prom_port) +
                   "/api/v1/query?query=" + PercentEncode(expr));
  if (r.status != 200) return false;
  json body = json::parse(r.body, nullptr, false);
  return body.is_object() && body["data"]["result"].is_array() && !body["data"]["result"].empty();
}

// The rule files a Prometheus of our users loads: alerts/prometheus/*.rules.yml.
std::vector<std::string> RuleFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("alerts/prometheus"))) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 10 && name.ends_with(".rules.yml")) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Subprocess StartPrometheus(const TempDir& dir, int prom_port, int daemon_port) {
  std::string config = dir.File("prometheus.yml");
  {
    std::ofstream f(config);
    f << "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files:\n";
    for (const auto& file : RuleFiles()) f << "  - " << file << "\n";
    // McpProberDown and the prober dashboard expect the daemons' job to be named mcpwatch.
    f << "scrape_configs:\n  - job_name: mcpwatch\n"
      << "    static_configs: [{targets: ['127.0.0.1:" << daemon_port << "']}]\n";
  }
  Subprocess prom = Subprocess::Start(
      {"prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.File("prom"),
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)});
  const std::string ready = "http://127.0.0.1:" + std::to_string(prom_port) + "/-/ready";
  if (!Eventually([&] { return HttpGet(ready).status == 200; }, 30s)) {
    throw std::runtime_error("prometheus did not become ready: " + prom.Stderr());
  }
  return prom;
}

}  // namespace

TEST_CASE("every dashboard and rule expression evaluates, matches series and has data",
          "[dashboards]") {
  REQUIRE(RuleFiles().size() >= 1);
  SelfSignedCert cert;
  Fixture healthy{{"--latency", "20"}};
  Fixture broken_db{{"--tools", "echo,db_error"}};
  Fixture tls{{"--tls-cert", cert.cert, "--tls-key", cert.key}};
  std::optional<Fixture> shop(std::in_place);
  const int shop_port = shop->port();
  const int refused_port = ClosedPort();
  mcpwatch::alerts::test::Receiver receiver(0);

  TempDir dir;
  const int port = FreePort();
  // A target with auth: exports the auth health classes (McpAuth* read them); the fixture does
  // not demand a token, so its runs pass while the token manager finds no token endpoint.
  const std::string secret = dir.File("client-secret");
  std::ofstream(secret) << "dashboards-test-secret\n";
  std::string config = WriteConfig(
      dir, port,
      {{"healthy", healthy.Url(), "labels: {team: payments}"},
       {"oauth", healthy.Url(),
        "auth: {type: client_credentials, client_id: probe, client_secret_file: " + secret + "}"},
       {"broken_db", broken_db.Url(),
        "tool_call: {name: db_error, arguments: {}}\n    health_url: http://127.0.0.1:" +
            std::to_string(broken_db.port()) + "/health"},
       {"refused", "http://127.0.0.1:" + std::to_string(refused_port) + "/mcp", ""},
       {"tls", tls.Url(), "ca_file: " + cert.cert},
       {"shop", shop->Url(), ""}});
  // `location` labels every per-target series; a small baseline sample makes the baseline
  // gauges appear within seconds; TargetDown (refused) notifies a receiver that answers and
  // one whose port is closed, so both delivered and failed notifications are counted.
  std::ofstream(config, std::ios::app)
      << "location: " << kLocation << "\n"
      << "detection: {baseline_min_samples: 3, rolling_deploy: {grace: 30s}}\n"
      << "alerting:\n  notifiers:\n"
      << "    - {name: receiver, type: webhook, url: " << receiver.Url("/hook")
      << ", timeout: 2s}\n"
      << "    - {name: unreachable, type: webhook, url: http://127.0.0.1:" << ClosedPort()
      << "/hook, timeout: 2s}\n"
      << "  routes: [{notify: [receiver, unreachable]}]\n"
      << "  rules: [{name: TargetDown, for: 0s}]\n";
  Subprocess daemon = StartDaemon(config);

  TempDir prom_dir;
  const int prom_port = FreePort();
  Subprocess prom = StartPrometheus(prom_dir, prom_port, port);

  // A deploy: shop comes back on the same port with another server version, once Prometheus
  // has scraped the old one (a counter first scraped at 1 shows no increase).
  REQUIRE(Eventually(
      [&] {
        return HasData(prom_port, "probe_mcp_server_info{target=\"shop\", version=\"1.0.0\"}");
      },
      30s));
  shop.reset();
  shop.emplace(
      std::vector<std::string>{"--port", std::to_string(shop_port), "--server-version", "2.0.0"});

  // What the checker needs before it can demand data: enough scrapes for rate() over 1m, every
  // optional series present, and the last recording rule of the SLO chain evaluated twice.
  const std::vector<std::string> conditions = {
      "count_over_time(up{job=\"mcpwatch\"}[1m]) >= 5",
      "probe_mcp_latency_baseline_seconds{target=\"healthy\", phase=\"total\"}",
      "probe_ssl_earliest_cert_expiry{target=\"tls\"} > time()",
      "increase(probe_mcp_runs_total{target=\"broken_db\", class=\"tool_error\"}[1m]) > 0",
      "probe_mcp_state{target=\"refused\", state=\"down\"} == 1",
      "probe_mcp_runs_total{target=\"oauth\", class=\"auth_credentials_rejected\"}",
      "increase(probe_mcp_events_total{target=\"shop\", kind=\"deploy\"}[5m]) > 0",
      "probe_mcp_server_info{target=\"shop\", version=\"2.0.0\"}",
      "count_over_time(mcpwatch_alerts_notifications_total{result=\"delivered\"}[1m]) >= 2",
      "count_over_time(mcpwatch_alerts_notifications_total{result=\"failed\"}[1m]) >= 2",
      "count_over_time(target:probe_mcp_errors:burnrate3d[1m]) >= 2",
  };
  std::vector<std::string> missing;
  const bool ready = Eventually(
      [&] {
        missing.clear();
        for (const auto& c : conditions) {
          if (!HasData(prom_port, c)) missing.push_back(c);
        }
        if (!missing.empty()) std::this_thread::sleep_for(250ms);
        return missing.empty();
      },
      45s);
  INFO("conditions not met: " << json(missing).dump());
  INFO("daemon stderr: " << daemon.Stderr());
  REQUIRE(ready);

  const std::string prometheus = "http://127.0.0.1:" + std::to_string(prom_port);
  auto check =
      RunProcess({"python3", SourcePath("tests/dashboards/query_exprs.py"), "--prometheus",
                  prometheus, "--require-data", "--var", std::string("location=") + kLocation,
                  "--var", "job=mcpwatch", "--var", "instance=127.0.0.1:" + std::to_string(port)},
                 60s, {"PYTHONDONTWRITEBYTECODE=1"});
  INFO("query_exprs.py output:\n" << check.out << check.err);
  CHECK(check.exit_code == 0);
  // No problem lines, and the summary shows that tens of expressions and selectors were run.
  CHECK_THAT(check.out,
             Catch::Matches("[0-9]{2,} expressions, [0-9]{2,} selectors checked, 0 problems\\s*"));
}
