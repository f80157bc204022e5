#include "auth/pkce.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/encoding.h"

namespace mcpwatch {

tl::expected<std::string, std::string> RandomUrlToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) {
    return tl::unexpected(std::string("OpenSSL could not produce random bytes"));
  }
  return Base64Url(raw);
}

std::string Sha256Bytes(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) return "";
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string S256(std::string_view verifier) {
  return Base64Url(Sha256Bytes(verifier));
}

tl::expected<Pkce, std::string> NewPkce() {
  auto verifier = RandomUrlToken(32);
  if (!verifier) return tl::unexpected(verifier.error());
  Pkce out;
  out.challenge = S256(*verifier);
  out.verifier = std::move(*verifier);
  return out;
}

}  // namespace mcpwatch
