// SHA-256 and HMAC-SHA256 as lower-case hex (OpenSSL): tool-list and config hashes, webhook
// signatures.
#pragma once

#include <string>
#include <string_view>

namespace mcpwatch {

// Lower-case hex of SHA-256(bytes); "" only if OpenSSL has no SHA-256 (a broken installation).
std::string Sha256Hex(std::string_view bytes);

// Lower-case hex of HMAC-SHA256(key, message): what follows "sha256=" in X-Mcpwatch-Signature.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace mcpwatch
