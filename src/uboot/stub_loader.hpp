// SPDX-License-Identifier: MIT
// Runs camdump's stub (src/stub) on a device through its U-Boot console: writes the image with
// `mw.l` (MIPS: through the uncached KSEG1 alias, so no cache maintenance), checks it with U-Boot's
// `crc32`, starts it with `go ENTRY SRC LEN`, collects its CRC-checked frames, asks again for the
// damaged ones, makes it return to U-Boot and confirms the prompt. Only over 8-bit-clean
// transports (io::Transport::eight_bit_clean()). Wire format: src/stub/stub_abi.h.
//
// Line rate (issue 18): each run may ask the stub to switch the UART to a faster rate of a
// ladder (1.5M, 750k, 500k); the host follows with its adapter, a CRC-checked sync exchange at the
// new rate proves both ends, and either end falls back to U-Boot's rate by itself when it does
// not. Frames that keep failing make the next run use the next lower rate. A camera that
// reboots under the stub (banner or countdown in the stream, or silence at the fast rate) is
// stopped at its countdown and reported as ConsoleLost(Reset).
#pragma once
#include <chrono>
#include <map>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stub/stub_images.hpp"
#include "uboot/soc_table.hpp"
#include "uboot/session.hpp"
#include "uboot/stub_protocol.hpp"

namespace camdump::uboot {

struct StubLoaderOptions {
  uint32_t frame_size = 4096;                       ///< data bytes per frame (a multiple of 4)
  bool blank_frames = true;                         ///< all-0xff frames travel as 11-byte 'B' packets
  std::chrono::milliseconds hello_timeout = 3s;     ///< `go` to the stub's hello
  std::chrono::milliseconds idle_timeout = 1500ms;  ///< silence inside a transfer
  /// How long a stub that did not answer may take to give up by itself (its idle_polls) and
  /// hand the prompt back.
  std::chrono::milliseconds exit_timeout = 15s;
  unsigned resend_rounds = 8;   ///< rounds of re-requests before giving up on a range
  unsigned words_per_line = 8;  ///< `mw.l` commands joined with ';' on one console line
  /// The host's part of the rate switch: how long it tries to hear the stub at the new rate.
  std::chrono::milliseconds sync_timeout = 1000ms;
  /// How long the stub may take to fall back to U-Boot's rate by itself (its sync_polls).
  std::chrono::milliseconds fallback_timeout = 10s;
  /// Where the stub is written; nullopt = the image's link address (the ARM image runs anywhere).
  std::optional<uint32_t> load_addr;
};

struct StubStats {
  uint64_t runs = 0, frames = 0, blank_frames = 0, resent_frames = 0;
  uint64_t bad_packets = 0, junk_bytes = 0;
  uint64_t upload_words = 0;    ///< words written by mw.l (0 when the stub was already there)
  uint64_t rate_fallbacks = 0;  ///< runs where the sync at the fast rate failed (both fell back)
  uint64_t step_downs = 0;      ///< rate steps down after failing frames
};

struct StubUploadOptions;
struct UploadResult;

/// The stub image for a CPU family (empty when built without its cross compiler).
const stub::StubImage& stub_image_for(CpuArch arch);

class StubLoader {
 public:
  StubLoader(UbootSession& s, const SocEntry& soc, StubLoaderOptions opt = {});

  /// Whether this transport and build can run the stub at all; the reason when not.
  static std::optional<std::string> unusable_reason(const io::Transport& t, const SocEntry& soc);

  /// Write the stub with its parameter block unless `crc32` shows it is already in place, then
  /// check it. Throws Error(Protocol) when the device's crc32 of the upload disagrees.
  /// `go ENTRY SRC LEN [DIV]`: DIV (hex) overrides the parameter block's new_div for one run.
  void upload();
  /// Stream [addr, addr+len) through the stub. Every frame is CRC-checked, damaged ones are
  /// requested again, and the whole range must match the stub's CRC-32. nullopt when the stub did
  /// not answer or could not deliver every frame (use md for this range; the console is back at
  /// the prompt when possible, else ConsoleLost is thrown by the next command).
  std::optional<std::vector<uint8_t>> read(uint64_t addr, uint64_t len);

  /// Receive mode (issue 14): write `bytes` to RAM at `addr` through the stub (stub_upload.hpp).
  UploadResult write_ram(uint64_t addr, std::span<const uint8_t> bytes, const StubUploadOptions& opt);

  /// After a camera reset: the stub must be uploaded again before the next read().
  void forget_upload() { uploaded_ = false; }

  /// Rates the stub may switch to, fastest first (only those this UART makes exactly are kept);
  /// empty = stay at the console rate. The adapter is asked for each before the first run.
  void set_rates(const std::vector<uint32_t>& ladder);
  /// The rate the next run asks for (nullopt: the console rate).
  std::optional<uint32_t> next_rate() const;
  /// Drop the current fast rate for later runs (frames kept failing at it). False when none left.
  bool step_down(const std::string& why);
  /// Whether the last read() failed because of its fast rate (worth a retry one step lower).
  bool failed_at_fast_rate() const { return failed_fast_; }
  /// Flash bytes delivered per line rate (the console rate when no switch happened).
  const std::map<uint32_t, uint64_t>& rate_bytes() const { return rate_bytes_; }
  /// What happened with the rates, one clause each ("the adapter refused 1500000", ...).
  const std::vector<std::string>& rate_notes() const { return notes_; }
  uint32_t load_addr() const { return load_; }

  const StubStats& stats() const { return stats_; }
  /// The image bytes with the parameter block filled in (what upload() writes).
  const std::vector<uint8_t>& image() const { return image_; }
  /// Why the last read() returned nullopt.
  const std::string& last_failure() const { return failure_; }

 private:
  bool wait_prompt(std::string& tail, std::chrono::milliseconds timeout);
  void send_command(uint8_t op, uint32_t arg);
  void probe_adapter();
  /// After the hello: the sync exchange at `rate`. Returns the rate the stream uses.
  uint32_t sync_rate(StubStreamDecoder& dec, uint32_t console, uint32_t rate);
  /// Reads into `dec` until done() or `quiet` of silence; watches for a reboot (throws ConsoleLost).
  template <class Done>
  void pump(StubStreamDecoder& dec, std::chrono::milliseconds quiet, Done done);
  void rebooted(const std::string& text);
  bool probe_reboot(StubStreamDecoder& dec);
  /// The steps of read() (stub_loader_run.cpp): `go` and the hello, the repair phase, 'Q' and the
  /// checks of the range.
  uint32_t start_stream(StubStreamDecoder& dec);
  bool stream_answered(StubStreamDecoder& dec);
  void request_missing(StubStreamDecoder& dec, uint32_t rate);
  bool finish_stream(StubStreamDecoder& dec, uint32_t rate);
  /// Reads until the stub's hello (or hello_timeout of silence).
  void wait_hello(StubStreamDecoder& dec);
  void note(const std::string& n);
  std::string uart_advice() const;
  bool reboot_seen(const std::string& text) const;
  /// 'Q' at `rate`, then U-Boot's prompt at U-Boot's rate (a camera that rebooted instead throws
  /// ConsoleLost). False when the prompt did not come back.
  /// `run`: the run's decoder, whose geometry tells the stub's late packets from console text.
  bool back_to_uboot(uint32_t rate, const StubStreamDecoder* run = nullptr);
  bool quit_answered(std::chrono::milliseconds timeout, const StubStreamDecoder* run);
  /// Whether [addr, addr+len) covers the stub (physical addresses: MIPS KSEG0 and KSEG1 alias).
  bool overlaps_stub(uint64_t addr, uint64_t len) const;
  /// One receive-mode run (stub_upload.cpp) and its steps: `go` and the hello, passes of frames,
  /// one pass through the window, the answers, the region's CRC-32, 'Q' and the prompt.
  struct UploadRun;
  bool upload_run(UploadRun& run, UploadResult& res);
  uint32_t start_receiving(UploadRun& run);
  bool hello_heard(UploadRun& run);
  void send_passes(UploadRun& run, UploadResult& res);
  void send_pass(UploadRun& run, UploadResult& res, const std::vector<uint32_t>& todo);
  void listen_answers(UploadRun& run, std::chrono::milliseconds quiet);
  void check_region_crc(UploadRun& run, UploadResult& res);
  bool leave_run(UploadRun& run);
  /// Runs until the bytes are in RAM or nothing lower is left to try (stub_upload.cpp).
  void upload_runs(uint32_t dst, std::span<const uint8_t> bytes, const StubUploadOptions& opt, UploadResult& res);

  UbootSession& s_;
  SocEntry soc_;
  StubLoaderOptions opt_;
  const stub::StubImage& img_;
  std::vector<uint8_t> image_;
  uint32_t load_ = 0;
  bool uploaded_ = false;
  StubStats stats_;
  std::string failure_;
  std::vector<uint32_t> ladder_;                 ///< fast rates still in use, fastest first
  std::optional<std::vector<uint32_t>> wanted_;  ///< set_rates() before the adapter was asked
  std::map<uint32_t, uint64_t> rate_bytes_;
  std::vector<std::string> notes_;
  bool failed_fast_ = false;
  uint32_t line_rate_ = 0;               ///< the rate the host listens at during a run (0: unknown)
  uint32_t console_rate_ = 0;            ///< U-Boot's rate during a run
  unsigned probes_ = 0;                  ///< reboot probes in this run
  std::optional<uint32_t> returned_rc_;  ///< the stub returned to U-Boot by itself (rc)
};

}  // namespace camdump::uboot
