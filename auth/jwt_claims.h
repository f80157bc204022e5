// The two JWTs an OAuth client signs: a DPoP proof (RFC 9449 §4.2) and a private_key_jwt
// client assertion (RFC 7523 §3, aud = the authorization server's issuer as RFC 7523bis and
// the MCP client-credentials extension say). Each carries a fresh random jti.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "auth/signing_key.h"

namespace mcpwatch {

// A proof for one HTTP request: typ dpop+jwt, the public jwk, htm, htu (no query or
// fragment), iat, jti; ath = S256(access_token) when a token is presented; nonce when the
// server demanded one.
tl::expected<std::string, std::string> MakeDpopProof(const SigningKey& key, std::string_view method,
                                                     std::string_view url,
                                                     std::string_view access_token,
                                                     std::string_view nonce,
                                                     std::chrono::system_clock::time_point now);

// iss = sub = client_id, aud = issuer, iat, exp = iat + 5 minutes, jti.
tl::expected<std::string, std::string> MakeClientAssertion(
    const SigningKey& key, std::string_view client_id, std::string_view issuer,
    std::chrono::system_clock::time_point now);

inline constexpr std::string_view kJwtBearerAssertionType =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

}  // namespace mcpwatch
