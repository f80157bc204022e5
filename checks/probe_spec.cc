#include "checks/probe_spec.h"

namespace mcpwatch {

std::string_view ToString(TransportChoice t) {
  switch (t) {
    case TransportChoice::kAuto: return "auto";
    case TransportChoice::kStreamableHttp: return "streamable-http";
    case TransportChoice::kSse: return "sse";
  }
  return "auto";
}

std::optional<TransportChoice> ParseTransportChoice(std::string_view s) {
  for (auto t : {TransportChoice::kAuto, TransportChoice::kStreamableHttp, TransportChoice::kSse}) {
    if (ToString(t) == s) return t;
  }
  return std::nullopt;
}

}  // namespace mcpwatch
