// SPDX-License-Identifier: MIT
// MD5 and SHA-256 through OpenSSL's libcrypto (EVP), incrementally or in one call.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace camdump {

class Digest {
 public:
  enum class Algo { Md5, Sha256 };
  explicit Digest(Algo algo);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  void update(std::span<const uint8_t> data);
  /// Lowercase hex of the digest; the object is finished afterwards.
  std::string hex_final();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string md5_hex(std::span<const uint8_t> data);
std::string sha256_hex(std::span<const uint8_t> data);

}  // namespace camdump
