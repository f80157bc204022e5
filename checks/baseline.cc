#include "checks/baseline.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mcpwatch {
namespace {

constexpr int kMaxCapacity = 4096;

uint32_t ToUnixSeconds(std::chrono::system_clock::time_point t) {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return static_cast<uint32_t>(std::clamp<int64_t>(s, 0, std::numeric_limits<uint32_t>::max()));
}

int32_t ToStoredMicros(std::chrono::microseconds d) {
  return static_cast<int32_t>(
      std::clamp<int64_t>(d.count(), 0, std::numeric_limits<int32_t>::max()));
}

// Median of v (reordered in place); the mean of the two middle values for an even count.
int64_t MedianOf(std::vector<int64_t>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const int64_t upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const int64_t lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

std::optional<std::chrono::microseconds> StepDuration(const ProbeResult& r, Step s) {
  const StepRecord* rec = r.transcript.Find(s);
  if (rec == nullptr || !rec->Ok()) return std::nullopt;
  return rec->duration;
}

}  // namespace

std::string_view ToString(BaselinePhase p) {
  switch (p) {
    case BaselinePhase::kInitialize: return "initialize";
    case BaselinePhase::kToolsList: return "tools_list";
    case BaselinePhase::kToolCall: return "tool_call";
    case BaselinePhase::kTotal: return "total";
  }
  return "total";  // unreachable: every enumerator is handled above
}

PhaseDurations DurationsOf(const ProbeResult& r) {
  PhaseDurations d;
  d[static_cast<size_t>(BaselinePhase::kInitialize)] = StepDuration(r, Step::kInitialize);
  d[static_cast<size_t>(BaselinePhase::kToolsList)] = StepDuration(r, Step::kToolsList);
  d[static_cast<size_t>(BaselinePhase::kToolCall)] = StepDuration(r, Step::kToolCall);
  if (r.transcript.timings.total.count() > 0) {
    d[static_cast<size_t>(BaselinePhase::kTotal)] = r.transcript.timings.total;
  }
  return d;
}

BaselineTracker::BaselineTracker(BaselineOptions options) : options_(options) {
  options_.capacity = std::clamp(options_.capacity, 1, kMaxCapacity);
}

void BaselineTracker::Add(const ProbeResult& r) {
  Expire(r.started_at);
  if (r.verdict.cls != FailureClass::kOk) return;
  AddDurations(r.started_at, DurationsOf(r));
}

void BaselineTracker::AddDurations(std::chrono::system_clock::time_point at,
                                   const PhaseDurations& d) {
  Expire(at);
  Sample s;
  s.at_s = ToUnixSeconds(at);
  bool any = false;
  for (size_t i = 0; i < d.size(); ++i) {
    s.us[i] = d[i] ? ToStoredMicros(*d[i]) : -1;
    any = any || d[i].has_value();
  }
  if (!any) return;
  if (ring_.size() < static_cast<size_t>(options_.capacity)) {
    ring_.push_back(s);
  } else {
    ring_[next_] = s;
    next_ = (next_ + 1) % ring_.size();
  }
  cache_.fill(std::nullopt);
}

void BaselineTracker::Expire(std::chrono::system_clock::time_point now) {
  const uint32_t cutoff = ToUnixSeconds(now - options_.window);
  const auto old = [cutoff](const Sample& s) { return s.at_s < cutoff; };
  if (std::none_of(ring_.begin(), ring_.end(), old)) return;
  // Put the ring in oldest-first order, drop the expired samples, and keep appending after.
  std::rotate(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(next_), ring_.end());
  ring_.erase(std::remove_if(ring_.begin(), ring_.end(), old), ring_.end());
  next_ = 0;
  cache_.fill(std::nullopt);
}

PhaseBaseline BaselineTracker::Baseline(BaselinePhase phase) const {
  auto& slot = cache_[static_cast<size_t>(phase)];
  if (!slot) slot = Compute(phase);
  return *slot;
}

bool BaselineTracker::Ready(BaselinePhase phase, int min_samples) const {
  return Baseline(phase).samples >= min_samples;
}

PhaseBaseline BaselineTracker::Compute(BaselinePhase phase) const {
  const size_t idx = static_cast<size_t>(phase);
  std::vector<int64_t> values;
  values.reserve(ring_.size());
  for (const Sample& s : ring_) {
    if (s.us[idx] >= 0) values.push_back(s.us[idx]);
  }
  PhaseBaseline b;
  if (values.empty()) return b;
  b.samples = static_cast<int>(values.size());
  const int64_t median = MedianOf(values);
  for (int64_t& v : values) v = v >= median ? v - median : median - v;
  b.median = std::chrono::microseconds(median);
  b.mad = std::chrono::microseconds(MedianOf(values));
  return b;
}

bool IsSpike(std::chrono::microseconds value, const PhaseBaseline& b, const SpikeRule& r) {
  if (b.samples < r.min_samples || b.samples <= 0) return false;
  const double v = static_cast<double>(value.count());
  const double median = static_cast<double>(b.median.count());
  const double mad = static_cast<double>(b.mad.count());
  const double threshold = std::max(median * r.factor, median + r.mad_k * mad);
  return v > threshold && (value - b.median) > r.margin;
}

}  // namespace mcpwatch
