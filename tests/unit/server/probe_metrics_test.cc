#include "server/probe_metrics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <regex>
#include <string>

#include "tests/unit/server/metrics_text.h"

namespace mcpwatch {
namespace {

using namespace std::chrono_literals;

using test::SampleValue;

constexpr const char* kPhases[] = {"resolve",    "connect",   "tls",  "initialize", "initialized",
                                   "tools_list", "tool_call", "ping", "close"};

StepRecord Passed(Step step, Micros duration) {
  StepRecord r;
  r.step = step;
  r.http_status = 200;
  r.duration = duration;
  return r;
}

ProbeResult OkRun(const std::string& target) {
  ProbeResult r;
  r.target = target;
  r.started_at = std::chrono::system_clock::time_point(1'700'000'000s);
  Transcript& t = r.transcript;
  t.protocol_version = "2025-06-18";
  t.server = {.name = "shop-mcp", .version = "1.2.0", .title = ""};
  t.tool_count = 7;
  t.tools_hash = "00000000000f" + std::string(52, '0');
  t.timings = {.dns = 1000us, .connect = 2000us, .tls = 3000us, .total = 250'000us};
  t.cert_not_after = std::chrono::system_clock::time_point(1'800'000'000s);
  t.steps = {Passed(Step::kInitialize, 40'000us), Passed(Step::kInitialized, 5'000us),
             Passed(Step::kToolsList, 30'000us), Passed(Step::kPing, 2'000us),
             Passed(Step::kClose, 1'000us)};
  return r;
}

ProbeResult RefusedRun(const std::string& target) {
  ProbeResult r;
  r.target = target;
  r.started_at = std::chrono::system_clock::time_point(1'700'000'060s);
  StepRecord step;
  step.step = Step::kInitialize;
  step.transport = TransportError::kConnectRefused;
  r.transcript.steps = {step};
  r.transcript.timings.total = 1'000us;
  r.verdict = {.cls = FailureClass::kConnectionRefused, .error = "refused", .diagnosis = ""};
  return r;
}

std::string Series(const std::string& name, const std::string& labels) {
  return name + "{" + labels + "}";
}

int CountLines(const std::string& text, const std::string& prefix) {
  int n = 0;
  size_t pos = 0;
  while ((pos = text.find("\n" + prefix, pos)) != std::string::npos) {
    ++n;
    ++pos;
  }
  return n;
}

TEST_CASE("AddTarget pre-initialises every class, phase, state and kind at 0") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  const std::string text = metrics.ExpositionText();

  for (FailureClass c : kAllFailureClasses) {
    INFO(ToString(c));
    const std::string series = Series("probe_mcp_runs_total",
                                      "class=\"" + std::string(ToString(c)) + "\",target=\"shop\"");
    if (IsAuthHealth(c)) {
      CHECK(std::isnan(SampleValue(text, series)));  // shop has no auth: configured
    } else {
      CHECK(SampleValue(text, series) == 0.0);
    }
  }
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}, .auth = true});
  const std::string with_auth = metrics.ExpositionText();
  for (FailureClass c : kAllFailureClasses) {
    INFO(ToString(c));
    CHECK(SampleValue(with_auth,
                      Series("probe_mcp_runs_total",
                             "class=\"" + std::string(ToString(c)) + "\",target=\"shop\"")) == 0.0);
  }
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  for (const char* phase : kPhases) {
    INFO(phase);
    CHECK(SampleValue(text, Series("probe_mcp_duration_seconds",
                                   "phase=\"" + std::string(phase) + "\",target=\"shop\"")) == 0.0);
  }
  for (BaselinePhase p : kAllBaselinePhases) {
    const std::string labels = "phase=\"" + std::string(ToString(p)) + "\",target=\"shop\"";
    CHECK(SampleValue(text, Series("probe_mcp_phase_duration_seconds_count", labels)) == 0.0);
    CHECK(SampleValue(text, Series("probe_mcp_phase_duration_seconds_bucket",
                                   labels + ",le=\"30\"")) == 0.0);
  }
  for (TargetState s : kAllTargetStates) {
    const double expected = s == TargetState::kUnknown ? 1.0 : 0.0;
    CHECK(SampleValue(text, Series("probe_mcp_state", "state=\"" + std::string(ToString(s)) +
                                                          "\",target=\"shop\"")) == expected);
  }
  for (EventKind k : kAllEventKinds) {
    const std::string series = Series("probe_mcp_events_total",
                                      "kind=\"" + std::string(ToString(k)) + "\",target=\"shop\"");
    if (IsOptInEventKind(k)) {
      CHECK(text.find(series) == std::string::npos);  // only once an opt-in check reported one
    } else {
      CHECK(SampleValue(text, series) == 0.0);
    }
  }
  CHECK(SampleValue(text, "probe_success{target=\"shop\"}") == 0.0);
  CHECK(SampleValue(text, "probe_mcp_interval_seconds{target=\"shop\"}") == 60.0);
  CHECK(SampleValue(text, "probe_mcp_maintenance{target=\"shop\"}") == 0.0);
  CHECK(SampleValue(text, "probe_mcp_tools_hash{target=\"shop\"}") == 0.0);
  // Only known facts become series: no identity, certificate or baseline before they exist.
  CHECK(text.find("probe_mcp_server_info{") == std::string::npos);
  CHECK(text.find("probe_ssl_earliest_cert_expiry{") == std::string::npos);
  CHECK(text.find("probe_mcp_latency_baseline_seconds{") == std::string::npos);
  CHECK(text.find("location=") == std::string::npos);
}

TEST_CASE("ObserveRun sets the last-run gauges, counts the class and fills the histograms") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 30s, .labels = {}});
  REQUIRE(metrics.ObserveRun(OkRun("shop")));
  std::string text = metrics.ExpositionText();

  CHECK(SampleValue(text, "probe_success{target=\"shop\"}") == 1.0);
  CHECK(SampleValue(text, "probe_duration_seconds{target=\"shop\"}") == Approx(0.25));
  CHECK(SampleValue(text, "probe_mcp_duration_seconds{phase=\"tls\",target=\"shop\"}") ==
        Approx(0.003));
  CHECK(SampleValue(text, "probe_mcp_duration_seconds{phase=\"initialize\",target=\"shop\"}") ==
        Approx(0.04));
  CHECK(SampleValue(text, "probe_mcp_duration_seconds{phase=\"tool_call\",target=\"shop\"}") ==
        0.0);
  CHECK(SampleValue(text, "probe_mcp_runs_total{class=\"ok\",target=\"shop\"}") == 1.0);
  CHECK(SampleValue(text, "probe_mcp_tools{target=\"shop\"}") == 7.0);
  CHECK(SampleValue(text, "probe_mcp_tools_hash{target=\"shop\"}") == 15.0);
  CHECK(SampleValue(text, "probe_mcp_last_run_timestamp_seconds{target=\"shop\"}") ==
        Approx(1.7e9));
  CHECK(SampleValue(text, "probe_ssl_earliest_cert_expiry{target=\"shop\"}") == Approx(1.8e9));
  CHECK(SampleValue(text,
                    "probe_mcp_server_info{name=\"shop-mcp\",protocol_version=\"2025-06-18\","
                    "target=\"shop\",transport=\"streamable-http\",version=\"1.2.0\"}") == 1.0);
  CHECK(SampleValue(text,
                    "probe_mcp_phase_duration_seconds_count{phase=\"initialize\","
                    "target=\"shop\"}") == 1.0);
  CHECK(SampleValue(text,
                    "probe_mcp_phase_duration_seconds_bucket{phase=\"initialize\","
                    "target=\"shop\",le=\"0.025\"}") == 0.0);
  CHECK(SampleValue(text,
                    "probe_mcp_phase_duration_seconds_bucket{phase=\"initialize\","
                    "target=\"shop\",le=\"0.05\"}") == 1.0);
  CHECK(SampleValue(text,
                    "probe_mcp_phase_duration_seconds_count{phase=\"total\","
                    "target=\"shop\"}") == 1.0);
  // No tool call ran, so its histogram stays empty.
  CHECK(SampleValue(text,
                    "probe_mcp_phase_duration_seconds_count{phase=\"tool_call\","
                    "target=\"shop\"}") == 0.0);

  SECTION("a failed run resets what it did not reach and keeps the known identity") {
    REQUIRE(metrics.ObserveRun(RefusedRun("shop")));
    text = metrics.ExpositionText();
    CHECK(SampleValue(text, "probe_success{target=\"shop\"}") == 0.0);
    CHECK(SampleValue(text, "probe_mcp_runs_total{class=\"connection_refused\",target=\"shop\"}") ==
          1.0);
    CHECK(SampleValue(text, "probe_mcp_runs_total{class=\"ok\",target=\"shop\"}") == 1.0);
    CHECK(SampleValue(text, "probe_mcp_duration_seconds{phase=\"tools_list\",target=\"shop\"}") ==
          0.0);
    CHECK(SampleValue(text, "probe_mcp_tools{target=\"shop\"}") == 0.0);
    CHECK(SampleValue(text, "probe_mcp_tools_hash{target=\"shop\"}") == 0.0);
    // The refusal's 1 ms is not a healthy total.
    CHECK(SampleValue(text,
                      "probe_mcp_phase_duration_seconds_count{phase=\"total\","
                      "target=\"shop\"}") == 1.0);
    CHECK(CountLines(text, "probe_mcp_server_info{") == 1);
    CHECK(SampleValue(text, "probe_ssl_earliest_cert_expiry{target=\"shop\"}") == Approx(1.8e9));
  }
}

TEST_CASE("the OAuth refresh token expiry is a gauge only while it is known") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}, .auth = true});
  const std::string series = "probe_mcp_auth_refresh_expiry_timestamp_seconds{target=\"shop\"}";
  CHECK(std::isnan(SampleValue(metrics.ExpositionText(), series)));
  const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1'900'000'000));
  CHECK(metrics.SetAuthRefreshExpiry("shop", at));
  CHECK(SampleValue(metrics.ExpositionText(), series) == Approx(1.9e9));
  CHECK(metrics.SetAuthRefreshExpiry("shop", std::nullopt));  // a new refresh token, no lifetime
  CHECK(std::isnan(SampleValue(metrics.ExpositionText(), series)));
  CHECK_FALSE(metrics.SetAuthRefreshExpiry("unknown", at));
}

TEST_CASE("server_info is replaced, not added, when a value changes") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  ProbeResult run = OkRun("shop");
  metrics.ObserveRun(run);
  run.transcript.server.version = "1.3.0";
  metrics.ObserveRun(run);
  const std::string text = metrics.ExpositionText();
  CHECK(CountLines(text, "probe_mcp_server_info{") == 1);
  CHECK(text.find("version=\"1.3.0\"") != std::string::npos);
  CHECK(text.find("version=\"1.2.0\"") == std::string::npos);
}

TEST_CASE("server-reported label values are bounded and made valid UTF-8") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  ProbeResult run = OkRun("shop");
  run.transcript.server.name = std::string(300, 'n');
  run.transcript.server.version = "1.0\xff\n";
  metrics.ObserveRun(run);
  const std::string text = metrics.ExpositionText();
  CHECK(text.find("name=\"" + std::string(128, 'n') + "\"") != std::string::npos);
  CHECK(text.find(std::string(129, 'n')) == std::string::npos);
  CHECK(text.find("version=\"1.0??\"") != std::string::npos);
}

TEST_CASE("restored counters continue from stored totals, restored gauges count nothing") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  REQUIRE(metrics.RestoreRunCount("shop", FailureClass::kOk, 41));
  REQUIRE(metrics.RestoreRunCount("shop", FailureClass::kOk, 41));  // idempotent
  REQUIRE(metrics.RestoreEventCount("shop", EventKind::kDeploy, 3));
  REQUIRE(metrics.RestoreLastRun(OkRun("shop")));
  std::string text = metrics.ExpositionText();
  CHECK(SampleValue(text, "probe_mcp_runs_total{class=\"ok\",target=\"shop\"}") == 41.0);
  CHECK(SampleValue(text, "probe_mcp_events_total{kind=\"deploy\",target=\"shop\"}") == 3.0);
  CHECK(SampleValue(text, "probe_success{target=\"shop\"}") == 1.0);
  CHECK(SampleValue(text, "probe_mcp_tools{target=\"shop\"}") == 7.0);
  CHECK(SampleValue(text,
                    "probe_mcp_phase_duration_seconds_count{phase=\"total\","
                    "target=\"shop\"}") == 0.0);

  metrics.ObserveRun(OkRun("shop"));
  metrics.CountEvent("shop", EventKind::kDeploy);
  text = metrics.ExpositionText();
  CHECK(SampleValue(text, "probe_mcp_runs_total{class=\"ok\",target=\"shop\"}") == 42.0);
  CHECK(SampleValue(text, "probe_mcp_events_total{kind=\"deploy\",target=\"shop\"}") == 4.0);
}

TEST_CASE("the location label is present only when the instance has a location") {
  ProbeMetrics located("eu-west");
  located.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  located.ObserveRun(OkRun("shop"));
  const std::string text = located.ExpositionText();
  CHECK(SampleValue(text, "probe_success{location=\"eu-west\",target=\"shop\"}") == 1.0);
  CHECK(SampleValue(text,
                    "probe_mcp_runs_total{class=\"ok\",location=\"eu-west\","
                    "target=\"shop\"}") == 1.0);
  // Every sample line of a probe_ metric carries the location.
  std::regex probe_line("^probe_[a-z_]+\\{(.*)\\} ");
  std::istringstream lines(text);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, probe_line)) continue;
    ++checked;
    CHECK(m[1].str().find("location=\"eu-west\"") != std::string::npos);
  }
  CHECK(checked > 60);
}

TEST_CASE("calls about unknown targets are ignored and create no series") {
  ProbeMetrics metrics("");
  CHECK_FALSE(metrics.ObserveRun(OkRun("adhoc")));
  CHECK_FALSE(metrics.SetState("adhoc", TargetState::kUp));
  CHECK_FALSE(metrics.SetMaintenance("adhoc", true));
  CHECK_FALSE(metrics.CountEvent("adhoc", EventKind::kDeploy));
  CHECK(metrics.ExpositionText().find("adhoc") == std::string::npos);
}

TEST_CASE("RemoveTarget drops every series of the target and only those") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  metrics.AddTarget({.name = "api", .interval = 60s, .labels = {}});
  metrics.ObserveRun(OkRun("shop"));
  metrics.SetBaseline("shop", BaselinePhase::kTotal, 200ms);
  metrics.RemoveTarget("shop");
  const std::string text = metrics.ExpositionText();
  CHECK(text.find("target=\"shop\"") == std::string::npos);
  CHECK(SampleValue(text, "probe_success{target=\"api\"}") == 0.0);
  CHECK_FALSE(metrics.ObserveRun(OkRun("shop")));
}

TEST_CASE("state, baseline and maintenance gauges") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  metrics.SetState("shop", TargetState::kDown);
  metrics.SetMaintenance("shop", true);
  metrics.SetBaseline("shop", BaselinePhase::kToolCall, 150ms);
  std::string text = metrics.ExpositionText();
  CHECK(SampleValue(text, "probe_mcp_state{state=\"down\",target=\"shop\"}") == 1.0);
  CHECK(SampleValue(text, "probe_mcp_state{state=\"unknown\",target=\"shop\"}") == 0.0);
  CHECK(SampleValue(text, "probe_mcp_maintenance{target=\"shop\"}") == 1.0);
  CHECK(SampleValue(text,
                    "probe_mcp_latency_baseline_seconds{phase=\"tool_call\","
                    "target=\"shop\"}") == Approx(0.15));
  metrics.SetBaseline("shop", BaselinePhase::kToolCall, std::nullopt);
  text = metrics.ExpositionText();
  CHECK(text.find("probe_mcp_latency_baseline_seconds{") == std::string::npos);
}

TEST_CASE("configured labels go on every series, a label change keeps the values") {
  ProbeMetrics metrics("");
  metrics.AddTarget(
      {.name = "shop", .interval = 60s, .labels = {{"team", "payments"}, {"class", "x"}}});
  metrics.ObserveRun(OkRun("shop"));
  metrics.SetState("shop", TargetState::kUp);
  metrics.SetBaseline("shop", BaselinePhase::kTotal, 200ms);
  std::string text = metrics.ExpositionText();
  CHECK(SampleValue(text, "probe_success{target=\"shop\",team=\"payments\"}") == 1.0);
  // "class" is ours: the configured label by that name is skipped.
  CHECK(SampleValue(text,
                    "probe_mcp_runs_total{class=\"ok\",target=\"shop\","
                    "team=\"payments\"}") == 1.0);

  SECTION("same labels, new interval") {
    metrics.AddTarget(
        {.name = "shop", .interval = 30s, .labels = {{"team", "payments"}, {"class", "x"}}});
    text = metrics.ExpositionText();
    CHECK(SampleValue(text, "probe_mcp_interval_seconds{target=\"shop\",team=\"payments\"}") ==
          30.0);
    CHECK(SampleValue(text, "probe_mcp_state{state=\"up\",target=\"shop\",team=\"payments\"}") ==
          1.0);
  }
  SECTION("new labels") {
    metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {{"team", "checkout"}}});
    metrics.ObserveRun(OkRun("shop"));
    text = metrics.ExpositionText();
    CHECK(text.find("payments") == std::string::npos);
    const std::string labels = "target=\"shop\",team=\"checkout\"";
    CHECK(SampleValue(text, "probe_mcp_runs_total{class=\"ok\"," + labels + "}") == 2.0);
    CHECK(SampleValue(text, "probe_mcp_state{state=\"up\"," + labels + "}") == 1.0);
    CHECK(SampleValue(text, "probe_mcp_phase_duration_seconds_count{phase=\"total\"," + labels +
                                "}") == 2.0);
    CHECK(SampleValue(text, "probe_mcp_latency_baseline_seconds{phase=\"total\"," + labels + "}") ==
          Approx(0.2));
    CHECK(CountLines(text, "probe_mcp_server_info{") == 1);
    CHECK(SampleValue(text, "probe_ssl_earliest_cert_expiry{" + labels + "}") == Approx(1.8e9));
  }
}

}  // namespace
}  // namespace mcpwatch

namespace mcpwatch {
namespace {

// Issue 11: the health endpoint's answer is one gauge, and only for a target that has a
// health_url (its runs carry a health record); other targets get no series.
TEST_CASE("probe_mcp_health_status_code exists only for runs with a health record") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "plain", .interval = 60s, .labels = {}});
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  REQUIRE(metrics.ObserveRun(OkRun("plain")));
  ProbeResult failing = RefusedRun("shop");
  failing.transcript.health = HealthRecord::Answered(200);
  REQUIRE(metrics.ObserveRun(failing));
  std::string text = metrics.ExpositionText();
  CHECK(SampleValue(text, "probe_mcp_health_status_code{target=\"shop\"}") == 200.0);
  CHECK(text.find("probe_mcp_health_status_code{target=\"plain\"}") == std::string::npos);
  failing.transcript.health = HealthRecord::Answered(0);
  failing.transcript.health->transport = TransportError::kConnectRefused;
  REQUIRE(metrics.ObserveRun(failing));
  CHECK(SampleValue(metrics.ExpositionText(), "probe_mcp_health_status_code{target=\"shop\"}") ==
        0.0);
}

}  // namespace
}  // namespace mcpwatch

namespace mcpwatch {
namespace {

// Issue 11: the rate limit gauge exists only for a target whose rate_limit_check concluded, and
// the opt-in event kind's counter only once one happened.
TEST_CASE("probe_mcp_rate_limit_enforced and the opt-in event counter appear only when known") {
  ProbeMetrics metrics("");
  metrics.AddTarget({.name = "shop", .interval = 60s, .labels = {}});
  std::string text = metrics.ExpositionText();
  CHECK(text.find("probe_mcp_rate_limit_enforced{") == std::string::npos);
  CHECK(text.find("kind=\"rate_limit_not_enforced\"") == std::string::npos);
  REQUIRE(metrics.SetRateLimitEnforced("shop", false));
  REQUIRE(metrics.CountEvent("shop", EventKind::kRateLimitNotEnforced));
  text = metrics.ExpositionText();
  CHECK(SampleValue(text, "probe_mcp_rate_limit_enforced{target=\"shop\"}") == 0.0);
  CHECK(SampleValue(text,
                    "probe_mcp_events_total{kind=\"rate_limit_not_enforced\",target=\"shop\"}") ==
        1.0);
  REQUIRE(metrics.SetRateLimitEnforced("shop", true));
  CHECK(SampleValue(metrics.ExpositionText(), "probe_mcp_rate_limit_enforced{target=\"shop\"}") ==
        1.0);
  CHECK_FALSE(metrics.SetRateLimitEnforced("nope", true));
}

}  // namespace
}  // namespace mcpwatch
