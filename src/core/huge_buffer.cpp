// SPDX-License-Identifier: MIT
#include "core/huge_buffer.hpp"

#include <sys/mman.h>

#include <new>
#include <utility>

namespace camdump {

HugeBuffer::HugeBuffer(size_t size) {
  if (size < kHugePage) {  // less than one huge page: plain page-aligned memory
    map_len_ = size ? size : 1;
    map_ = ::mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map_ == MAP_FAILED) {
      map_ = nullptr;
      throw std::bad_alloc();
    }
    data_ = static_cast<uint8_t*>(map_);
    size_ = size;
    return;
  }
  // Whole huge pages: a partly advised 2 MiB region falls back to 4 KiB pages. One extra huge
  // page of address space lets the start be aligned.
  const size_t want = (size + kHugePage - 1) & ~(kHugePage - 1);
  map_len_ = want + kHugePage;
  map_ = ::mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw std::bad_alloc();
  }
  const auto base = reinterpret_cast<uintptr_t>(map_);
  const auto aligned = (base + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  data_ = static_cast<uint8_t*>(map_) + (aligned - base);  // pointer arithmetic keeps the mapping's provenance
  size_ = size;
#ifdef MADV_HUGEPAGE
  ::madvise(data_, want, MADV_HUGEPAGE);  // advice only: without THP it is plain memory
#endif
}

HugeBuffer::~HugeBuffer() {
  if (map_) ::munmap(map_, map_len_);
}

HugeBuffer::HugeBuffer(HugeBuffer&& o) noexcept
    : map_(std::exchange(o.map_, nullptr)),
      map_len_(std::exchange(o.map_len_, 0)),
      data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)) {}

HugeBuffer& HugeBuffer::operator=(HugeBuffer&& o) noexcept {
  if (this != &o) {
    if (map_) ::munmap(map_, map_len_);
    map_ = std::exchange(o.map_, nullptr);
    map_len_ = std::exchange(o.map_len_, 0);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

}  // namespace camdump
