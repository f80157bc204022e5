// SHA-256 and HMAC-SHA256 as lower-case hex (OpenSSL): tool-list and config hashes, webhook
// signatures; and the shard hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mcpwatch {

// Lower-case hex of SHA-256(bytes); "" only if OpenSSL has no SHA-256 (a broken installation).
std::string Sha256Hex(std::string_view bytes);

// Lower-case hex of HMAC-SHA256(key, message): what follows "sha256=" in X-Mcpwatch-Signature.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// Prometheus' relabel `hashmod`: the low 8 bytes of MD5(value), big-endian, modulo `modulus`
// (> 0). Stable across versions and machines, so every instance reading one config agrees, and
// an operator can reproduce the assignment with a hashmod relabel rule on the target name.
// nullopt only when this OpenSSL offers no MD5 (a FIPS-only build).
std::optional<uint64_t> HashMod(std::string_view value, uint64_t modulus);

}  // namespace mcpwatch
