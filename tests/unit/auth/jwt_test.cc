#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include "auth/jwt_claims.h"
#include "auth/pkce.h"
#include "auth/signing_key.h"
#include "base/encoding.h"

namespace mcpwatch {
namespace {

// A P-256 key made for these tests only.
constexpr const char* kEcPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwnQ3Y7rpOCiCEMEm
re1CCJSSxib0X+7707EfveQR4q2hRANCAASt6cA1s1lXd4j6Nh2UXIerPWldF2Ve
x1OFP8wyRRxhRJC9PEnG55CAbsgYCtq+Ufi7z6rs8w+7oFAhrqO9E9CL
-----END PRIVATE KEY-----
)";

struct Jwt {
  nlohmann::json header;
  nlohmann::json claims;
  std::string signing_input;
  std::string signature;
};

Jwt Split(const std::string& jwt) {
  const auto a = jwt.find('.');
  const auto b = jwt.find('.', a + 1);
  Jwt out;
  out.header = nlohmann::json::parse(*DecodeBase64(jwt.substr(0, a)));
  out.claims = nlohmann::json::parse(*DecodeBase64(jwt.substr(a + 1, b - a - 1)));
  out.signing_input = jwt.substr(0, b);
  out.signature = *DecodeBase64(jwt.substr(b + 1));
  return out;
}

// Verifies an ES256 JWS signature (r||s) with the PEM's public key, independently of the code
// under test's signing path.
bool VerifyEs256(const Jwt& jwt, const char* pem) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr || jwt.signature.size() != 64) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  const auto* raw = reinterpret_cast<const unsigned char*>(jwt.signature.data());
  ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, nullptr), BN_bin2bn(raw + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                  EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_len),
                                   reinterpret_cast<const unsigned char*>(jwt.signing_input.data()),
                                   jwt.signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  EVP_PKEY_free(key);
  return ok;
}

TEST_CASE("PKCE S256 is base64url(SHA-256) without padding", "[auth]") {
  // `printf %s VERIFIER | openssl dgst -sha256 -binary | basenc --base64url`
  CHECK(S256("dBjftJeZ4CVP-mJ92IjIJrI_xZ8Nwy7B8cUfF9Zp4m4") ==
        "OhUOYsTWUZIKt-8WkQHcjfXz7DutR-P3boMq1lIXPRE");
  auto p = NewPkce();
  REQUIRE(p);
  CHECK(p->verifier.size() == 43);
  CHECK(p->challenge == S256(p->verifier));
  CHECK(NewPkce()->verifier != p->verifier);
}

TEST_CASE("a PEM key gives ES256, its JWK and RFC 7638 thumbprint", "[auth]") {
  auto key = SigningKey::FromPem(kEcPem);
  REQUIRE(key);
  CHECK(key->alg() == "ES256");
  CHECK(key->public_jwk()["kty"] == "EC");
  CHECK(key->public_jwk()["crv"] == "P-256");
  CHECK(key->public_jwk().find("d") == key->public_jwk().end());
  CHECK(key->Thumbprint().size() == 43);
  CHECK(SigningKey::FromPem(key->PrivatePem())->Thumbprint() == key->Thumbprint());
  CHECK(SigningKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .error() == "not a PEM private key (PKCS#8 or traditional)");
}

TEST_CASE("a client assertion is a verifiable ES256 JWT with RFC 7523 claims", "[auth]") {
  auto key = SigningKey::FromPem(kEcPem);
  REQUIRE(key);
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
  auto jwt = MakeClientAssertion(*key, "client-1", "https://as.example", now);
  REQUIRE(jwt);
  Jwt j = Split(*jwt);
  CHECK(j.header["alg"] == "ES256");
  CHECK(j.claims["iss"] == "client-1");
  CHECK(j.claims["sub"] == "client-1");
  CHECK(j.claims["aud"] == "https://as.example");
  CHECK(j.claims["iat"] == 1'800'000'000);
  CHECK(j.claims["exp"] == 1'800'000'300);
  CHECK(j.claims["jti"].get<std::string>().size() >= 16);
  CHECK(VerifyEs256(j, kEcPem));
  CHECK(Split(*MakeClientAssertion(*key, "client-1", "https://as.example", now)).claims["jti"] !=
        j.claims["jti"]);
}

TEST_CASE("a DPoP proof carries htm, htu without query, ath and nonce (RFC 9449)", "[auth]") {
  auto key = SigningKey::GenerateEs256();
  REQUIRE(key);
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
  auto proof = MakeDpopProof(*key, "POST", "https://mcp.example/mcp?x=1#f", "tok", "n-1", now);
  REQUIRE(proof);
  Jwt j = Split(*proof);
  CHECK(j.header["typ"] == "dpop+jwt");
  CHECK(j.header["alg"] == "ES256");
  CHECK(j.header["jwk"] == key->public_jwk());
  CHECK(j.claims["htm"] == "POST");
  CHECK(j.claims["htu"] == "https://mcp.example/mcp");
  CHECK(j.claims["iat"] == 1'800'000'000);
  CHECK(j.claims["ath"] == S256("tok"));
  CHECK(j.claims["nonce"] == "n-1");
  auto bare = Split(*MakeDpopProof(*key, "GET", "https://as/token", "", "", now));
  CHECK(bare.claims.find("ath") == bare.claims.end());
  CHECK(bare.claims.find("nonce") == bare.claims.end());
  CHECK(bare.claims["jti"] != j.claims["jti"]);
}

}  // namespace
}  // namespace mcpwatch
