#include "base/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace mcpwatch {
namespace {

std::string Hex(const unsigned char* bytes, unsigned int length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  return Hex(digest.data(), length);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // A non-null key pointer even for an empty key: OpenSSL treats NULL as "reuse the old key".
  static const unsigned char kEmpty = 0;
  const auto* key_bytes =
      key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
       &length);
  return Hex(digest.data(), length);
}

std::optional<uint64_t> HashMod(std::string_view value, uint64_t modulus) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(value.data(), value.size(), digest.data(), &length, EVP_md5(), nullptr) != 1 ||
      length != 16) {
    return std::nullopt;
  }
  uint64_t low = 0;
  for (unsigned int i = 8; i < 16; ++i) low = (low << 8) | digest[i];
  return low % modulus;
}

}  // namespace mcpwatch
