// SPDX-License-Identifier: MIT
// Internal to the virtual camera: its DRAM. Materialised lazily per 4 KiB page: a page not touched
// since the last power-on holds that boot's garbage pattern, filled on first access, so a 64 MiB
// board costs nothing to reset (DRAM content after power-up is undefined; deterministic here per
// seed, boot and page so runs repeat).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace camdump::sim {

class Ram {
 public:
  Ram(uint64_t size, uint64_t seed);
  uint64_t size() const { return size_; }
  /// `len` bytes at offset `off` from the RAM base, nullptr when the range is not inside RAM.
  uint8_t* at(uint64_t off, uint64_t len);
  /// Power lost: every page holds new garbage from its next access on.
  void scramble() { ++generation_; }

 private:
  void materialise(uint64_t off, uint64_t len);
  uint64_t size_, seed_;
  std::unique_ptr<uint8_t[]> bytes_;  ///< uninitialised: the kernel maps pages on first touch
  std::vector<uint32_t> page_boot_;   ///< the generation each page was last filled for
  uint32_t generation_ = 0;
};

}  // namespace camdump::sim
