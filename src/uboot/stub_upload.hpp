// SPDX-License-Identifier: MIT
// The stub's receive mode (issue 14 item 6): the host writes a byte range into the camera's RAM
// through camdump's stub, as CRC-checked binary frames at the stub's fast rate (1.5 Mbaud where
// the SoC, the adapter and the line allow; U-Boot's rate otherwise), so `restore uart` can stage
// data for `sf write` far faster than YMODEM to `loady`. Every frame is answered by the stub (ACK
// or NAK with its sequence number and the host's copy tag); the host sends again only what was
// lost or damaged; at the end the stub reports the CRC-32 of the whole region, which must equal the
// bytes' CRC. The stub always restores U-Boot's divisor and returns to the prompt.
// Wire format: src/stub/stub_abi.h and docs/stub.md ("Receive mode").
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "uboot/soc_table.hpp"
#include "uboot/stub_loader.hpp"

namespace camdump::uboot {

class UbootSession;

struct StubUploadOptions {
  /// Data bytes per frame (a multiple of 4, 64..16384). 4096: 0.5 % framing on a clean line.
  /// A noisy line makes the host shrink it for the rest of the upload (4096 -> 1024 -> 256).
  uint32_t frame_size = 4096;
  /// Frames in flight before the host waits for their answers (bounds what is lost with a sync).
  unsigned window = 8;
  /// Passes of re-sending the frames still unanswered or damaged: a run gives up after
  /// resend_rounds / 2 + 1 passes in a row without progress, or 4 * resend_rounds passes.
  unsigned resend_rounds = 8;
};

struct UploadResult {
  bool ok = false;                      ///< every byte in RAM, confirmed by the stub's CRC-32 of the region
  std::string failure;                  ///< why not (ok == false): the caller may fall back to loady
  uint64_t bytes = 0;                   ///< bytes confirmed in RAM
  uint32_t crc = 0;                     ///< CRC-32 of the region as the stub computed it (== crc32(bytes))
  std::map<uint32_t, uint64_t> rates;   ///< line rate -> bytes it carried (acknowledged frames)
  uint64_t wire_chars = 0;              ///< host->camera + camera->host characters, `go` to the prompt
  uint64_t tx_chars = 0, rx_chars = 0;  ///< the same, per direction
  uint64_t frames = 0;                  ///< frames sent, first copies
  uint64_t resent_frames = 0;           ///< frames sent again (lost, damaged, or unanswered)
  uint64_t runs = 0;                    ///< `go` runs (more than one after a step down or a smaller frame)
  std::vector<std::string> notes;       ///< rate notes ("the host adapter refused 1500000 baud", ...)
};

/// Writes `bytes` to the device's RAM at `ram_addr` through the stub (uploaded first with mw.l,
/// checked by crc32, unless already in place). On MIPS a KSEG0 address is written through its
/// uncached KSEG1 alias, so `sf write` (CPU or DMA) reads what arrived. The range must lie in the
/// safe RAM area and must not overlap the stub. `rates`: the fast-rate ladder to try, fastest
/// first (kFastRates; empty: U-Boot's rate). Returns ok == false with the reason when the stub
/// cannot deliver (the console is back at U-Boot's prompt); throws ConsoleLost when the camera
/// rebooted, Error(Unsupported) when the stub cannot run at all (unusable_reason()).
/// Progress and logs go to the session's Reporter.
UploadResult stub_upload(StubLoader& loader, uint64_t ram_addr, std::span<const uint8_t> bytes,
                         const StubUploadOptions& opt = {});

/// One-shot form: builds a StubLoader for `soc` (StubLoaderOptions `lopt`, rates `rates`) and
/// uploads. Prefer keeping one StubLoader for many uploads (the stub and the adapter's rates are
/// checked once).
UploadResult stub_upload(UbootSession& s, const SocEntry& soc, uint64_t ram_addr, std::span<const uint8_t> bytes,
                         const StubUploadOptions& opt = {}, const std::vector<uint32_t>& rates = {},
                         StubLoaderOptions lopt = {});

}  // namespace camdump::uboot
