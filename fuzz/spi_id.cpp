// SPDX-License-Identifier: MIT
// Fuzz the parsers of what a flash chip (or a broken clip) sends back: SFDP header + BFPT, JEDEC
// ID diagnosis, and the emulated CH341A's decoding of OUT packets (which the libusb shim feeds
// with whatever a foreign program sends).
#include <cstddef>
#include <cstdint>
#include <span>

#include "ch341a/emu_device.hpp"
#include "ch341a/sim_spec.hpp"
#include "spi/jedec_id.hpp"
#include "spi/sfdp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace camdump;
  std::span<const uint8_t> in(data, size);
  if (auto h = spi::parse_sfdp_header(in)) {
    if (h->bfpt_ptr < size) {
      auto info =
          spi::parse_bfpt(*h, in.subspan(h->bfpt_ptr, std::min<size_t>(size - h->bfpt_ptr, h->bfpt_dwords * 4u)));
      if (info) (void)info->summary();
    }
  }
  if (size >= 3) (void)spi::wiring_warnings(in.first(3));
  static auto spec = ch341a::parse_sim_spec("chip=W25Q64FV,size=4K");
  auto emu = ch341a::make_emulator(spec);
  emu->bulk_out(in);
  uint8_t buf[64];
  size_t got = 0;
  while (emu->bulk_in(buf, got) == ch341a::UsbStatus::Completed) {}
  return 0;
}
