// SPDX-License-Identifier: MIT
#include "uboot/console_text.hpp"

#include <algorithm>
#include <cctype>

#include "core/size.hpp"

namespace camdump::uboot {
namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}
bool has(std::string_view s, std::string_view n) { return s.find(n) != std::string_view::npos; }

std::optional<uint64_t> hex_after(const std::string& text, const std::regex& re) {
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::nullopt;
  return parse_hex(m[1].str());
}

}  // namespace

AutobootKind find_autoboot(std::string_view text) {
  std::string l = lower(text);
  if (has(l, "press ctrl-c now to interrupt boot")) return AutobootKind::CtrlC;  // Thingino keyed
  if (has(l, "press ctrl-c to abort autoboot")) return AutobootKind::OpenIpc;
  if (has(l, "hit any key to stop autoboot")) return AutobootKind::AnyKey;
  if (has(l, "autoboot in ") && has(l, " second")) return AutobootKind::Keyed;
  return AutobootKind::None;
}

bool find_linux(std::string_view text) {
  static constexpr std::string_view kSigns[] = {
      "Starting kernel", "Uncompressing Linux", "Linux version ", "[    0.000000]",
      "Booting Linux",   "Kernel command line:", "login:",        "Freeing unused kernel"};
  return std::any_of(std::begin(kSigns), std::end(kSigns), [&](std::string_view s) { return has(text, s); });
}

bool find_boot_banner(std::string_view text) {
  // A banner is longer than md's 16-character ASCII column, so "U-Boot SPL" inside dumped flash
  // data (a short ASCII column) is not taken for a reboot: require > 16 characters after it on
  // the same line.
  for (std::string_view sig : {std::string_view("U-Boot SPL "), std::string_view("U-Boot 20")}) {
    size_t p = 0;
    while ((p = text.find(sig, p)) != std::string_view::npos) {
      size_t eol = text.find('\n', p);
      size_t rest = (eol == std::string_view::npos ? text.size() : eol) - p;
      if (rest > 17) return true;
      p += sig.size();
    }
  }
  return find_autoboot(text) != AutobootKind::None;
}

std::string prompt_candidate(std::string_view text) {
  size_t nl = text.rfind('\n');
  if (nl == std::string_view::npos) return {};
  std::string_view t = text.substr(nl + 1);
  while (!t.empty() && t.front() == '\r') t.remove_prefix(1);
  if (t.empty() || t.size() > 40) return {};
  for (char c : t)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return {};
  std::string_view core = t;
  if (core.back() == ' ') core.remove_suffix(1);
  if (core.empty()) return {};
  char last = core.back();
  if (last != '#' && last != '>' && last != '$') return {};
  return std::string(t);
}

bool ends_with_prompt(std::string_view text, std::string_view prompt) {
  if (prompt.empty() || !text.ends_with(prompt)) return false;
  size_t at = text.size() - prompt.size();
  return at == 0 || text[at - 1] == '\n';
}

bool ends_with_prompt(std::string_view text, const std::regex& prompt) {
  size_t nl = text.rfind('\n');
  std::string last(nl == std::string_view::npos ? text : text.substr(nl + 1));
  if (last.empty()) return false;
  return std::regex_match(last, prompt);
}

std::string soc_from_prompt(std::string_view prompt) {
  std::string p = lower(prompt);
  static const std::regex re(R"(^isvp_(t\d+[a-z]*)#)");
  std::smatch m;
  if (!std::regex_search(p, m, re)) return {};
  std::string s = m[1].str();
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void read_console_facts(std::string_view text_in, ConsoleFacts& f) {
  std::string text(text_in);
  std::smatch m;
  if (f.version.empty()) {
    static const std::regex ver(R"((?:^|\n)[^\n]*?(U-Boot (?!SPL)[^\n]*?20\d\d\.\d\d[^\r\n]*))");
    if (std::regex_search(text, m, ver)) f.version = m[1].str();
  }
  static const std::regex soc(R"(Ingenic\s+(T\d+[A-Z]*))");
  if (f.soc.empty() && std::regex_search(text, m, soc)) f.soc = m[1].str();
  if (has(text, "Ingenic") || has(text, "isvp_") || has(text, "xburst") || has(text, "JZSFC")) {
    f.ingenic = true;
    if (f.arch.empty()) f.arch = "mips";
  }
  static const std::regex in(R"((?:^|\n)In:\s+([^\s/]+))");
  if (f.console_uart.empty() && std::regex_search(text, m, in)) {
    f.console_uart = m[1].str();
    if (auto at = f.console_uart.find('@'); at != std::string::npos)
      f.console_uart_base = parse_hex(std::string_view(f.console_uart).substr(at + 1));
  }
  if (f.arch.empty()) {
    if (has(text, "arm-linux-") || has(text, "aarch64") || has(text, "arch_number") || has(text, "pl011"))
      f.arch = "arm";
    else if (has(text, "mips") || has(text, "MIPS") || has(text, "Malta"))
      f.arch = "mips";
  }
  static const std::regex start(R"((?:-> start|memstart)\s*=\s*0x([0-9a-fA-F]+))");
  static const std::regex size(R"((?:-> size|memsize)\s*=\s*0x([0-9a-fA-F]+))");
  static const std::regex reloc(R"(relocaddr\s*=\s*0x([0-9a-fA-F]+))");
  if (!f.dram_start) f.dram_start = hex_after(text, start);
  if (!f.dram_size) f.dram_size = hex_after(text, size);
  if (!f.reloc_addr) f.reloc_addr = hex_after(text, reloc);
}

BaudReply find_baud_reply(std::string_view text) {
  if (has(text, "not supported")) return BaudReply::NotSupported;
  if (has(text, "Switch baudrate to")) return BaudReply::SwitchPrompt;
  return BaudReply::None;
}

}  // namespace camdump::uboot
