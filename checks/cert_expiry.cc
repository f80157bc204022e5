#include "checks/cert_expiry.h"

#include <algorithm>
#include <functional>

#include "checks/event.h"

namespace mcpwatch {

nlohmann::json ToJson(const CertExpiring& e) {
  return nlohmann::json{{"not_after", FormatTimestamp(e.not_after)},
                        {"threshold_days", e.threshold.count() / 24},
                        {"remaining_seconds", e.remaining.count()}};
}

CertExpiryTracker::CertExpiryTracker(std::vector<std::chrono::hours> thresholds)
    : thresholds_(std::move(thresholds)) {
  std::erase_if(thresholds_, [](std::chrono::hours h) { return h.count() <= 0; });
  std::sort(thresholds_.begin(), thresholds_.end(), std::greater<>());
  thresholds_.erase(std::unique(thresholds_.begin(), thresholds_.end()), thresholds_.end());
  if (thresholds_.size() > kMaxThresholds) thresholds_.resize(kMaxThresholds);
}

CertExpiryTracker::Slot& CertExpiryTracker::SlotFor(std::chrono::system_clock::time_point not_after,
                                                    std::chrono::system_clock::time_point now) {
  for (Slot& s : slots_) {
    if (s.used && s.not_after == not_after) return s;
  }
  // A certificate not seen before (a renewal, or one of several behind a load balancer): it
  // takes the free slot or the one seen least recently, with every threshold armed.
  Slot* victim = &slots_[0];
  for (Slot& s : slots_) {
    if (!s.used) {
      victim = &s;
      break;
    }
    if (s.last_seen < victim->last_seen) victim = &s;
  }
  *victim = Slot{not_after, now, 0, true};
  return *victim;
}

std::optional<CertExpiring> CertExpiryTracker::Observe(
    std::optional<std::chrono::system_clock::time_point> not_after,
    std::chrono::system_clock::time_point now) {
  if (!not_after) return std::nullopt;
  Slot& slot = SlotFor(*not_after, now);
  slot.last_seen = now;
  const auto remaining = *not_after - now;
  std::optional<size_t> crossed;  // the smallest threshold crossed and not yet reported
  for (size_t i = 0; i < thresholds_.size(); ++i) {
    if (remaining > thresholds_[i]) continue;
    const auto bit = static_cast<uint8_t>(1u << i);
    if ((slot.fired & bit) == 0) crossed = i;
    slot.fired = static_cast<uint8_t>(slot.fired | bit);
  }
  if (!crossed) return std::nullopt;
  return CertExpiring{*not_after, thresholds_[*crossed],
                      std::chrono::duration_cast<std::chrono::seconds>(remaining)};
}

}  // namespace mcpwatch
