// SPDX-License-Identifier: MIT
// The U-Boot console engine: one UbootSession drives a U-Boot prompt over any io::Transport
// (serial, tcp:, rfc2217:, exec:, sim:). Every U-Boot route (UART md dump, TFTP, SD card, the
// binary-stub fast path) builds on it.
//
// Framing (docs/reference/uboot-console.md, docs/reference/qemu-test-cameras.md#boot, as labgrid's and depthcharge's console drivers do): a command
// is sent only when the console sits at the learned prompt, ends with a single CR (never CR LF,
// never an empty line: an empty line repeats the last md/crc32, U-Boot CMD_FLAG_REPEAT), and its
// reply is everything between the end of the echoed command line and the next prompt that stands
// at the start of a line and at the end of the stream ("\n" + prompt, then silence). The first line
// after sending is always the echo, so it is removed and compared with what was sent; `#`/`=> `
// inside md's ASCII column can never match because the prompt must follow a newline. No `$?`
// (old vendor U-Boots without hush lack it): failure is read from the command's own output.
//
// A camera that reboots mid-command (boot banner, autoboot text) or stops answering raises
// ConsoleLost; the caller re-attach()es and redoes its staging (RAM is lost on reset).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/report.hpp"
#include "io/transport.hpp"
#include "uboot/console_text.hpp"
#include "uboot/md_format.hpp"
#include "uboot/sf_output.hpp"

namespace camdump::uboot {

using namespace std::chrono_literals;

/// Thrown by run()/read_md() when the camera rebooted (banner/autoboot seen) or went silent
/// mid-command. Catch it, attach() again and redo staging.
class ConsoleLost : public Error {
 public:
  enum class Why { Reset, Silent };
  ConsoleLost(Why why, const std::string& message)
      : Error(ErrorKind::Io, message, "check the wiring and the camera's power"), why_(why) {}
  Why why() const noexcept { return why_; }

 private:
  Why why_;
};

/// Everything the session learned about the device (banner, `version`, `coninfo`, `bdinfo`).
struct DeviceInfo {
  std::string prompt;                             ///< "isvp_t31# ", "OpenIPC # ", "=> ", "maltael # "
  std::string version;                            ///< first "U-Boot 20xx..." line seen
  std::string soc;                                ///< "T31", "T31X", "T20" ... when named by prompt/banner; else ""
  std::string console_uart;                       ///< "pl011@9000000", "serial@3f8", "serial@10030000" or ""
  std::optional<uint64_t> console_uart_base;      ///< from console_uart's unit address
  std::string arch;                               ///< "mips", "arm" or "" (from version/bdinfo/board hints)
  bool ingenic = false;                           ///< Ingenic T-series vendor/Thingino U-Boot
  MdDialect md_dialect = MdDialect::Modern;       ///< learned from the first md line seen
  std::optional<uint64_t> dram_start, dram_size;  ///< bdinfo
  std::optional<uint64_t> reloc_addr;             ///< bdinfo relocaddr / boot log "U-Boot at"
  std::string banner;                             ///< boot log text seen during attach() (may be empty)
};

/// How attach() found the console.
struct AttachResult {
  AutobootKind autoboot = AutobootKind::None;  ///< countdown interrupted, if any
  bool was_at_prompt = false;                  ///< a prompt answered without a boot log
  bool linux_seen = false;                     ///< Linux was booting; the user power-cycled
};

/// Outcome of set_baud().
enum class BaudResult {
  Switched,      ///< device and host now run at the new rate, prompt confirmed
  Unchanged,     ///< already at that rate
  NotSupported,  ///< U-Boot refused it ("## Baudrate N bps not supported"); still at the old rate
  HostCannot,    ///< this transport cannot change its rate (raw TCP, exec:)
  FellBack,      ///< the new rate did not answer; back at the old rate, prompt confirmed
};

/// What attach() is seeing while it waits (for a live "waiting for the console" line).
struct AttachWait {
  std::chrono::milliseconds elapsed{0};  ///< time attach() has waited (virtual on sim:)
  std::string_view received;             ///< bytes that arrived since the last call (may be empty)
  bool autoboot = false;                 ///< a countdown was seen and is being stopped
  bool linux_seen = false;               ///< Linux is booting (the user must power-cycle)
  bool done = false;                     ///< the prompt answered; last call
};

struct SessionOptions {
  std::optional<std::regex> prompt;                ///< --prompt REGEX: the prompt must match (whole text)
  std::chrono::milliseconds attach_timeout = 90s;  ///< give up reaching a prompt after this
  std::chrono::milliseconds idle_timeout = 4s;     ///< a command whose output stalls this long is lost
  /// Full transcript tap (--log): called with every chunk of bytes, tx=true for what we sent.
  std::function<void(bool tx, std::string_view bytes)> transcript;
  /// Called about every 100 ms while attach() waits, and once with done=true at the prompt.
  std::function<void(const AttachWait&)> on_attach_wait;
};

/// One `md` read: bytes decoded at `addr`, and which 16-byte lines arrived intact.
struct MdBlock {
  uint64_t addr = 0;
  std::vector<uint8_t> data;  ///< len bytes; lines not received are left 0 (see good)
  std::vector<uint8_t> good;  ///< one entry per 16-byte line: 1 = received and well-formed
  size_t bad_lines() const;
};

class UbootSession {
 public:
  UbootSession(io::Transport& t, Reporter& rep, const CancelFlag* cancel, SessionOptions opt = {});

  /// Reach a prompt from any state (prompt, autoboot countdown of any kind, Linux booting while
  /// the user power-cycles) and learn the prompt. Throws Error(Timeout) with a hint when none
  /// appears within attach_timeout, Error(Cancelled) on cancel.
  AttachResult attach();
  /// Run one command; its output lines (no CR/LF), echo removed. Throws ConsoleLost.
  std::vector<std::string> run(std::string_view cmd);
  std::vector<std::string> run(std::string_view cmd, std::chrono::milliseconds idle_timeout);
  /// Whether `help` lists `name` (the help list is read once and cached).
  bool has_command(std::string_view name);
  /// Banner + `version` + `coninfo` + `bdinfo` facts (queried once, then cached).
  const DeviceInfo& device_info();
  /// `watchdog 0` where the command exists (stock T31 needs it). True when it was run.
  bool disable_watchdog();
  /// Device `crc32 addr len`; nullopt when the reply could not be read (noise). Throws ConsoleLost.
  std::optional<uint32_t> crc32(uint64_t addr, uint64_t len);
  /// `md.<width> addr count`, decoded with parse_md_line (the `camdump hexlog` reader).
  /// addr and len must be multiples of 16. Throws ConsoleLost.
  MdBlock read_md(uint64_t addr, uint64_t len, MdWidth width, Endian endian = Endian::Little);
  /// Widest md that prints well-formed lines at `addr` (4, 2 or 1). md.q is never tried:
  /// it prints nothing on 32-bit builds (docs/reference/qemu-test-cameras.md#boot).
  MdWidth probe_md_width(uint64_t addr);
  /// `sf probe 0` (all dialects of docs/reference/uboot-console.md#sf-probe). Throws Error(Unsupported) without `sf`,
  /// Error(Protocol) when the probe fails.
  SfProbe sf_probe(std::string_view args = "0");
  /// The `setenv baudrate N` dialogue (docs/reference/uboot-console.md#baudrate) with confirm and fallback. Never saveenv.
  BaudResult set_baud(uint32_t rate);
  /// The console rate the session believes both ends use (nullopt: transport has none).
  std::optional<uint32_t> baud() const { return t_.baud(); }

  /// Ctrl-C until the prompt answers again (stops a running md). False when it stays silent.
  bool resync();

  io::Transport& transport() { return t_; }
  Reporter& reporter() { return rep_; }
  const CancelFlag* cancel_flag() const { return cancel_; }
  const std::string& prompt() const { return info_.prompt; }
  /// Bytes both ways on the transport so far.
  uint64_t wire_bytes() const { return t_.rx_bytes() + t_.tx_bytes(); }
  /// Prompts damaged by line noise that were confirmed with Ctrl-C instead of counting as lost.
  uint64_t noisy_prompts() const { return noisy_prompts_; }

 private:
  void send(std::string_view bytes);
  size_t read_some(std::chrono::milliseconds timeout);
  std::string take_line();
  bool at_prompt_tail() const;
  void drain(std::chrono::milliseconds quiet);
  void learn_md_dialect(std::string_view line);
  bool confirm_prompt(size_t damaged_len, std::string_view cmd);
  // run()'s steps
  void check_for_reboot(size_t& scan, std::string_view cmd, bool banner_ok);
  void wait_more(std::chrono::milliseconds idle_timeout, size_t scan, std::string_view cmd);
  // attach()'s steps (session_attach.cpp)
  struct AttachState;
  void send_key(std::string_view keys, AttachState& s);
  void react_to_boot_text(std::string_view recent, AttachState& s);
  void keep_boot_log(AttachState& s);
  bool confirm_attach(const std::string& cand, AttachState& s);
  // set_baud()'s steps
  bool confirm_baud(uint32_t rate);
  void fall_back_baud(uint32_t rate, uint32_t old_rate);

  io::Transport& t_;
  Reporter& rep_;
  const CancelFlag* cancel_;
  SessionOptions opt_;
  std::string buf_;  ///< received, not yet consumed
  DeviceInfo info_;
  bool info_done_ = false, md_dialect_known_ = false;
  uint64_t noisy_prompts_ = 0;
  std::optional<std::vector<std::string>> help_;
};

}  // namespace camdump::uboot
