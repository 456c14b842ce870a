// SPDX-License-Identifier: MIT
// The virtual camera's DRAM (see sim_ram.hpp).
#include "sim/sim_ram.hpp"

#include <algorithm>
#include <cstring>

namespace camdump::sim {
namespace {

constexpr uint64_t kPage = 4096;

}  // namespace

Ram::Ram(uint64_t size, uint64_t seed)
    : size_(size), seed_(seed), bytes_(new uint8_t[size]), page_boot_((size + kPage - 1) / kPage, 0) {}

uint8_t* Ram::at(uint64_t off, uint64_t len) {
  if (off > size_ || len > size_ - off) return nullptr;
  materialise(off, len);
  return bytes_.get() + off;
}

void Ram::materialise(uint64_t off, uint64_t len) {
  const uint64_t first = off / kPage, last = len ? (off + len - 1) / kPage : first;
  for (uint64_t pg = first; pg <= last && pg < page_boot_.size(); ++pg) {
    if (page_boot_[pg] == generation_) continue;
    page_boot_[pg] = generation_;
    uint64_t x = (seed_ + 1) * 0x9e3779b97f4a7c15ull ^ (generation_ * 0xbf58476d1ce4e5b9ull) ^ (pg + 1);
    uint8_t* p = bytes_.get() + pg * kPage;
    const uint64_t n = std::min<uint64_t>(kPage, size_ - pg * kPage);
    for (uint64_t i = 0; i + 8 <= n; i += 8) {  // xorshift64
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::memcpy(p + i, &x, 8);
    }
  }
}

}  // namespace camdump::sim
