// SPDX-License-Identifier: MIT
// HexlogReader: the lines of a log that are not md data. Echoed commands at a prompt give the
// target range and confirm the first line of a run: `md[.b|.w|.l] ADDR [COUNT]` (U-Boot cmd/mem.c
// do_mem_md: ADDR and COUNT hex, COUNT in units, `md` alone is md.l, a missing COUNT repeats the
// last one, 0x40 at boot; an empty line at the prompt repeats md at the next address with the
// same count), `setenv NAME VALUE` (so `md.b ${baseaddr} ${flashsize}` can be read). `crc32`
// results (common/hash.c, both forms) are kept and checked in finish().
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "core/size.hpp"
#include "dump/hexlog.hpp"
#include "uboot/crc32_output.hpp"

namespace camdump::dump {
namespace {

constexpr size_t kMaxPrompt = 40;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "PROMPT COMMAND": the prompt ends at the first '#' or '>' followed by a blank or the line end
// ("isvp_t31# ", "=> ", "SOC # ", "U-Boot> "), within the first kMaxPrompt characters.
std::optional<std::pair<std::string_view, std::string_view>> split_prompt(std::string_view line) {
  for (size_t i = 0; i < line.size() && i < kMaxPrompt; ++i) {
    if (line[i] != '#' && line[i] != '>') continue;
    if (i + 1 < line.size() && line[i + 1] != ' ' && line[i + 1] != '\t') continue;
    return std::pair{trim(line.substr(0, i + 1)), trim(line.substr(i + 1))};
  }
  return std::nullopt;
}

std::string_view next_word(std::string_view& s) {
  s = trim(s);
  size_t e = 0;
  while (e < s.size() && s[e] != ' ' && s[e] != '\t') ++e;
  std::string_view w = s.substr(0, e);
  s.remove_prefix(e);
  return w;
}

}  // namespace

void HexlogReader::other_line(std::string_view clean, bool terminated) {
  if (line_no_ == 1) first_ = First::Other;
  if (pending_ && pending_->line + 1 == line_no_) pending_->then_text = true;
  close_corrupt();
  if (clean.find("==>") != std::string_view::npos) {
    if (auto c = uboot::parse_crc32_line(clean); c && c->end >= c->start) {
      HexlogCrc k;
      k.addr = c->start;
      k.size = c->end - c->start + 1;
      k.crc = c->crc;
      k.source = source_;
      k.line = line_no_;
      crcs_.push_back(k);
    }
    return;  // a damaged crc32 result is no command line ("==> " holds a '>')
  }
  const auto pc = split_prompt(clean);
  if (!pc) return;
  const auto [prompt, cmd_text] = *pc;
  if (cmd_text.empty()) {
    // An empty command line. Only a line that really ended (Enter was pressed) repeats; the last
    // prompt of a log does not.
    if (!terminated) return;
    if (prompt_.empty()) {
      needs_context_ = true;  // the reader before this part may know the prompt and last command
      return;
    }
    if (prompt != prompt_ || !last_cmd_md_ || !last_md_) return;
    MdCommand next = *last_md_;
    next.addr += next.units * next.width;
    last_md_ = next;
    // It takes effect (range, run) at the next md line: U-Boot prints the next block.
    if (pending_) drop_pending();
    repeat_ = next;
    cmd_end_ = next.addr + next.units * next.width;
    expect_ = next.addr;
    corrupt_since_ = 0;
    good_end_ = next.addr;
    good_line_ = line_no_;
    return;
  }
  saw_command_ = true;
  // Commands separated by ';' run one after the other (both of U-Boot's parsers); their md
  // outputs follow each other in the log, so only the first one starts a run here.
  bool first_md = true;
  unsigned commands = 0;
  for (std::string_view rest_all = cmd_text; !rest_all.empty();) {
    const size_t semi = rest_all.find(';');
    std::string_view rest = rest_all.substr(0, semi);
    rest_all = semi == std::string_view::npos ? std::string_view{} : rest_all.substr(semi + 1);
    if (trim(rest).empty()) continue;
    ++commands;
    if (one_command(rest, prompt, first_md)) first_md = false;
  }
  if (commands > 1) last_cmd_md_ = false;  // an empty line would repeat the whole line: not followed
}

bool HexlogReader::one_command(std::string_view rest, std::string_view prompt, bool starts_run) {
  const std::string_view verb = next_word(rest);
  auto value = [&](std::string_view w) -> std::optional<uint64_t> {
    std::string text(w);
    if (text.size() > 3 && text[0] == '$' && text[1] == '{' && text.back() == '}') {
      auto it = vars_.find(text.substr(2, text.size() - 3));
      if (it == vars_.end()) {
        needs_context_ = true;
        return std::nullopt;
      }
      text = it->second;
    }
    std::string_view t = text;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
    return parse_hex(t);  // U-Boot reads md's arguments as hex, with or without 0x
  };
  if (verb == "setenv") {
    const std::string_view name = next_word(rest);
    const std::string_view val = trim(rest);
    if (!name.empty() && !val.empty()) vars_[std::string(name)] = std::string(val);
    last_cmd_md_ = false;
    return false;
  }
  unsigned width = 0;
  if (verb == "md" || verb == "md.l") width = 4;
  else if (verb == "md.w") width = 2;
  else if (verb == "md.b") width = 1;
  if (!width) {
    last_cmd_md_ = false;  // any other command: an empty line would repeat that one
    return false;
  }
  const std::string_view a = next_word(rest), c = next_word(rest);
  if (a.empty() || !trim(rest).empty()) return false;  // not an md command we can read
  const auto addr = value(a);
  if (!addr) return false;
  std::optional<uint64_t> units;
  if (!c.empty()) {
    units = value(c);
    if (!units) return false;
  } else if (last_md_) {
    units = last_md_->units;
  } else {
    needs_context_ = true;
    units = 0x40;  // U-Boot's count at boot (dp_last_length)
  }
  prompt_ = std::string(prompt);
  md_command(*addr, *units, width, starts_run);
  return true;
}

void HexlogReader::md_command(uint64_t addr, uint64_t units, unsigned width, bool starts_run) {
  MdCommand m;
  m.addr = addr;
  m.units = units;
  m.width = width;
  if (starts_run && pending_) drop_pending();  // with the end of the range before this one
  last_md_ = m;
  last_cmd_md_ = true;
  repeat_.reset();
  ++sum_.md_commands;
  if (units) targets_.push_back({addr, units * width});
  cmd_end_ = addr + units * width;
  if (!starts_run) return;  // a later md of the same line: its lines follow the earlier ones
  // The command starts a run: its first line must show ADDR.
  expect_ = addr;
  corrupt_since_ = 0;
  good_end_ = addr;
  good_line_ = line_no_;
}

}  // namespace camdump::dump
