// SPDX-License-Identifier: MIT
// Pure readers for what a U-Boot console prints around commands: the prompt at the end of the
// stream, the three autoboot countdowns, a Linux boot, a U-Boot boot banner, and device facts
// (SoC, console UART, RAM) from the banner, `version`, `coninfo` and `bdinfo`.
// Facts: docs/reference/uboot-console.md#autoboot, docs/reference/uboot-console.md#ram, docs/reference/qemu-test-cameras.md#boot.
#pragma once
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace camdump::uboot {

/// The autoboot countdowns (docs/reference/uboot-console.md#autoboot).
enum class AutobootKind {
  None,
  AnyKey,   ///< "Hit any key to stop autoboot" (stock Ingenic import, upstream): any key
  CtrlC,    ///< Thingino keyed: "Press Ctrl-C now to interrupt boot" (stop string "\x03")
  OpenIpc,  ///< OpenIPC before 2024: "Press Ctrl-c to abort autoboot" (Ctrl-C)
  Enter,    ///< OpenIPC since 90873ad: "Press ENTER to interrupt boot in %d..." (CR only)
  Keyed,    ///< modern keyed default "Autoboot in %d seconds" (stop string unknown)
};

/// The countdown text in `text`, if any (case-insensitive; a few fragments of each text are
/// accepted, so one damaged character does not hide it).
AutobootKind find_autoboot(std::string_view text);
/// The last countdown in `text`: its kind and where its text ends (npos-free; kind None = none).
struct AutobootAt {
  AutobootKind kind = AutobootKind::None;
  size_t end = 0;  ///< offset just past the matched fragment
};
AutobootAt find_last_autoboot(std::string_view text);
/// What stops a countdown: "\x03" (any key, Ctrl-C texts), "\r" (OpenIPC's ENTER), "\x03\r" when
/// the stop string is unknown (Keyed, or a banner seen before any countdown: bootdelay 0).
std::string_view autoboot_stop_keys(AutobootKind kind);
/// A short name for logs: "any key", "Ctrl-C", "Enter", "Ctrl-C and Enter".
std::string_view autoboot_key_name(AutobootKind kind);
/// A Linux kernel boot or a login/shell prompt in `text` ("Starting kernel", "Linux version",
/// "[    0.000000]", "login:").
bool find_linux(std::string_view text);
/// A U-Boot (re)boot banner in `text`: "U-Boot SPL ", "U-Boot 20xx.xx (" or Thingino's
/// "Thingino U-Boot for Ingenic …" followed by more than md's 16-character ASCII column on the
/// same line, or an autoboot countdown.
bool find_boot_banner(std::string_view text);
/// Like find_boot_banner but only the banner lines (no countdown texts).
bool find_banner_line(std::string_view text);

/// The prompt candidate at the end of `text`: the text after the last '\n' when it looks like a
/// U-Boot prompt (1..40 printable characters ending in "# ", "> ", "$ ", "#" or ">"), else "".
/// `text` is what arrived before the console went quiet.
std::string prompt_candidate(std::string_view text);
/// True when `text` ends with "\n" + prompt (the prompt at the start of a line, nothing after).
/// With a regex, the last line must match it entirely instead.
bool ends_with_prompt(std::string_view text, std::string_view prompt);
bool ends_with_prompt(std::string_view text, const std::regex& prompt);
/// Line noise tolerance: the length of a damaged copy of `prompt` at the end of `text` (at most
/// `max_edits` characters dropped, changed or inserted, anywhere on the last line), 0 when the end
/// does not look like the prompt. Only a hint: the caller confirms it (Ctrl-C brings an exact one).
size_t damaged_prompt_tail(std::string_view text, std::string_view prompt, size_t max_edits = 2);

/// Facts in free console text (banner, version, coninfo, bdinfo). Fields stay empty when absent.
struct ConsoleFacts {
  std::string version;       ///< "U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)"
  std::string soc;           ///< "T31", "T31X" from "Ingenic T31X" or prompt "isvp_t31# "
  std::string console_uart;  ///< "pl011@9000000" from "In:    pl011@9000000"
  std::optional<uint64_t> console_uart_base;
  std::string arch;  ///< "arm"/"mips" (bdinfo "arch_number", "-gcc" triplet, boot log)
  bool ingenic = false;
  std::optional<uint64_t> dram_start, dram_size, reloc_addr;
};
/// Merge what `text` says into `facts` (later calls only fill empty fields).
void read_console_facts(std::string_view text, ConsoleFacts& facts);
/// SoC from an Ingenic prompt ("isvp_t31# " -> "T31"), else "".
std::string soc_from_prompt(std::string_view prompt);

/// Reply of `setenv baudrate N`.
enum class BaudReply { None, NotSupported, SwitchPrompt };
BaudReply find_baud_reply(std::string_view text);

}  // namespace camdump::uboot
