#include "checks/probe_spec.h"

#include "base/parse_by_name.h"

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
  return ParseByName(kAllTransportChoices, s);
}

}  // namespace mcpwatch
