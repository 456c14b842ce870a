// SPDX-License-Identifier: MIT
// Runs camdump's stub (src/stub) on a device through its U-Boot console: writes the image with
// `mw.l` (MIPS: through the uncached KSEG1 alias, so no cache maintenance), checks it with U-Boot's
// `crc32`, starts it with `go ENTRY SRC LEN`, collects its CRC-checked frames, asks again for the
// damaged ones, makes it return to U-Boot and confirms the prompt. Only over 8-bit-clean
// transports (io::Transport::eight_bit_clean()). Wire format: src/stub/stub_abi.h.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stub/stub_images.hpp"
#include "uboot/soc_table.hpp"
#include "uboot/session.hpp"

namespace camdump::uboot {

struct StubLoaderOptions {
  uint32_t frame_size = 4096;   ///< data bytes per frame (a multiple of 4)
  bool blank_frames = true;     ///< all-0xff frames travel as 11-byte 'B' packets
  std::chrono::milliseconds hello_timeout = 3s;  ///< `go` to the stub's hello
  std::chrono::milliseconds idle_timeout = 1500ms;  ///< silence inside a transfer
  /// How long a stub that did not answer may take to give up by itself (its idle_polls) and
  /// hand the prompt back.
  std::chrono::milliseconds exit_timeout = 15s;
  unsigned resend_rounds = 8;   ///< rounds of re-requests before giving up on a range
  unsigned words_per_line = 8;  ///< `mw.l` commands joined with ';' on one console line
};

struct StubStats {
  uint64_t runs = 0, frames = 0, blank_frames = 0, resent_frames = 0;
  uint64_t bad_packets = 0, junk_bytes = 0;
  uint64_t upload_words = 0;  ///< words written by mw.l (0 when the stub was already there)
};

/// The stub image for a CPU family (empty when built without its cross compiler).
const stub::StubImage& stub_image_for(CpuArch arch);

class StubLoader {
 public:
  StubLoader(UbootSession& s, const SocEntry& soc, StubLoaderOptions opt = {});

  /// Whether this transport and build can run the stub at all; the reason when not.
  static std::optional<std::string> unusable_reason(const io::Transport& t, const SocEntry& soc);

  /// Write the stub with its parameter block unless `crc32` shows it is already in place, then
  /// check it. Throws Error(Protocol) when the device's crc32 of the upload disagrees.
  void upload();
  /// Stream [addr, addr+len) through the stub. Every frame is CRC-checked, damaged ones are
  /// requested again, and the whole range must match the stub's CRC-32. nullopt when the stub did
  /// not answer or could not deliver every frame (use md for this range; the console is back at
  /// the prompt when possible, else ConsoleLost is thrown by the next command).
  std::optional<std::vector<uint8_t>> read(uint64_t addr, uint64_t len);

  /// After a camera reset: the stub must be uploaded again before the next read().
  void forget_upload() { uploaded_ = false; }

  const StubStats& stats() const { return stats_; }
  /// The image bytes with the parameter block filled in (what upload() writes).
  const std::vector<uint8_t>& image() const { return image_; }
  /// Why the last read() returned nullopt.
  const std::string& last_failure() const { return failure_; }

 private:
  bool wait_prompt(std::string& tail, std::chrono::milliseconds timeout);
  void send_command(uint8_t op, uint32_t arg);

  UbootSession& s_;
  SocEntry soc_;
  StubLoaderOptions opt_;
  const stub::StubImage& img_;
  std::vector<uint8_t> image_;
  bool uploaded_ = false;
  StubStats stats_;
  std::string failure_;
};

}  // namespace camdump::uboot
