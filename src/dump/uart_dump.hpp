// SPDX-License-Identifier: MIT
// The UART route's dump strategy over a UbootSession (issue 3): per chunk, stage it in RAM, ask the
// device for its crc32, skip it when it equals an all-0xff chunk's, otherwise read it with the
// widest working md, repair damaged lines (bad ASCII/address lines re-read; then device crc32 of
// halves to find lines whose hex was silently changed), accept it only when the local CRC32 equals
// the device's, re-read up to `retries` times, and stop with the chunk's address when it never
// verifies (never zero-fill). Optional console speed-up (--fast-baud), camera resets survived by
// re-attaching and re-staging, Ctrl-C leaves OUT.part + OUT.part.state for --resume, and the
// whole-image CRC32 from the device must equal the file's before OUT.part is renamed to OUT.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dump/chunk_plan.hpp"
#include "dump/staging.hpp"
#include "uboot/session.hpp"

namespace camdump::dump {

struct UartDumpOptions {
  std::filesystem::path out;
  std::optional<uint64_t> flash_size;  ///< nullopt = auto (sf probe)
  uint64_t offset = 0;
  std::optional<uint64_t> length;  ///< nullopt = to the end of the flash
  StagingOptions staging;
  uint64_t chunk = uint64_t{64} * 1024;
  std::optional<uboot::MdWidth> width;  ///< nullopt = auto (widest that works)
  std::optional<uint32_t> fast_baud;    ///< nullopt = off
  bool skip_blank = true;
  unsigned retries = 4;
  bool resume = false;
  // The binary fast path (dump/stub_reader.hpp) plugs in here.
  /// When set, called for every non-blank staged chunk before md; its bytes are accepted only
  /// when their CRC32 equals the device's crc32. nullopt = read this chunk with md.
  std::function<std::optional<std::vector<uint8_t>>(uint64_t ram, uint64_t len)> fast_read;
};

struct UartDumpResult {
  std::filesystem::path out;
  uint64_t offset = 0, length = 0, flash_size = 0;
  uint64_t blank_bytes = 0, read_bytes = 0;  ///< skipped as blank / transferred with md
  uint64_t fast_bytes = 0;                   ///< of read_bytes, delivered by fast_read (binary stub)
  uint64_t resumed_bytes = 0;                ///< taken over from a previous run (re-checked)
  uint64_t reread_lines = 0, chunk_retries = 0, resets = 0;
  uint64_t rx_bytes = 0, tx_bytes = 0;  ///< wire bytes during this run
  uint32_t crc32 = 0;                   ///< of the file, equal to the device's
  std::string sha256;
  double seconds = 0;
  uboot::MdWidth width = 4;
  std::optional<uint32_t> baud;  ///< rate used for the bulk of the dump
  std::string baud_note;         ///< what happened with --fast-baud
  uboot::DeviceInfo device;
  std::string flash_name;
  double wire_per_byte() const {
    return length ? static_cast<double>(rx_bytes + tx_bytes) / static_cast<double>(length) : 0;
  }
};

/// Attach (if needed), dump, verify, commit OUT. Throws Error on failure; on Ctrl-C throws
/// Error(Cancelled) after saving OUT.part and its state file.
UartDumpResult dump_uart(uboot::UbootSession& s, const UartDumpOptions& opt);

}  // namespace camdump::dump
