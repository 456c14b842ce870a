// SPDX-License-Identifier: MIT
// The on-device stubs compiled into camdump (built from stub.c by src/stub/CMakeLists.txt with
// Debian's cross compilers and embedded as bytes): one flat image per CPU family, linked at a
// fixed address, with the entry point and the parameter block (stub_abi.h) at known offsets.
#pragma once
#include <cstdint>
#include <span>

namespace camdump::stub {

struct StubImage {
  const char* arch = "";           ///< "mips32el", "armv7"
  std::span<const uint8_t> bytes;  ///< empty when camdump was built without the cross compiler
  uint32_t load_addr = 0;          ///< where it must be written (MIPS: KSEG1, uncached)
  uint32_t entry_offset = 0;       ///< `go load_addr + entry_offset`
  uint32_t params_offset = 0;      ///< struct cdstub_params lives here
  bool available() const { return !bytes.empty(); }
  uint32_t entry() const { return load_addr + entry_offset; }
};

/// MIPS32 little-endian (Ingenic T10-T41, QEMU Malta), linked at KSEG1 0xa0400000.
const StubImage& mips32el_stub();
/// ARMv7 (QEMU virt), linked at 0x40100000.
const StubImage& armv7_stub();

}  // namespace camdump::stub
