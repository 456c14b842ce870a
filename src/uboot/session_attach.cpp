// SPDX-License-Identifier: MIT
// UbootSession: getting to a prompt from any state, device facts, and the baud-rate dialogue.
// Facts: docs/reference/uboot-console.md#baudrate, docs/reference/uboot-console.md#baudrate, docs/reference/qemu-test-cameras.md#boot.
#include <fmt/format.h>

#include "uboot/session.hpp"

namespace camdump::uboot {
namespace {

using Clock = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

// Time that counts for timeouts: wall time, or the sum of read timeouts that passed without
// data when that is larger (the virtual camera's clock runs on read timeouts, not on the wall).
struct Elapsed {
  Clock::time_point start = Clock::now();
  ms idle_sum{0};
  ms now() const {
    auto wall = std::chrono::duration_cast<ms>(Clock::now() - start);
    return std::max(wall, idle_sum);
  }
};

constexpr ms kSlice = 100ms;

[[noreturn]] void attach_timeout(const AttachResult& r, bool any_rx) {
  if (r.linux_seen)
    fail(ErrorKind::Timeout, "Linux is running and no U-Boot prompt appeared",
         "power-cycle the camera while camdump waits: it sends Ctrl-C to stop autoboot");
  fail(ErrorKind::Timeout, any_rx ? "no U-Boot prompt recognised" : "the console printed nothing",
       any_rx ? "power-cycle the camera while camdump waits, or give --prompt REGEX"
              : "check TX/RX/GND wiring and --baud, then power-cycle the camera");
}

}  // namespace

// What attach() knows between two reads.
struct UbootSession::AttachState {
  AttachResult r;
  Elapsed el;
  ms quiet{0}, last_ctrlc{-10000};
  bool linux_now = false, any_rx = false, early_key_said = false;
  std::string banner;  ///< the boot log seen so far (device facts)
};

void UbootSession::send_key(std::string_view keys, AttachState& s) {
  send(keys);
  s.last_ctrlc = s.el.now();
}

void UbootSession::react_to_boot_text(std::string_view recent, AttachState& s) {
  // A countdown is stopped once a prompt-like line follows its text.
  const AutobootAt ab = find_last_autoboot(recent);
  if (ab.kind != AutobootKind::None && prompt_candidate(recent.substr(ab.end)).empty()) {
    // Each text's own key (docs/reference/uboot-console.md#autoboot): Ctrl-C for "any key",
    // Thingino's and old OpenIPC's texts, CR for OpenIPC's "Press ENTER", both when unknown.
    if (s.el.now() - s.last_ctrlc >= 50ms) send_key(autoboot_stop_keys(ab.kind), s);
    if (s.r.autoboot != ab.kind)
      rep_.log(LogLevel::Info, fmt::format("autoboot countdown seen: stopping it with {}", autoboot_key_name(ab.kind)));
    s.r.autoboot = ab.kind;
    s.linux_now = false;
  } else if (ab.kind != AutobootKind::None) {
    s.linux_now = false;  // stopped: the prompt is being printed
  } else if (find_linux(recent)) {
    if (!s.r.linux_seen)
      rep_.log(LogLevel::Warn,
               "Linux is booting: power-cycle the camera now; camdump keeps sending Ctrl-C until "
               "U-Boot's prompt appears");
    s.r.linux_seen = s.linux_now = true;
  } else if (find_banner_line(recent)) {
    // U-Boot is starting and no countdown is shown yet: with bootdelay 0 there is none to see,
    // only a key already waiting stops autoboot (CONFIG_ZERO_BOOTDELAY_CHECK; modern U-Boot
    // always checks). Ctrl-C and CR stop every known countdown; right after a reset a CR at the
    // prompt is an empty line with nothing to repeat.
    s.linux_now = false;
    if (prompt_candidate(recent).empty() && s.el.now() - s.last_ctrlc >= 100ms) {
      send_key(autoboot_stop_keys(AutobootKind::None), s);
      if (!s.early_key_said)
        rep_.log(LogLevel::Info, "U-Boot is starting: sending Ctrl-C and Enter to stop autoboot before its countdown");
      s.early_key_said = true;
    }
  }
}

void UbootSession::keep_boot_log(AttachState& s) {
  // Keep the boot log for device facts, but keep buf_ short.
  if (buf_.size() <= 4096) return;
  size_t cut = buf_.rfind('\n', buf_.size() - 512);
  if (cut != std::string::npos && cut > 0) {
    if (s.banner.size() < 65536) s.banner.append(buf_, 0, cut + 1);
    buf_.erase(0, cut + 1);
  }
}

bool UbootSession::confirm_attach(const std::string& cand, AttachState& s) {
  // Confirm: Ctrl-C at a U-Boot prompt prints "<INTERRUPT>" and the same prompt again.
  s.banner += buf_;
  info_.prompt = cand;
  buf_.clear();
  send_key("\x03", s);
  bool ok = false;
  for (int i = 0; i < 15 && !ok; ++i) {
    if (read_some(kSlice) == 0) {
      s.el.idle_sum += kSlice;
      ok = at_prompt_tail();
    }
  }
  if (!ok) {
    info_.prompt.clear();
    return false;
  }
  s.r.was_at_prompt = s.r.autoboot == AutobootKind::None && !s.r.linux_seen;
  info_.banner += s.banner;
  ConsoleFacts f;
  read_console_facts(info_.banner, f);
  if (info_.version.empty()) info_.version = f.version;
  buf_.clear();
  if (opt_.on_attach_wait)
    opt_.on_attach_wait({s.el.now(), {}, s.r.autoboot != AutobootKind::None, s.r.linux_seen, true});
  rep_.log(LogLevel::Info, fmt::format("U-Boot prompt '{}'", info_.prompt));
  return true;
}

AttachResult UbootSession::attach() {
  AttachState s;
  s.any_rx = !buf_.empty();
  bool first = true;
  for (;;) {
    check_cancel(cancel_);
    if (s.el.now() > opt_.attach_timeout) attach_timeout(s.r, s.any_rx);
    // Text left over from run() (a reboot seen mid-command) is looked at before reading more: with
    // bootdelay 0 the stop key must already be waiting when U-Boot checks for it.
    const bool leftover = first && !buf_.empty();
    first = false;
    size_t n = leftover ? 0 : read_some(kSlice);
    if (n) {
      s.any_rx = true;
      s.quiet = 0ms;
    } else if (!leftover) {
      s.quiet += kSlice;
      s.el.idle_sum += kSlice;
    }
    // Look at the unfinished tail plus the last few lines only (the boot log can be long).
    size_t from = buf_.size() > 400 ? buf_.size() - 400 : 0;
    react_to_boot_text(std::string_view(buf_).substr(from), s);
    keep_boot_log(s);
    if (opt_.on_attach_wait)
      opt_.on_attach_wait({s.el.now(), std::string_view(buf_).substr(buf_.size() - std::min(n, buf_.size())),
                           s.r.autoboot != AutobootKind::None, s.r.linux_seen, false});
    if (s.linux_now && s.el.now() - s.last_ctrlc >= 100ms) send_key("\x03", s);
    if (n != 0) continue;
    std::string cand;
    if (opt_.prompt) {
      if (ends_with_prompt(buf_, *opt_.prompt)) cand = buf_.substr(buf_.rfind('\n') + 1);
    } else {
      cand = prompt_candidate(buf_);
    }
    if (!cand.empty() && !s.linux_now) {
      if (confirm_attach(cand, s)) return s.r;
      continue;
    }
    // Silent, or quiet without a prompt: poke with Ctrl-C (never an empty line).
    if (s.quiet >= 1000ms && s.el.now() - s.last_ctrlc >= 1000ms) send_key("\x03", s);
  }
}

const DeviceInfo& UbootSession::device_info() {
  if (info_done_) return info_;
  ConsoleFacts f;
  read_console_facts(info_.banner, f);
  auto join = [](const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  };
  std::string v = join(run("version"));
  read_console_facts(v, f);
  if (has_command("coninfo")) read_console_facts(join(run("coninfo")), f);
  if (has_command("bdinfo")) read_console_facts(join(run("bdinfo")), f);
  info_.version = f.version;
  info_.soc = f.soc.empty() ? soc_from_prompt(info_.prompt) : f.soc;
  info_.console_uart = f.console_uart;
  info_.console_uart_base = f.console_uart_base;
  info_.arch = f.arch;
  info_.ingenic = f.ingenic || !soc_from_prompt(info_.prompt).empty();
  if (info_.ingenic && info_.arch.empty()) info_.arch = "mips";
  info_.dram_start = f.dram_start;
  info_.dram_size = f.dram_size;
  info_.reloc_addr = f.reloc_addr;
  info_done_ = true;
  rep_.log(LogLevel::Info, fmt::format("device: {}{}{}", info_.version.empty() ? "U-Boot" : info_.version,
                                       info_.soc.empty() ? "" : ", SoC " + info_.soc,
                                       info_.console_uart.empty() ? "" : ", console " + info_.console_uart));
  return info_;
}

// After the switch: CR ends U-Boot's wait loop (at a prompt it is an empty line after a setenv:
// harmless); the prompt must answer at the new rate and `printenv baudrate` show it. Three tries.
bool UbootSession::confirm_baud(uint32_t rate) {
  for (int i = 0; i < 3; ++i) {
    buf_.clear();
    send("\r");
    Elapsed e2;
    while (e2.now() < 800ms) {
      if (read_some(100ms) == 0) {
        e2.idle_sum += 100ms;
        if (at_prompt_tail()) break;
      }
    }
    if (at_prompt_tail()) {
      buf_.clear();
      try {
        for (const auto& l : run("printenv baudrate"))
          if (l == fmt::format("baudrate={}", rate)) return true;
      } catch (const ConsoleLost&) {}
    }
  }
  return false;
}

// The new rate does not work here: back to the old one and make sure the prompt answers there.
void UbootSession::fall_back_baud(uint32_t rate, uint32_t old_rate) {
  t_.set_baud(old_rate);
  drain(100ms);
  send("\r");
  drain(200ms);
  buf_.clear();
  if (!resync())
    fail(ErrorKind::Io, fmt::format("the camera switched to {} baud and stopped answering", rate),
         "power-cycle the camera and run again with --fast-baud off");
  // Put U-Boot's variable back too (it may think it runs at `rate`).
  buf_.clear();
  send(fmt::format("setenv baudrate {}\r", old_rate));
  drain(300ms);
  if (find_baud_reply(buf_) == BaudReply::SwitchPrompt) send("\r");  // same rate: just confirm
  drain(200ms);
  buf_.clear();
  resync();
  rep_.log(LogLevel::Warn, fmt::format("{} baud did not answer; staying at {}", rate, old_rate));
}

// `setenv baudrate N` (docs/reference/uboot-console.md#baudrate): refused with "## Baudrate N bps not supported", or
// "## Switch baudrate to N bps and press ENTER ...", 50 ms, switch, 50 ms, then U-Boot waits for
// '\r' at the new rate. Setting the current value is a no-op. Never saveenv.
BaudResult UbootSession::set_baud(uint32_t rate) {
  auto cur = t_.baud();
  if (!cur) return BaudResult::HostCannot;
  if (*cur == rate) return BaudResult::Unchanged;
  check_cancel(cancel_);
  buf_.clear();
  std::string cmd = fmt::format("setenv baudrate {}", rate);
  send(cmd + "\r");
  BaudReply reply = BaudReply::None;
  Elapsed el;
  while (el.now() < 3000ms) {
    if (read_some(100ms) == 0) {
      el.idle_sum += 100ms;
      if (at_prompt_tail()) break;
    }
    reply = find_baud_reply(buf_);
    if (reply == BaudReply::SwitchPrompt && buf_.find("ENTER") != std::string::npos) break;
  }
  if (reply == BaudReply::NotSupported) {
    buf_.clear();
    rep_.log(LogLevel::Info, fmt::format("U-Boot refuses {} baud (not in its baud table)", rate));
    return BaudResult::NotSupported;
  }
  if (reply != BaudReply::SwitchPrompt) {
    buf_.clear();
    if (!resync()) throw ConsoleLost(ConsoleLost::Why::Silent, "no prompt after " + cmd);
    return BaudResult::Unchanged;
  }
  // U-Boot switches 50 ms after its message; give it 150 ms, then follow.
  drain(150ms);
  if (!t_.set_baud(rate)) return BaudResult::HostCannot;
  drain(60ms);  // garbage from the switch
  if (confirm_baud(rate)) {
    rep_.log(LogLevel::Info, fmt::format("console switched to {} baud", rate));
    return BaudResult::Switched;
  }
  fall_back_baud(rate, *cur);
  return BaudResult::FellBack;
}

}  // namespace camdump::uboot
