// SPDX-License-Identifier: MIT
#include "dump/log_text.hpp"

namespace camdump::dump {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

size_t timestamp_prefix(std::string_view s) {
  size_t i = 0;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close > 64) return 0;
    i = close + 1;
  } else {
    // optional date "YYYY-MM-DD" + ' ' or 'T'
    if (s.size() > 11 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-' &&
        is_digit(s[5]) && is_digit(s[6]) && s[7] == '-' && is_digit(s[8]) && is_digit(s[9]) &&
        (s[10] == ' ' || s[10] == 'T'))
      i = 11;
    // time "H:MM:SS" or "HH:MM:SS", optional ".fff" / ",fff"
    size_t h = i;
    while (h < s.size() && h - i < 2 && is_digit(s[h])) ++h;
    if (h == i || h + 6 > s.size() || s[h] != ':' || !is_digit(s[h + 1]) || !is_digit(s[h + 2]) || s[h + 3] != ':' ||
        !is_digit(s[h + 4]) || !is_digit(s[h + 5]))
      return 0;
    i = h + 6;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
  }
  if (i >= s.size() || (s[i] != ' ' && s[i] != '\t')) return 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

void strip_controls(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b) {
      if (i + 1 >= s.size()) break;
      char k = s[i + 1];
      if (k == '[') {  // CSI: parameters/intermediates, then a final byte 0x40..0x7e
        i += 2;
        while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      } else if (k == ']') {  // OSC: up to BEL or ESC '\'
        i += 2;
        while (i < s.size() && s[i] != '\a' && !(s[i] == 0x1b && i + 1 < s.size() && s[i + 1] == '\\')) ++i;
        if (i < s.size() && s[i] == 0x1b) ++i;
      } else {
        ++i;
      }
      continue;
    }
    if (c < 0x20 && c != '\t') continue;
    if (c == 0x7f) continue;
    out.push_back(static_cast<char>(c));
  }
}

bool has_controls(std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

}  // namespace camdump::dump
