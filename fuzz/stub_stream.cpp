// SPDX-License-Identifier: MIT
// Fuzz target: the host's decoder of the stub's binary stream (uboot/stub_protocol.hpp), fed the
// input in pieces whose sizes come from the first bytes, then idle(). It must never crash, read
// out of bounds, or accept a frame outside the range.
#include <cstddef>
#include <cstdint>
#include <span>

#include "uboot/stub_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint32_t len = 1 + (uint32_t(data[0]) << 8 | data[1]) % 20000, frame = 4 * (1 + data[2] % 64);
  camdump::uboot::StubStreamDecoder d(0x80600000, len, frame);
  size_t pos = 3, step = 1 + data[0] % 97;
  while (pos < size) {
    size_t n = std::min(step, size - pos);
    d.feed(std::span<const uint8_t>(data + pos, n));
    pos += n;
    step = step * 7 % 251 + 1;
  }
  d.idle();
  if (d.data().size() != len) __builtin_trap();
  (void)d.missing();
  return 0;
}
