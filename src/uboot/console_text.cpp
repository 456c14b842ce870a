// SPDX-License-Identifier: MIT
#include "uboot/console_text.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

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

// End of the last approximate occurrence of `pat` in `text` with at most `k` characters dropped,
// changed or inserted (Sellers' dynamic programming), npos when none.
static size_t approx_find_last(std::string_view text, std::string_view pat, size_t k) {
  std::vector<size_t> col(pat.size() + 1);
  for (size_t i = 0; i <= pat.size(); ++i) col[i] = i;
  size_t found = std::string_view::npos;
  for (size_t j = 0; j < text.size(); ++j) {
    size_t diag = 0;  // D[0][j] = 0: a match may start anywhere
    for (size_t i = 1; i <= pat.size(); ++i) {
      const size_t up = col[i];
      col[i] = std::min({col[i] + 1, col[i - 1] + 1, diag + (pat[i - 1] == text[j] ? 0 : 1)});
      diag = up;
    }
    if (col[pat.size()] <= k) found = j + 1;
  }
  return found;
}

// Each countdown text is matched whole with up to two characters damaged (line noise). The texts
// are longer than md's 16-character ASCII column, so dumped U-Boot strings never match.
// Texts: docs/reference/uboot-console.md#autoboot.
AutobootAt find_last_autoboot(std::string_view text) {
  struct Text {
    AutobootKind kind;
    std::string_view s;
  };
  static constexpr Text kTexts[] = {
      {AutobootKind::CtrlC, "press ctrl-c now to interrupt boot"},
      {AutobootKind::Enter, "press enter to interrupt boot in"},
      {AutobootKind::OpenIpc, "press ctrl-c to abort autoboot"},
      {AutobootKind::AnyKey, "hit any key to stop autoboot"},
  };
  const std::string l = lower(text);
  AutobootAt best;
  for (const Text& t : kTexts) {
    size_t end = approx_find_last(l, t.s, 2);
    if (end != std::string_view::npos && (best.kind == AutobootKind::None || end > best.end)) best = {t.kind, end};
  }
  // "Autoboot in %d seconds" (modern AUTOBOOT_KEYED's default prompt).
  for (size_t p = l.rfind("autoboot in "); p != std::string::npos;
       p = p ? l.rfind("autoboot in ", p - 1) : std::string::npos) {
    size_t d = p + 12, e = d;
    while (e < l.size() && std::isdigit(static_cast<unsigned char>(l[e]))) ++e;
    if (e > d && l.compare(e, 7, " second") == 0) {
      if (best.kind == AutobootKind::None || e + 7 > best.end) best = {AutobootKind::Keyed, e + 7};
      break;
    }
    if (p == 0) break;
  }
  return best;
}

AutobootKind find_autoboot(std::string_view text) { return find_last_autoboot(text).kind; }

std::string_view autoboot_stop_keys(AutobootKind kind) {
  switch (kind) {
    case AutobootKind::AnyKey:
    case AutobootKind::CtrlC:
    case AutobootKind::OpenIpc: return "\x03";
    case AutobootKind::Enter: return "\r";
    case AutobootKind::Keyed:
    case AutobootKind::None: break;
  }
  // Unknown stop string: Ctrl-C (AUTOBOOT_KEYED_CTRLC) and Enter. A CR left over reaches a fresh
  // prompt as an empty line, which repeats nothing right after a boot.
  return "\x03\r";
}

std::string_view autoboot_key_name(AutobootKind kind) {
  switch (kind) {
    case AutobootKind::AnyKey: return "any key (Ctrl-C)";
    case AutobootKind::CtrlC:
    case AutobootKind::OpenIpc: return "Ctrl-C";
    case AutobootKind::Enter: return "Enter";
    default: return "Ctrl-C and Enter";
  }
}

bool find_linux(std::string_view text) {
  static constexpr std::string_view kSigns[] = {
      "Starting kernel", "Uncompressing Linux",  "Linux version ", "[    0.000000]",
      "Booting Linux",   "Kernel command line:", "login:",         "Freeing unused kernel"};
  return std::any_of(std::begin(kSigns), std::end(kSigns), [&](std::string_view s) { return has(text, s); });
}

bool find_banner_line(std::string_view text) {
  // A banner is longer than md's 16-character ASCII column, so "U-Boot SPL" inside dumped flash
  // data (a short ASCII column) is not taken for a reboot: require > 16 characters after it on
  // the same line. Thingino's fork prints "Thingino U-Boot for Ingenic [T31X SPL ]2013.07 (...)".
  for (std::string_view sig :
       {std::string_view("U-Boot SPL "), std::string_view("U-Boot 20"), std::string_view("U-Boot for Ingenic ")}) {
    size_t p = 0;
    while ((p = text.find(sig, p)) != std::string_view::npos) {
      size_t eol = text.find('\n', p);
      size_t rest = (eol == std::string_view::npos ? text.size() : eol) - p;
      if (rest > 17) return true;
      p += sig.size();
    }
  }
  return false;
}

bool find_boot_banner(std::string_view text) {
  return find_banner_line(text) || find_autoboot(text) != AutobootKind::None;
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

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

size_t damaged_prompt_tail(std::string_view text, std::string_view prompt, size_t max_edits) {
  // Short prompts ("=> ") are too easy to match by chance: allow fewer edits the shorter it is.
  max_edits = std::min(max_edits, prompt.size() >= 8 ? size_t{2} : prompt.size() >= 5 ? size_t{1} : size_t{0});
  if (prompt.empty()) return 0;
  size_t nl = text.rfind('\n');
  std::string_view last = nl == std::string_view::npos ? text : text.substr(nl + 1);
  size_t best = 0, best_d = max_edits + 1;
  const size_t lo = prompt.size() > max_edits ? prompt.size() - max_edits : 1;
  for (size_t k = lo; k <= prompt.size() + max_edits && k <= last.size(); ++k) {
    size_t d = edit_distance(last.substr(last.size() - k), prompt);
    if (d < best_d) best_d = d, best = k;
  }
  return best_d <= max_edits ? best : 0;
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
    // The first line naming U-Boot and a 20xx.xx version that is not an SPL line: upstream
    // "U-Boot 2023.01 (...)", Thingino "Thingino U-Boot for Ingenic 2013.07 (...)" (its SPL line
    // "Thingino U-Boot for Ingenic T31X SPL 2013.07" is not the version).
    static const std::regex ver(R"(20\d\d\.\d\d)");
    size_t pos = 0;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string::npos) eol = text.size();
      std::string line = text.substr(pos, eol - pos);
      pos = eol + 1;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      size_t ub = line.find("U-Boot");
      if (ub == std::string::npos || has(line, "SPL") || !std::regex_search(line, ver)) continue;
      size_t start = line.find_first_not_of(" \t\r");
      // "Thingino U-Boot for ..." keeps its first word; otherwise start at "U-Boot".
      if (start == std::string::npos || line.compare(start, 8, "Thingino") != 0) start = ub;
      f.version = line.substr(start);
      break;
    }
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
    else if (has(text, "mips") || has(text, "MIPS") || has(text, "Malta")) f.arch = "mips";
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
