#include "alerts/rules.h"

#include <algorithm>

#include "base/parse_by_name.h"
#include "checks/health_check.h"

namespace mcpwatch::alerts {

namespace {

using std::chrono::duration_cast;

bool IsSessionFailure(FailureClass c) {
  return c == FailureClass::kInitializeFailure || c == FailureClass::kProtocolError ||
         c == FailureClass::kSessionError;
}

bool IsToolFailure(FailureClass c) {
  return c == FailureClass::kToolError || c == FailureClass::kToolMissing;
}

bool IsAuthDiscovery(FailureClass c) {
  return c == FailureClass::kAuthDiscoveryError;
}
bool IsAuthServerDown(FailureClass c) {
  return c == FailureClass::kAuthServerUnavailable;
}
bool IsAuthRejected(FailureClass c) {
  return c == FailureClass::kAuthCredentialsRejected;
}
bool IsAnyAuthHealth(FailureClass c) {
  return IsAuthHealth(c);
}

// The last kLayerRuns runs all satisfy `pred`.
bool LastRunsAre(const TargetSnapshot& t, bool (*pred)(FailureClass)) {
  const auto& runs = t.recent_classes;
  if (runs.size() < static_cast<size_t>(kLayerRuns)) return false;
  return std::all_of(runs.end() - kLayerRuns, runs.end(), pred);
}

std::string LastClassText(const TargetSnapshot& t) {
  return t.last_class ? std::string(ToString(*t.last_class)) : std::string("none");
}

// The failure's cause when the tracker named one (a deploy or drift just before it, issue 11),
// then the server's own words: "...: tool calls failing since deploy 1.0.0 → 2.0.0 at ...,
// which changed the tools: tool add removed. Last error: ...". A failed run's diagnosis is
// only ever that cause; a latency spike's is read by LatencySpike itself.
std::string WithError(std::string text, const TargetSnapshot& t) {
  const bool cause = !t.last_diagnosis.empty() && t.last_class && !IsSuccess(*t.last_class);
  if (cause) {
    text += ": " + t.last_diagnosis;
    if (!t.last_error.empty()) text += ". Last error: " + t.last_error;
  } else if (!t.last_error.empty()) {
    text += ": " + t.last_error;
  }
  return text;
}

// The newest event of `kind` at or after `since` whose details pass `accept`.
const Event* NewestEvent(const TargetSnapshot& t, EventKind kind, TimePoint since,
                         bool (*accept)(const nlohmann::json&)) {
  const Event* newest = nullptr;
  for (const Event& e : t.recent_events) {
    if (e.kind != kind || e.at < since || !accept(e.details)) continue;
    if (newest == nullptr || e.at > newest->at) newest = &e;
  }
  return newest;
}

std::string DetailString(const nlohmann::json& details, const char* key) {
  if (!details.is_object()) return "";
  auto it = details.find(key);
  return it != details.end() && it->is_string() ? it->get<std::string>() : "";
}

bool AnyDetails(const nlohmann::json&) {
  return true;
}

bool IsRegression(const nlohmann::json& d) {
  if (!d.is_object()) return true;
  auto it = d.find("regressed");
  return it == d.end() || !it->is_boolean() || it->get<bool>();
}

bool IsSevereDrift(const nlohmann::json& d) {
  std::string grade = DetailString(d, "grade");
  return grade == "breaking" || grade == "security";
}

long long Days(std::chrono::system_clock::duration d) {
  return duration_cast<std::chrono::hours>(d).count() / 24;
}

RuleOutcome Active(std::string description) {
  RuleOutcome out;
  out.active = true;
  out.description = std::move(description);
  return out;
}

RuleOutcome Judge(RuleId id, const TargetSnapshot& t, const RuleContext& ctx) {
  const std::string& name = t.name;
  switch (id) {
    case RuleId::kTargetDown:
      if (t.state != TargetState::kDown || LastRunsAre(t, IsSessionFailure) ||
          LastRunsAre(t, IsToolFailure) || LastRunsAre(t, IsAnyAuthHealth)) {
        return {};
      }
      return Active(WithError(name + " is down since " + FormatTimestamp(t.state_since) +
                                  " (last class " + LastClassText(t) + ")",
                              t));
    case RuleId::kInitializeFailing:
      if (!LastRunsAre(t, IsSessionFailure)) return {};
      return Active(WithError(
          name + " answers HTTP but the MCP session fails (" + LastClassText(t) + ")", t));
    case RuleId::kToolCallsFailing:
      if (!LastRunsAre(t, IsToolFailure)) return {};
      return Active(WithError(
          name + " initializes but its synthetic tool call fails (" + LastClassText(t) + ")", t));
    case RuleId::kLatencySpike:
      if (t.state != TargetState::kDegraded) return {};
      return Active(name + " is slower than its baseline since " + FormatTimestamp(t.state_since) +
                    (t.last_diagnosis.empty() ? "" : ": " + t.last_diagnosis));
    case RuleId::kSchemaDrift: {
      if (t.schema_accepted) return {};
      const Event* e =
          NewestEvent(t, EventKind::kSchemaDrift, ctx.now - kDriftWindow, IsSevereDrift);
      if (e == nullptr) return {};
      RuleOutcome out =
          Active(name + " changed its tool list (" + DetailString(e->details, "summary") +
                 "); accept the new schema to resolve");
      out.drift = e->details;
      return out;
    }
    case RuleId::kDeployRegression: {
      const Event* e =
          NewestEvent(t, EventKind::kDeployRegression, ctx.now - kEventWindow, IsRegression);
      if (e == nullptr) return {};
      return Active(name + " got worse after a deploy at " + FormatTimestamp(e->at) + ": " +
                    DetailString(e->details, "reason"));
    }
    case RuleId::kCrashLoop: {
      const Event* e = NewestEvent(t, EventKind::kCrashLoop, ctx.now - kEventWindow, AnyDetails);
      if (e == nullptr) return {};
      return Active(name + " keeps restarting (crash loop detected at " + FormatTimestamp(e->at) +
                    ")");
    }
    case RuleId::kCertificateExpiring: {
      if (!t.cert_not_after) return {};
      auto left = *t.cert_not_after - ctx.now;
      if (left >= kCertWarning) return {};
      std::string when = left <= std::chrono::system_clock::duration::zero()
                             ? "expired at "
                             : "expires in " + std::to_string(Days(left)) + " days at ";
      return Active(name + "'s TLS certificate " + when + FormatTimestamp(*t.cert_not_after));
    }
    case RuleId::kHealthGreenMcpFailing: {
      // Down (so confirmed, never one lost run) while the last run's health answer was 2xx.
      const ProbeResult* run = t.last_run.get();
      if (t.state != TargetState::kDown || run == nullptr || !run->transcript.health ||
          !run->transcript.health->Green() || run->Success()) {
        return {};
      }
      return Active(name + "'s own health endpoint answers " +
                    HealthAnswer(*run->transcript.health) + " while its MCP runs fail (" +
                    LastClassText(t) + "): internal checks pass, the MCP path does not" +
                    (t.last_error.empty() ? "" : ". Last error: " + t.last_error));
    }
    case RuleId::kRateLimitNotEnforced: {
      // Told once per episode by the check; the alert stands for an hour, like SchemaDrift.
      const Event* e =
          NewestEvent(t, EventKind::kRateLimitNotEnforced, ctx.now - kDriftWindow, AnyDetails);
      if (e == nullptr) return {};
      return Active(name + "'s " + DetailString(e->details, "summary") + " (at " +
                    FormatTimestamp(e->at) + ")");
    }
    case RuleId::kProberStale: {
      TimePoint reference = std::max(t.last_run_at, ctx.daemon_started_at);
      if (ctx.now - reference <= kStaleIntervals * t.interval) return {};
      std::string last =
          t.last_run_at == TimePoint{} ? std::string("never") : FormatTimestamp(t.last_run_at);
      return Active(name + " has not been probed for " + std::to_string(kStaleIntervals) +
                    " intervals (last run " + last + "); the scheduler may be stuck");
    }
    case RuleId::kAuthDiscoveryFailing:
      if (!LastRunsAre(t, IsAuthDiscovery)) return {};
      return Active(
          WithError(name + "'s OAuth metadata is missing or invalid, so no token can be had", t));
    case RuleId::kAuthServerUnavailable:
      if (!LastRunsAre(t, IsAuthServerDown)) return {};
      return Active(WithError(name + "'s authorization server does not issue tokens", t));
    case RuleId::kAuthCredentialsRejected:
      if (!LastRunsAre(t, IsAuthRejected)) return {};
      return Active(WithError(
          name + "'s credentials are missing, rejected or revoked; a person must act", t));
    case RuleId::kAuthRefreshExpiring: {
      if (!t.auth_refresh_expires_at) return {};
      auto left = *t.auth_refresh_expires_at - ctx.now;
      if (left >= kAuthRefreshWarning) return {};
      std::string when = left <= std::chrono::system_clock::duration::zero()
                             ? "expired at "
                             : "expires in " +
                                   std::to_string(duration_cast<std::chrono::hours>(left).count()) +
                                   " hours at ";
      return Active(name + "'s OAuth refresh token " + when +
                    FormatTimestamp(*t.auth_refresh_expires_at) +
                    "; run mcpwatch auth login before then");
    }
  }
  return {};
}

}  // namespace

bool RulesReadEvent(EventKind k) {
  return k == EventKind::kSchemaDrift || k == EventKind::kDeployRegression ||
         k == EventKind::kCrashLoop || k == EventKind::kRateLimitNotEnforced;
}

std::string_view ToString(RuleId r) {
  switch (r) {
    case RuleId::kTargetDown: return kRuleNames[0];
    case RuleId::kInitializeFailing: return kRuleNames[1];
    case RuleId::kToolCallsFailing: return kRuleNames[2];
    case RuleId::kLatencySpike: return kRuleNames[3];
    case RuleId::kSchemaDrift: return kRuleNames[4];
    case RuleId::kDeployRegression: return kRuleNames[5];
    case RuleId::kCrashLoop: return kRuleNames[6];
    case RuleId::kCertificateExpiring: return kRuleNames[7];
    case RuleId::kProberStale: return kRuleNames[8];
    case RuleId::kHealthGreenMcpFailing: return kRuleNames[9];
    case RuleId::kAuthDiscoveryFailing: return kRuleNames[10];
    case RuleId::kAuthServerUnavailable: return kRuleNames[11];
    case RuleId::kAuthCredentialsRejected: return kRuleNames[12];
    case RuleId::kAuthRefreshExpiring: return kRuleNames[13];
    case RuleId::kRateLimitNotEnforced: return kRuleNames[14];
  }
  return kRuleNames[0];
}

std::optional<RuleId> ParseRuleId(std::string_view s) {
  return ParseByName(kAllRules, s);
}

std::string_view ToString(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kCritical: return "critical";
  }
  return "critical";
}

std::optional<Severity> ParseSeverity(std::string_view s) {
  return ParseByName(kAllSeverities, s);
}

RuleSpec DefaultRule(RuleId id) {
  RuleSpec spec;
  spec.id = id;
  switch (id) {
    case RuleId::kTargetDown:
    case RuleId::kInitializeFailing:
    case RuleId::kToolCallsFailing:
    case RuleId::kDeployRegression:
    case RuleId::kCrashLoop:
    case RuleId::kProberStale: spec.severity = Severity::kCritical; break;
    case RuleId::kLatencySpike:
      spec.severity = Severity::kWarning;
      spec.for_duration = std::chrono::minutes(5);
      break;
    case RuleId::kSchemaDrift:
    case RuleId::kCertificateExpiring:
    case RuleId::kHealthGreenMcpFailing:
    case RuleId::kRateLimitNotEnforced:
    // The monitor's own access failed; the server may be healthy. Warning, so it reaches the
    // people who own the credential without paging as an outage (docs/alerts.md).
    case RuleId::kAuthDiscoveryFailing:
    case RuleId::kAuthServerUnavailable:
    case RuleId::kAuthCredentialsRejected:
    case RuleId::kAuthRefreshExpiring: spec.severity = Severity::kWarning; break;
  }
  return spec;
}

std::vector<RuleSpec> EffectiveRules(const AlertingConfig& config) {
  std::vector<RuleSpec> rules;
  rules.reserve(kAllRules.size());
  for (RuleId id : kAllRules) rules.push_back(DefaultRule(id));
  for (const RuleOverride& o : config.rules) {
    auto id = ParseRuleId(o.name);
    if (!id) continue;  // the config validator rejects unknown names
    RuleSpec& spec = rules[static_cast<size_t>(*id)];
    if (o.for_duration) spec.for_duration = *o.for_duration;
    if (o.severity) {
      if (auto sev = ParseSeverity(*o.severity)) spec.severity = *sev;
    }
    if (o.enabled) spec.enabled = *o.enabled;
  }
  return rules;
}

std::string_view Summary(RuleId id) {
  switch (id) {
    case RuleId::kTargetDown: return "MCP server is down.";
    case RuleId::kInitializeFailing: return "MCP session setup is failing.";
    case RuleId::kToolCallsFailing: return "MCP tool calls are failing.";
    case RuleId::kLatencySpike: return "MCP server is much slower than its baseline.";
    case RuleId::kSchemaDrift: return "MCP tool list changed incompatibly.";
    case RuleId::kDeployRegression: return "A deploy made the MCP server worse.";
    case RuleId::kCrashLoop: return "MCP server is crash-looping.";
    case RuleId::kCertificateExpiring: return "TLS certificate expires soon.";
    case RuleId::kProberStale: return "mcpwatch has stopped probing a target.";
    case RuleId::kHealthGreenMcpFailing:
      return "MCP server fails while its own health endpoint says healthy.";
    case RuleId::kAuthDiscoveryFailing: return "OAuth discovery for an MCP target is failing.";
    case RuleId::kAuthServerUnavailable:
      return "The authorization server of an MCP target is unavailable.";
    case RuleId::kAuthCredentialsRejected:
      return "mcpwatch's credentials for an MCP target are rejected or revoked.";
    case RuleId::kAuthRefreshExpiring:
      return "mcpwatch's OAuth refresh token for an MCP target expires soon.";
    case RuleId::kRateLimitNotEnforced:
      return "MCP server's rate limiter is not enforcing its declared limit.";
  }
  return "";
}

RuleOutcome EvaluateRule(const RuleSpec& spec, const TargetSnapshot& target,
                         const RuleContext& context) {
  if (!spec.enabled) return {};
  RuleOutcome out = Judge(spec.id, target, context);
  out.severity = spec.severity;
  if (out.active && spec.id == RuleId::kCertificateExpiring && target.cert_not_after &&
      *target.cert_not_after - context.now < kCertCritical) {
    out.severity = Severity::kCritical;
  }
  if (out.active && spec.id == RuleId::kAuthRefreshExpiring && target.auth_refresh_expires_at &&
      *target.auth_refresh_expires_at - context.now < kAuthRefreshCritical) {
    out.severity = Severity::kCritical;
  }
  return out;
}

}  // namespace mcpwatch::alerts
