// SPDX-License-Identifier: MIT
// The known image the QEMU md test places in RAM, and the md commands it runs. Shared with the
// offline test that re-reads the committed transcript (tests/fixtures/offline/qemu_arm_md.log).
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

namespace camdump::test {

constexpr uint64_t kMdImageAddr = 0x42000000;
constexpr size_t kMdImageSize = 0x1000;  // 4 KiB

/// Deterministic: an ASCII header, then a byte pattern covering every value (printable or not).
inline std::vector<uint8_t> md_test_image() {
  std::vector<uint8_t> v(kMdImageSize);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>((i * 131 + (i >> 8) * 7 + 5) & 0xff);
  const char* hdr = "VCAM-FLASH-IMAGE camdump md test => #\r\n";
  std::memcpy(v.data(), hdr, std::strlen(hdr));
  return v;
}

}  // namespace camdump::test
