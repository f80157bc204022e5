// HMAC-SHA256 for webhook signatures (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace mcpwatch::alerts {

// Lower-case hex of HMAC-SHA256(key, message): what follows "sha256=" in X-Mcpwatch-Signature.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace mcpwatch::alerts
