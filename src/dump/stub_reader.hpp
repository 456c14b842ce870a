// SPDX-License-Identifier: MIT
// The binary fast path (issue 8) as seen by the UART dump: which method to use (`--method
// auto|stub|md`, `--soc NAME`) with the reason, and the per-chunk reader that the dump calls for
// every non-blank staged chunk (UartDumpOptions::fast_read). The reader runs the stub until it
// fails once, then leaves the rest to md: chunks already verified stay verified.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uboot/session.hpp"
#include "uboot/soc_table.hpp"
#include "uboot/stub_loader.hpp"

namespace camdump::dump {

enum class UartMethod { Auto, Stub, Md };

/// "auto" / "stub" / "md"; nullopt otherwise.
std::optional<UartMethod> parse_uart_method(std::string_view text);

/// `--fast-baud RATE|auto|off` (issue 18). Auto: the stub switches the UART to the fastest ladder
/// rate (1.5M, 750k, 500k) that the SoC makes exactly and the adapter accepts. RATE: U-Boot's
/// `setenv baudrate` first (UartDumpOptions::fast_baud); where U-Boot refuses, the stub sets RATE
/// (then the ladder below it) itself. Off: U-Boot's rate throughout.
struct FastBaud {
  enum class Mode { Off, Auto, Rate } mode = Mode::Auto;
  uint32_t rate = 0;
};
/// nullopt for anything but auto, off or a rate 1200..4000000.
std::optional<FastBaud> parse_fast_baud(std::string_view text);

struct MethodChoice {
  bool stub = false;
  std::optional<uboot::SocEntry> soc;
  std::string reason;  ///< one line for the user: why stub or why md
};

/// Decide after attach(). Auto: the stub where `go` and `mw` exist, the transport is 8-bit clean,
/// the build has the stub and the UART is known (from `soc_name`, else from what U-Boot printed);
/// md otherwise. Stub: the same checks, but a failed one throws Error(Unsupported) with the reason.
/// Throws Error(Usage) for an unknown --soc.
MethodChoice choose_uart_method(uboot::UbootSession& s, UartMethod method, const std::optional<std::string>& soc_name);

/// Per-chunk reader over the stub; nullopt = read this chunk with md.
///
/// Noise policy (issue 13 item 8): a range whose frames keep failing at a fast rate is read again
/// one rate step lower (StubLoader::step_down); at U-Boot's rate it is read again with frames a
/// quarter the size (4096 -> 1024 -> 256 bytes: at 1e-3 damaged characters a 4 KiB frame arrives
/// intact 1.6 % of the time, a 256-byte one 76 %). Frames shrink first, at the same rate; when
/// 256-byte frames fail too at a fast rate, the rate steps down and the frames return to their
/// first size (the next rate is another line). A range that succeeded only after more re-sent frames
/// than frames also makes later ranges use smaller frames. A clean line never shrinks, so it keeps
/// the large frames' low overhead. Only the frame_size word of the parameter block
/// is rewritten on the device (one mw.l, checked by crc32), not the whole stub.
class StubChunkReader {
 public:
  static constexpr uint32_t kMinFrame = 256;
  StubChunkReader(uboot::UbootSession& s, const uboot::SocEntry& soc, uboot::StubLoaderOptions opt = {});
  std::optional<std::vector<uint8_t>> read(uint64_t ram, uint64_t len);
  bool disabled() const { return disabled_; }
  uboot::StubLoader& loader() { return *loader_; }
  const uboot::StubLoader& loader() const { return *loader_; }
  const std::string& disabled_reason() const { return reason_; }
  /// Summed over every frame size used.
  const uboot::StubStats& stats() const { return stats_; }
  /// Flash bytes the stub carried per line rate, over every frame size used.
  std::map<uint32_t, uint64_t> rate_bytes() const;
  /// Rate and frame-size clauses, without repeats.
  std::vector<std::string> notes() const;
  uint32_t frame_size() const { return frame_; }
  /// The fast rates the stub may use, fastest first (StubLoader::set_rates).
  void set_rates(const std::vector<uint32_t>& ladder);
  uint64_t bytes() const { return bytes_; }  ///< delivered through the stub

  /// The function to put into UartDumpOptions::fast_read (shares this reader).
  static std::function<std::optional<std::vector<uint8_t>>(uint64_t, uint64_t)> hook(
      std::shared_ptr<StubChunkReader> r);

 private:
  void disable(const std::string& why);
  /// Continue with a new loader whose frames hold `size` bytes (same rates still in use).
  void use_frames(uint32_t size, const std::string& why);
  void sum_stats();

  uboot::UbootSession& s_;
  uboot::SocEntry soc_;
  uboot::StubLoaderOptions opt_;
  uint32_t frame_ = 0;
  std::vector<std::unique_ptr<uboot::StubLoader>> loaders_;  ///< retired ones first, the current last
  uboot::StubLoader* loader_ = nullptr;
  std::vector<uint32_t> ladder_;
  std::vector<std::string> own_notes_;
  uboot::StubStats stats_;
  bool disabled_ = false;
  std::string reason_;
  uint64_t bytes_ = 0;
};

/// `--method` / `--soc` of `dump uart` as a UartDumpOptions::fast_read hook: decides on its first
/// call (the session is attached by then), logs the choice with its reason, then reads through
/// the stub or declines (md). Error(Unsupported) from a forced --method stub propagates.
class UartMethodHook {
 public:
  UartMethodHook(uboot::UbootSession& s, UartMethod method, std::optional<std::string> soc,
                 uboot::StubLoaderOptions opt = {}, FastBaud fast = {FastBaud::Mode::Off, 0});
  std::optional<std::vector<uint8_t>> read(uint64_t ram, uint64_t len);
  /// One line for the summary: "binary stub (...), N bytes" / "md: reason".
  std::string summary() const;
  /// "stub" when any chunk travelled through the stub, else "md".
  std::string method_name() const;
  /// Flash bytes the stub carried per line rate (empty without the stub).
  std::map<uint32_t, uint64_t> stub_rate_bytes() const;
  /// The rate clauses (adapter refusals, fallbacks, steps down), joined with "; ".
  std::string rate_note() const;
  bool decided() const { return decided_; }
  const MethodChoice& choice() const { return choice_; }
  const StubChunkReader* reader() const { return reader_.get(); }

  static std::function<std::optional<std::vector<uint8_t>>(uint64_t, uint64_t)> hook(std::shared_ptr<UartMethodHook> h);

 private:
  uboot::UbootSession& s_;
  UartMethod method_;
  std::optional<std::string> soc_;
  uboot::StubLoaderOptions opt_;
  FastBaud fast_;
  bool decided_ = false;
  MethodChoice choice_;
  std::unique_ptr<StubChunkReader> reader_;
};

}  // namespace camdump::dump
