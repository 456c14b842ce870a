// SPDX-License-Identifier: MIT
// The narrow SPI programmer contract every flash driver above is written against (after
// flashrom's spi_master: one "shift these bytes" primitive, declared limits, optional fast path).
// A transfer is one chip-select frame: `write` is clocked out, then `read.size()` bytes are
// clocked in (MOSI idles high). Programmers: ch341a::Ch341aMaster; tests use emulators.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace camdump::spi {

struct SpiLimits {
  size_t max_transfer = 4096;  ///< write + read bytes one transfer may carry
};

/// One command of a batch: header bytes out, `out.size()` bytes in.
struct SpiCommand {
  std::span<const uint8_t> header;
  std::span<uint8_t> out;
};

/// Counters the programmer keeps about its bus (for summaries and benchmarks).
struct BusStats {
  uint64_t transfers_out = 0, transfers_in = 0;  ///< USB (or other) transfers
  uint64_t bytes_out = 0, bytes_in = 0;          ///< bytes on the bus, both directions
  unsigned max_in_flight = 0;                    ///< deepest queue of reads outstanding at once
};

class SpiMaster {
 public:
  virtual ~SpiMaster() = default;
  /// One CS frame. Throws camdump::Error on transport failure.
  virtual void transfer(std::span<const uint8_t> write, std::span<uint8_t> read) = 0;
  virtual SpiLimits limits() const = 0;
  /// Optional fast path: several frames back to back. The default runs them one by one.
  virtual void transfer_batch(std::span<const SpiCommand> cmds) {
    for (const auto& c : cmds) transfer(c.header, c.out);
  }
  virtual BusStats stats() const { return {}; }

  /// Convenience: opcode-only or opcode+bytes frames returning `n` bytes.
  std::vector<uint8_t> command(std::span<const uint8_t> write, size_t n) {
    std::vector<uint8_t> r(n);
    transfer(write, r);
    return r;
  }
};

}  // namespace camdump::spi
