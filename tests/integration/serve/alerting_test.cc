// The built-in alert engine end to end, through the real daemon: a target that goes down and
// comes back notifies a signed webhook, PagerDuty, Slack (all a local recording receiver) and a
// real Alertmanager exactly once per transition; a notice that could not be delivered survives
// SIGKILL in the outbox and arrives exactly once after the restart.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <csignal>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "tests/integration/alerts/receiver.h"
#include "tests/integration/serve/daemon_harness.h"

using namespace mcpwatch::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";
constexpr const char* kSecret = "s3cret-hmac-key";
constexpr auto kTransition = 40s;  // probe failures -> down state -> alert -> delivery

using Request = mcpwatch::alerts::test::ReceivedRequest;
using mcpwatch::alerts::test::ActiveAlert;
using mcpwatch::alerts::test::Receiver;

std::string HmacHex(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
  return out;
}

// The TargetDown notices of one receiver path with the given status ("firing"/"resolved"),
// read from each notifier's own body format.
int Notices(const Receiver& r, const std::string& path, const std::string& status) {
  int n = 0;
  for (const Request& req : r.RequestsTo(path)) {
    json b = json::parse(req.body, nullptr, false);
    if (b.is_discarded()) continue;
    if (path == "/hook") {
      n += b.value("alert", "") == "TargetDown" && b.value("target", "") == "shop" &&
           b.value("status", "") == status;
    } else if (path == "/pd") {
      n += b.contains("payload") && b["payload"].value("group", "") == "TargetDown" &&
           b.value("event_action", "") == (status == "firing" ? "trigger" : "resolve");
    } else {
      std::string head = status == "firing" ? "[FIRING]" : "[RESOLVED]";
      n += b.value("text", "").find(head + " TargetDown on shop") != std::string::npos;
    }
  }
  return n;
}

std::string WriteAlertingConfig(const TempDir& dir, int port, const std::string& target_url,
                                int receiver_port, std::optional<int> am_port) {
  std::string path = dir.File("mcpwatch.yaml");
  const std::string rx = "http://127.0.0.1:" + std::to_string(receiver_port);
  std::ofstream f(path);
  f << "listen: 127.0.0.1:" << port << "\n"
    << "database: " << dir.File("history.db") << "\n"
    << "defaults: {interval: 1s, timeout: 800ms}\n"
    << "scheduler: {jitter: 0s}\n"
    << "targets:\n  - name: shop\n    url: " << target_url << "\n"
    << "alerting:\n  notifiers:\n"
    << "    - {name: ops, type: webhook, url: " << rx << "/hook, secret_env: HOOK_SECRET, "
    << "timeout: 2s}\n"
    << "    - {name: pager, type: pagerduty, url: " << rx << "/pd, routing_key_env: PD_KEY, "
    << "timeout: 2s}\n"
    << "    - {name: chat, type: slack, webhook_url_env: SLACK_URL, timeout: 2s}\n";
  std::string notify = "ops, pager, chat";
  if (am_port) {
    f << "    - {name: am, type: alertmanager, url: http://127.0.0.1:" << *am_port
      << ", timeout: 2s}\n";
    notify += ", am";
  }
  f << "  routes: [{notify: [" << notify << "]}]\n"
    << "  rules: [{name: TargetDown, for: 0s}]\n";
  return path;
}

Subprocess StartAlertingDaemon(const std::string& config, int receiver_port) {
  const std::string rx = "http://127.0.0.1:" + std::to_string(receiver_port);
  Subprocess p = Subprocess::Start({McpwatchBinary(), "serve", "--config", config},
                                   {std::string("HOOK_SECRET=") + kSecret, "PD_KEY=pd-routing-key",
                                    "SLACK_URL=" + rx + "/slack"});
  if (!p.WaitForLine("ready targets=", 20s)) {
    throw std::runtime_error("daemon did not become ready: " + p.Stdout() + p.Stderr());
  }
  return p;
}

json AlertsJson(const std::string& config) {
  auto r = RunProcess({McpwatchBinary(), "alerts", "--config", config, "--json"}, 20s);
  if (r.exit_code != 0) return nullptr;
  return json::parse(r.out, nullptr, false);
}

}  // namespace

TEST_CASE("a target going down and back notifies every notifier exactly once per transition",
          "[alerting]") {
  TempDir am_dir;
  {
    std::ofstream yml(am_dir.File("alertmanager.yml"));
    yml << "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n";
  }
  const int am_port = FreePort();
  Subprocess am = Subprocess::Start(
      {kAlertmanager, "--config.file=" + am_dir.File("alertmanager.yml"),
       "--storage.path=" + am_dir.File("data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="});
  REQUIRE(Eventually(
      [&] {
        return HttpGet("http://127.0.0.1:" + std::to_string(am_port) + "/-/ready").status == 200;
      },
      20s));

  Receiver rx(FreePort());
  std::optional<Fixture> fixture(std::in_place);
  const int target_port = fixture->port();
  TempDir dir;
  const std::string config =
      WriteAlertingConfig(dir, FreePort(), fixture->Url(), rx.port(), am_port);
  Subprocess daemon = StartAlertingDaemon(config, rx.port());

  // Up first: several good runs and nothing notified.
  const bool up =
      Eventually([&] { return ClassCounts(dir.File("history.db"))["shop"]["ok"] >= 2; }, 30s);
  INFO("daemon stderr: " << daemon.Stderr());
  INFO("runs: " << json(ClassCounts(dir.File("history.db"))).dump());
  REQUIRE(up);
  CHECK(rx.RequestsTo("/hook").empty());

  fixture.reset();  // the target goes down
  const std::vector<std::string> paths = {"/hook", "/pd", "/slack"};
  REQUIRE(Eventually(
      [&] {
        return Notices(rx, "/hook", "firing") >= 1 && Notices(rx, "/pd", "firing") >= 1 &&
               Notices(rx, "/slack", "firing") >= 1 &&
               !ActiveAlert(am_port, "TargetDown", "shop").is_null();
      },
      kTransition));
  CHECK(ActiveAlert(am_port, "TargetDown", "shop")["status"]["state"] == "active");
  CHECK(ActiveAlert(am_port, "TargetDown", "shop")["labels"]["severity"] == "critical");
  std::this_thread::sleep_for(3s);  // a duplicate would arrive by now
  for (const auto& path : paths) {
    INFO(path);
    CHECK(Notices(rx, path, "firing") == 1);
    CHECK(Notices(rx, path, "resolved") == 0);
  }

  // The webhook is signed over the exact bytes received.
  for (const Request& r : rx.RequestsTo("/hook")) {
    REQUIRE(r.headers.count("x-mcpwatch-signature") == 1);
    CHECK(r.headers.at("x-mcpwatch-signature") == "sha256=" + HmacHex(kSecret, r.body));
    CHECK(r.headers.count("x-mcpwatch-delivery") == 1);
  }
  for (const Request& r : rx.RequestsTo("/pd")) {
    CHECK(json::parse(r.body)["routing_key"] == "pd-routing-key");
  }

  fixture.emplace(std::vector<std::string>{"--port", std::to_string(target_port)});  // back up
  REQUIRE(Eventually(
      [&] {
        return Notices(rx, "/hook", "resolved") >= 1 && Notices(rx, "/pd", "resolved") >= 1 &&
               Notices(rx, "/slack", "resolved") >= 1 &&
               ActiveAlert(am_port, "TargetDown", "shop").is_null();
      },
      kTransition));
  std::this_thread::sleep_for(3s);
  for (const auto& path : paths) {
    INFO(path);
    CHECK(Notices(rx, path, "firing") == 1);
    CHECK(Notices(rx, path, "resolved") == 1);
  }
  for (const Request& r : rx.RequestsTo("/hook")) {
    CHECK(r.headers.at("x-mcpwatch-signature") == "sha256=" + HmacHex(kSecret, r.body));
  }
  CHECK(ActiveAlert(am_port, "TargetDown", "shop").is_null());
  json view = AlertsJson(config);
  REQUIRE(view.is_object());
  CHECK(view["undelivered"].empty());
}

TEST_CASE("an undelivered notice survives SIGKILL and arrives exactly once after the restart",
          "[alerting]") {
  const int rx_port = FreePort();  // nothing listens yet
  TempDir dir;
  const std::string target = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/mcp";
  const std::string config = WriteAlertingConfig(dir, FreePort(), target, rx_port, std::nullopt);
  {
    Subprocess daemon = StartAlertingDaemon(config, rx_port);
    REQUIRE(Eventually(
        [&] {
          json view = AlertsJson(config);
          if (!view.is_object()) return false;
          for (const json& u : view["undelivered"]) {
            if (u.value("notifier", "") == "ops" && u.value("alert", "") == "TargetDown" &&
                u.value("status", "") == "firing" && u.value("attempts", 0) >= 1) {
              return true;
            }
          }
          return false;
        },
        kTransition));
    daemon.Signal(SIGKILL);
    REQUIRE(daemon.Wait(10s).has_value());
  }

  Receiver rx(rx_port);
  Subprocess daemon = StartAlertingDaemon(config, rx_port);
  const std::vector<std::string> paths = {"/hook", "/pd", "/slack"};
  REQUIRE(Eventually(
      [&] {
        return Notices(rx, "/hook", "firing") >= 1 && Notices(rx, "/pd", "firing") >= 1 &&
               Notices(rx, "/slack", "firing") >= 1;
      },
      kTransition));
  std::this_thread::sleep_for(5s);  // a duplicate (re-queue or re-send) would arrive by now
  for (const auto& path : paths) {
    INFO(path);
    CHECK(Notices(rx, path, "firing") == 1);
    CHECK(Notices(rx, path, "resolved") == 0);
  }
  for (const Request& r : rx.RequestsTo("/hook")) {
    CHECK(r.headers.at("x-mcpwatch-signature") == "sha256=" + HmacHex(kSecret, r.body));
  }
  json view = AlertsJson(config);
  REQUIRE(view.is_object());
  CHECK(view["undelivered"].empty());
  REQUIRE(view["alerts"].size() == 1);
  CHECK(view["alerts"][0]["state"] == "firing");
}
