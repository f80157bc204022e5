// A real Alertmanager (Debian's prometheus-alertmanager) on loopback receives the firing
// alert, keeps it active through the dispatcher's re-sends, and resolves it on the resolve.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/alerts/harness.h"
#include "tests/integration/alerts/receiver.h"

namespace mcpwatch::alerts::test {
namespace {

using mcpwatch::test::Eventually;
using nlohmann::json;

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

TEST_CASE("alertmanager shows the alert active, kept alive by re-sends, then resolved",
          "[alerts][alertmanager]") {
  mcpwatch::test::TempDir am_dir;
  {
    std::ofstream yml(am_dir.File("alertmanager.yml"));
    yml << "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n";
  }
  const int port = mcpwatch::test::FreePort();
  auto am = mcpwatch::test::Subprocess::Start(
      {kAlertmanager, "--config.file=" + am_dir.File("alertmanager.yml"),
       "--storage.path=" + am_dir.File("data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="});
  REQUIRE(Eventually(
      [&] {
        return mcpwatch::test::HttpGet("http://127.0.0.1:" + std::to_string(port) + "/-/ready")
                   .status == 200;
      },
      seconds(20)));

  AlertingConfig config;
  config.notifiers = {
      MakeNotifier("am", NotifierType::kAlertmanager, "http://127.0.0.1:" + std::to_string(port))};
  RouteConfig route;
  route.notify = {"am"};
  config.routes = {route};
  Pipeline p(config, FakeEnv({}));
  p.options.alertmanager_resend = seconds(3);  // endsAt = now + 9 s, re-sent every 3 s
  p.options.generator_url = "http://127.0.0.1:9464/";
  p.StartDispatcher();

  const TimePoint base = SysClock::now() - minutes(10);
  REQUIRE(p.Tick(true, base).transitions.size() == 1);
  REQUIRE(
      Eventually([&] { return !ActiveAlert(port, "TargetDown", "shop").is_null(); }, seconds(10)));
  json active = ActiveAlert(port, "TargetDown", "shop");
  CHECK(active["status"]["state"] == "active");
  CHECK(active["labels"]["severity"] == "critical");
  CHECK(active["labels"]["team"] == "payments");
  CHECK(active["annotations"]["summary"] == "MCP server is down.");
  CHECK(active["generatorURL"] == "http://127.0.0.1:9464/");
  const std::string first_ends = active["endsAt"];

  // The re-send moves endsAt forward while the alert fires.
  REQUIRE(Eventually(
      [&] { return ActiveAlert(port, "TargetDown", "shop").value("endsAt", "") != first_ends; },
      seconds(10)));
  CHECK(ActiveAlert(port, "TargetDown", "shop")["status"]["state"] == "active");

  REQUIRE(p.Tick(false, base + minutes(2)).transitions.size() == 1);
  // Gone well before its last endsAt (>= 6 s away): resolved by the resolve notice.
  REQUIRE(
      Eventually([&] { return ActiveAlert(port, "TargetDown", "shop").is_null(); }, seconds(4)));
  REQUIRE(Eventually([&] { return p.Pending() == 0; }, seconds(5)));

  storage::Database db = p.Reader();
  auto latest = LatestFiringDelivered(db, "am");
  REQUIRE(latest);
  CHECK(latest->empty());  // the newest row is the resolve: no more re-sends
  DispatcherStats stats = p.dispatcher->Stats();
  CHECK(stats.notifiers.at("am").delivered == 2);  // one firing, one resolved
  CHECK(stats.notifiers.at("am").failed == 0);
}

}  // namespace
}  // namespace mcpwatch::alerts::test
