// Randomness and PKCE (RFC 7636) from OpenSSL: state values, code verifiers, S256 challenges,
// JWT ids. Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace mcpwatch {

// base64url of `bytes` bytes from OpenSSL's CSPRNG; an error only if OpenSSL cannot seed.
tl::expected<std::string, std::string> RandomUrlToken(std::size_t bytes);

// SHA-256 of `data`, raw 32 bytes.
std::string Sha256Bytes(std::string_view data);

// base64url(SHA-256(verifier)): the S256 code_challenge and a DPoP proof's ath.
std::string S256(std::string_view verifier);

struct Pkce {
  std::string verifier;   // 43 characters of base64url (32 random bytes)
  std::string challenge;  // S256(verifier)
};
tl::expected<Pkce, std::string> NewPkce();

}  // namespace mcpwatch
