// Certificate expiry (DESIGN §6): one cert_expiring event per threshold crossed per
// certificate, keyed by notAfter, so a renewed certificate (later notAfter) re-arms every
// threshold and a load balancer serving two certificates does not make the events flap.
//
// Time: system_clock (notAfter is wall-clock time). No clock is read here. Not thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace mcpwatch {

struct CertExpiring {
  std::chrono::system_clock::time_point not_after{};
  std::chrono::hours threshold{0};    // the threshold crossed (e.g. 14 days)
  std::chrono::seconds remaining{0};  // notAfter - now (negative once expired)
};

// {"not_after", "threshold_days", "remaining_seconds"}
nlohmann::json ToJson(const CertExpiring& e);

class CertExpiryTracker {
 public:
  static constexpr size_t kMaxThresholds = 8;
  static constexpr size_t kCertSlots = 4;  // certificates remembered (least recently seen goes)

  // Thresholds in any order (duplicates and non-positive ones dropped, at most 8 kept).
  explicit CertExpiryTracker(std::vector<std::chrono::hours> thresholds = {
                                 std::chrono::hours(30 * 24), std::chrono::hours(14 * 24),
                                 std::chrono::hours(7 * 24)});

  // Feeds one run's certificate (nullopt: no TLS or not seen). When the certificate has
  // crossed thresholds it has not been reported for, emits one event for the smallest of them
  // and marks all of them reported (a first sighting at 5 days left gives one event, not three).
  std::optional<CertExpiring> Observe(
      std::optional<std::chrono::system_clock::time_point> not_after,
      std::chrono::system_clock::time_point now);

 private:
  struct Slot {
    std::chrono::system_clock::time_point not_after{};
    std::chrono::system_clock::time_point last_seen{};
    uint8_t fired = 0;  // bit i: thresholds_[i] reported
    bool used = false;
  };

  Slot& SlotFor(std::chrono::system_clock::time_point not_after,
                std::chrono::system_clock::time_point now);

  std::vector<std::chrono::hours> thresholds_;  // descending (30 d, 14 d, 7 d)
  std::array<Slot, kCertSlots> slots_{};
};

}  // namespace mcpwatch
