// SPDX-License-Identifier: MIT
// The programmer route end to end, for the CLI: open a CH341A (real, or emulated with --sim),
// identify the chip, read it N times with verification into OUT.part, rename to OUT, and report
// what happened (SHA-256, disputed sectors, NAND bad blocks and ECC failures, bus traffic).
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "ch341a/ch341a_master.hpp"
#include "ch341a/emu_device.hpp"
#include "core/report.hpp"
#include "spi/probe.hpp"
#include "spi/verified_read.hpp"

namespace camdump::ch341a {

struct OpenOptions {
  std::string device;  ///< BUS:ADDR, empty = first CH341A
  std::string sim;     ///< --sim SPEC, empty = real hardware
  unsigned in_flight = 32;
};

/// An open programmer: the transport, the SPI master on it, and (with --sim) the emulator.
class Ch341aSession {
 public:
  static std::unique_ptr<Ch341aSession> open(const OpenOptions& opts);
  ~Ch341aSession();
  Ch341aMaster& master() { return *master_; }
  const std::string& describe() const { return describe_; }
  /// Device-side counters (only with --sim).
  const EmuStats* emu_stats() const { return emu_ ? &emu_->stats() : nullptr; }
  /// The emulated device (only with --sim): its chip's erase/program counters.
  const Ch341aEmu* emulator() const { return emu_; }

 private:
  Ch341aSession() = default;
  std::unique_ptr<UsbTransport> usb_;
  std::unique_ptr<Ch341aMaster> master_;
  const Ch341aEmu* emu_ = nullptr;
  std::string describe_;
};

struct DumpOptions {
  std::filesystem::path out;
  unsigned reads = 2;
  std::string chip;   ///< --chip NAME (empty = probe)
  uint64_t size = 0;  ///< --size override (NOR)
  uint64_t offset = 0, length = 0;
  bool nand_oob = false;  ///< data+OOB per page instead of data only
  /// Continue an interrupted dump: OUT.part holds the first read up to where it stopped, and
  /// OUT.part.state says how far and of which chip/range. That part is not read again in pass 1
  /// (later passes still compare it with the chip).
  bool resume = false;
};

struct DumpSummary {
  spi::ProbeResult probe;
  spi::VerifyResult verify;
  std::filesystem::path out;
  uint64_t bytes = 0;       ///< written to OUT
  uint64_t image_size = 0;  ///< whole-chip image size in this layout
  std::vector<uint32_t> bad_blocks, ecc_failed_pages;
  uint64_t ecc_corrected_pages = 0;
  spi::BusStats bus;
  double seconds = 0;
  bool resumed = false;  ///< a saved state was used (verify.resumed_bytes says how much)
};

/// Probe and dump. Throws Error(VerifyMismatch) when some sectors never agreed (listing them),
/// or the transport's error or Cancelled (with a note of what OUT.part holds; OUT.part.state,
/// state_path_for(out), then lets a run with `resume` continue).
DumpSummary dump_ch341a(Ch341aSession& s, const DumpOptions& opts, Reporter& rep, const CancelFlag* cancel);

/// OUT.chip, written next to every dump: the chip the image came from, so that a restore can
/// refuse to write it to another chip. One "key value" per line.
struct ChipRecord {
  std::string id;                   ///< "EF 40 18"
  std::string name;                 ///< "W25Q128FV"
  std::string layout;               ///< "bytes", "data", "data+oob"
  uint64_t size = 0;                ///< whole-chip image size in that layout
  uint64_t offset = 0, length = 0;  ///< the range the dump holds
};
std::filesystem::path chip_record_path(const std::filesystem::path& image);
void write_chip_record(const std::filesystem::path& image, const ChipRecord& r);
/// nullopt when there is no (readable) record.
std::optional<ChipRecord> read_chip_record(const std::filesystem::path& image);

/// Identify the chip (for `probe ch341a`).
spi::ProbeResult probe_ch341a(Ch341aSession& s, const std::string& chip_name = {});

/// "0x1000-0x1fff, 0x8000-0x8fff" (inclusive ends), at most `max` ranges then "and N more".
std::string format_ranges(const std::vector<spi::ByteRange>& r, size_t max = 8);

}  // namespace camdump::ch341a
