#include "app/restore.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prober/modern_era.h"

namespace mcpwatch {
namespace {

PhaseDurations DurationsOfSample(const storage::LatencySample& s) {
  PhaseDurations d;
  for (const auto& step : s.steps) {
    if (!step.ok) continue;
    switch (step.step) {
      case Step::kInitialize:
        d[static_cast<std::size_t>(BaselinePhase::kInitialize)] = step.duration;
        break;
      case Step::kToolsList:
        d[static_cast<std::size_t>(BaselinePhase::kToolsList)] = step.duration;
        break;
      case Step::kToolCall:
        d[static_cast<std::size_t>(BaselinePhase::kToolCall)] = step.duration;
        break;
      case Step::kInitialized:
      case Step::kPing:
      case Step::kClose: break;
    }
  }
  if (s.total.count() > 0) d[static_cast<std::size_t>(BaselinePhase::kTotal)] = s.total;
  return d;
}

// The events each tracker remembers (what the alert rules read) and the deploys and drifts it
// names as the cause of later failures, over the longest horizon any tracker asks for: one
// query for every target, at most kMaxQueryLimit rows (the newest).
tl::expected<void, std::string> RestoreRecentEvents(
    storage::HistoryReader& reader, std::map<std::string, std::unique_ptr<TargetTracker>>& trackers,
    std::chrono::system_clock::time_point now) {
  std::chrono::seconds horizon{0};
  for (const auto& [name, tracker] : trackers) {
    horizon = std::max({horizon, tracker->recent_events_horizon(), tracker->cause_horizon()});
  }
  if (horizon <= std::chrono::seconds(0)) return {};
  auto events = reader.Events("", now - horizon, storage::kMaxQueryLimit);
  if (!events) return tl::unexpected("reading recent events: " + events.error());
  // The query answers newest first; trackers take them oldest first.
  for (auto e = events->rbegin(); e != events->rend(); ++e) {
    auto tracker = trackers.find(e->target);
    auto kind = ParseEventKind(e->kind);
    if (tracker == trackers.end() || !kind) continue;
    tracker->second->RestoreEvent(
        {e->target, *kind, e->at, nlohmann::json::parse(e->details, nullptr, false)});
  }
  return {};
}

}  // namespace

ProbeResult FromRunRow(const storage::RunRow& row) {
  ProbeResult r;
  r.target = row.target;
  r.started_at = row.started_at;
  r.verdict.cls = row.cls;
  r.verdict.error = row.error;
  r.verdict.diagnosis = row.diagnosis;
  Transcript& t = r.transcript;
  t.transport = row.transport == "sse" ? TransportKind::kSse : TransportKind::kStreamableHttp;
  t.protocol_version = row.protocol_version;
  // Every revision from 2026-07-28 on is stateless ("modern"); the era is not stored itself.
  t.era = !row.protocol_version.empty() && row.protocol_version >= kModernProtocolVersion
              ? ProtocolEra::kModern
              : ProtocolEra::kLegacy;
  t.server.name = row.server_name;
  t.server.version = row.server_version;
  t.tool_count = row.tool_count;
  t.tools_hash = row.tools_hash;
  t.timings = {row.dns, row.connect, row.tls, row.total};
  t.cert_not_after = row.cert_not_after;
  if (row.health_status) t.health = HealthRecord::Answered(*row.health_status);
  for (const auto& s : row.steps) {
    StepRecord rec;
    rec.step = s.step;
    rec.http_status = s.http_status;
    rec.jsonrpc_code = s.jsonrpc_code;
    rec.ttfb = s.ttfb;
    rec.duration = s.duration;
    // A stored failed step is known to have failed, not how: mark it so Ok() stays false.
    if (!s.ok) rec.finding = Finding::kNoResponse;
    t.steps.push_back(rec);
  }
  return r;
}

tl::expected<RestoredCounts, std::string> RestoreFromHistory(
    storage::HistoryReader& reader, std::map<std::string, std::unique_ptr<TargetTracker>>& trackers,
    std::chrono::system_clock::time_point now, std::chrono::milliseconds baseline_window) {
  RestoredCounts out;
  auto counts = reader.RunCounts();
  if (!counts) return tl::unexpected("reading run counts: " + counts.error());
  for (const auto& c : *counts) out.runs[{c.target, c.cls}] = c.total;

  auto last = reader.LastRuns();
  if (!last) return tl::unexpected("reading last runs: " + last.error());
  for (const auto& row : *last) {
    ProbeResult& run = out.last_runs[row.target] = FromRunRow(row);
    auto it = trackers.find(row.target);
    if (it != trackers.end()) it->second->RestoreLastRun(run);
  }

  auto states = reader.TargetStates();
  if (!states) return tl::unexpected("reading target states: " + states.error());
  // By name once, so each target finds its stored state without scanning all of them.
  std::unordered_map<std::string_view, const storage::TargetStateRecord*> state_of;
  state_of.reserve(states->size());
  for (const auto& st : *states) state_of.emplace(st.target, &st);

  for (const auto& [name, tracker] : trackers) {
    // Only the newest `capacity` samples can stay in the tracker's ring; reading more would
    // parse rows that are overwritten at once.
    auto samples =
        reader.SuccessfulLatencies(name, now - baseline_window, tracker->baseline_capacity());
    if (!samples) return tl::unexpected("reading baselines of " + name + ": " + samples.error());
    for (const auto& s : *samples)
      tracker->RestoreBaselineSample(s.started_at, DurationsOfSample(s));

    auto snapshot = reader.LatestSnapshot(name);
    if (snapshot && *snapshot) tracker->RestoreTools((*snapshot)->tools);

    auto state = state_of.find(name);
    if (state == state_of.end()) continue;
    auto parsed = ParseTargetState(state->second->state);
    if (!parsed) continue;
    auto recent =
        reader.RecentClasses(name, now - std::chrono::hours(24), TargetStateMachine::kMaxWindow);
    if (!recent) return tl::unexpected("reading recent runs of " + name + ": " + recent.error());
    std::reverse(recent->begin(), recent->end());  // the state machine wants oldest first
    tracker->RestoreState(*parsed, state->second->since, *recent);
  }

  auto remembered = RestoreRecentEvents(reader, trackers, now);
  if (!remembered) return tl::unexpected(remembered.error());

  auto events = reader.EventCounts();
  if (!events) return tl::unexpected("reading event counts: " + events.error());
  for (const auto& e : *events) {
    if (auto kind = ParseEventKind(e.kind)) out.events[{e.target, *kind}] += e.total;
  }
  return out;
}

}  // namespace mcpwatch
