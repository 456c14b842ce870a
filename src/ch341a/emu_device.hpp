// SPDX-License-Identifier: MIT
// The emulated CH341A (device side of the USB link): splits each bulk OUT transfer into 32-byte
// USB packets, runs 0xAA (stream config), 0xAB (UIO: pin levels/directions -> chip select) and
// 0xA8 (SPI stream: bit-reversed, full duplex) exactly as the part does, and queues one reply
// packet per 0xA8 packet for the IN endpoint. Adds what a bad clip or cable does, seeded and
// reproducible: bit flips on MISO, unplug / stall / hang after a number of bytes. Counts bus
// traffic and IN transfers in flight (bench/ch341a). Used in-process by SimTransport and by the
// LD_PRELOAD libusb shim (src/usbsim) that flashrom runs against.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "ch341a/emu_flash.hpp"
#include "ch341a/usb_transport.hpp"

namespace camdump::ch341a {

struct EmuFaults {
  double flip_rate = 0;  ///< probability per MISO bit
  uint64_t seed = 1;
  uint64_t unplug_after = 0;  ///< SPI bytes clocked before the device disappears (0 = never)
  uint64_t stall_after = 0;   ///< ... before EP 0x82 stalls
  uint64_t hang_after = 0;    ///< ... before the device stops answering
};

struct EmuStats {
  uint64_t out_transfers = 0, in_transfers = 0;
  uint64_t out_bytes = 0, in_bytes = 0;
  uint64_t spi_bytes = 0;  ///< bytes clocked on the SPI bus
  uint64_t flips = 0;      ///< bits flipped by the fault model
  unsigned in_flight = 0, max_in_flight = 0;
};

class Ch341aEmu {
 public:
  Ch341aEmu(std::unique_ptr<SpiSlave> chip, EmuFaults faults = {});
  /// Writes the flash to the save_on_exit() file, if any (errors cannot be reported here).
  ~Ch341aEmu();
  Ch341aEmu(const Ch341aEmu&) = delete;
  Ch341aEmu& operator=(const Ch341aEmu&) = delete;
  /// save=FILE: where the flash goes when the emulator goes away (empty = nowhere).
  void save_on_exit(std::string path) { save_ = std::move(path); }
  /// Write the flash to the save file now (FILE.tmp, then renamed); false when that failed.
  bool save() const;
  /// Host sent a bulk OUT transfer on EP 0x02.
  UsbStatus bulk_out(std::span<const uint8_t> data);
  /// Host's bulk IN transfer on EP 0x82: the next reply packet (≤ buf.size()).
  /// TimedOut when no reply is queued (nothing will come without another OUT).
  UsbStatus bulk_in(std::span<uint8_t> buf, size_t& actual);
  bool reply_pending() const { return !lens_.empty(); }
  bool present() const { return !unplugged_; }

  /// In-flight accounting by whoever queues IN transfers (SimTransport, the shim).
  void in_submitted();
  void in_finished();

  const EmuStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  SpiSlave& chip() { return *chip_; }
  const SpiSlave& chip() const { return *chip_; }
  bool cs_active() const { return cs_; }

 private:
  void packet(std::span<const uint8_t> p);
  void uio(std::span<const uint8_t> p);
  void set_cs(bool active);
  void flip(std::span<uint8_t> miso);
  void check_faults();

  std::unique_ptr<SpiSlave> chip_;
  std::string save_;
  EmuFaults faults_;
  EmuStats stats_;
  std::mt19937_64 rng_;
  uint64_t next_flip_ = 0;  ///< MISO bits until the next flip
  uint8_t pins_out_ = 0, pins_dir_ = 0;
  bool cs_ = false, unplugged_ = false, stalled_ = false, hung_ = false;
  std::vector<uint8_t> reply_;
  size_t reply_pos_ = 0;
  std::deque<uint16_t> lens_;
  std::vector<uint8_t> mosi_, miso_;
};

}  // namespace camdump::ch341a
