// SPDX-License-Identifier: MIT
// Large scratch memory that is cheap to touch: an anonymous mapping aligned to 2 MiB and advised
// for transparent huge pages, so the kernel faults it in 2 MiB at a time instead of 4 KiB. In a
// VM each page fault costs ~10 us; a 4 MiB buffer touched 4 KiB at a time cost 13 ms (perf,
// docs/PERFORMANCE.md). Zero-filled by the kernel. Below 2 MiB it is plain page-aligned memory.
#pragma once
#include <cstddef>
#include <cstdint>

namespace camdump {

class HugeBuffer {
 public:
  static constexpr size_t kHugePage = 2u << 20;

  explicit HugeBuffer(size_t size);  ///< throws std::bad_alloc
  ~HugeBuffer();
  HugeBuffer(HugeBuffer&& o) noexcept;
  HugeBuffer& operator=(HugeBuffer&& o) noexcept;
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* map_ = nullptr;
  size_t map_len_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace camdump
