// SPDX-License-Identifier: MIT
#include "core/hash.hpp"

#include <openssl/evp.h>

#include "core/error.hpp"

namespace camdump {

struct Digest::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Digest::Digest(Algo algo) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  const EVP_MD* md = algo == Algo::Md5 ? EVP_md5() : EVP_sha256();
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, md, nullptr) != 1)
    fail(ErrorKind::Io, "OpenSSL digest initialisation failed");
}
Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(std::span<const uint8_t> data) {
  if (!data.empty()) EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
}

std::string Digest::hex_final() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->ctx, out, &n);
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(size_t{n} * 2);
  for (unsigned i = 0; i < n; ++i) {
    s.push_back(digits[out[i] >> 4]);
    s.push_back(digits[out[i] & 15]);
  }
  return s;
}

std::string md5_hex(std::span<const uint8_t> data) {
  Digest d(Digest::Algo::Md5);
  d.update(data);
  return d.hex_final();
}

std::string sha256_hex(std::span<const uint8_t> data) {
  Digest d(Digest::Algo::Sha256);
  d.update(data);
  return d.hex_final();
}

}  // namespace camdump
