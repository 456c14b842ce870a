// SPDX-License-Identifier: MIT
// The --sim SPEC (and CAMDUMP_SIM for the libusb shim): which chip the emulated CH341A carries
// and what is wrong with the wiring.
//   image=FILE      flash content (default: a seeded pseudo-random pattern of the chip's size)
//   chip=NAME       part from the chip table (default W25Q128FV); id=EF4018,size=16M for others
//   flaky=RATE      probability of a flipped MISO bit (a bad clip); the flips are drawn from a
//                   fresh seed in every process (two reads in two runs see different damage, as
//                   with a real bad clip) unless seed=N makes them reproducible
//   seed=N          also seeds the default pattern (which uses 1 when no seed= is given)
//   save=FILE       write the flash as it is when the emulator goes away (end of the program, or
//                   libusb_exit() in the shim), so another run or flashrom sees what was written
//   worn=A1:A2      NOR 4 KiB sectors (by address) that no longer erase: a program then gives
//                   old AND new, as on a worn-out part
//   wp=BITS         status register 1 at power-up (block protection: wp=0x1c protects all of a
//                   Winbond-style chip), e.g. wp=0x0c
//   bad=B1:B2       NAND blocks with a factory bad-block mark; eccfail=P1:P2 pages with ECC failure
//   unplug=N / stall=N / hang=N   fault after N SPI bytes
//   sfdp=bits|exp|none            how the emulated NOR encodes its SFDP density
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ch341a/emu_device.hpp"
#include "spi/chip_table.hpp"

namespace camdump::ch341a {

struct SimSpec {
  std::string image;
  const spi::ChipInfo* chip = nullptr;
  std::optional<std::vector<uint8_t>> id;  ///< overrides the chip's ID (unknown parts)
  uint64_t size = 0;                       ///< overrides the chip's size
  int sfdp_encoding = 0;
  std::set<uint32_t> bad_blocks, ecc_fail_pages;
  EmuFaults faults;
  bool seed_set = false;    ///< seed= given: flips reproducible; else a fresh seed per process
  std::string save;         ///< save=FILE
  uint8_t sr1 = 0;          ///< wp=: status register 1 at power-up (NOR)
  std::set<uint64_t> worn;  ///< worn=: sectors that ignore erase (NOR)
};

/// Parse "key=value,..."; throws Error(Usage) naming the bad key.
SimSpec parse_sim_spec(const std::string& text);
/// The deterministic content used when no image= is given.
std::vector<uint8_t> sim_pattern(uint64_t size, uint64_t seed);
/// Build the emulated CH341A with its chip (reads image= now).
std::unique_ptr<Ch341aEmu> make_emulator(const SimSpec& spec);

}  // namespace camdump::ch341a
