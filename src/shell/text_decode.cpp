// SPDX-License-Identifier: MIT
#include "shell/text_decode.hpp"

#include <openssl/evp.h>

#include "core/hex_digit.hpp"

namespace camdump::shell {

bool decode_base64_line(std::string_view line, std::vector<uint8_t>& out) {
  if (line.empty() || line.size() % 4 != 0 || line.size() > 4096) return false;
  // Only the last one or two characters may be padding.
  size_t pad = 0;
  if (line.back() == '=') ++pad;
  if (line.size() >= 2 && line[line.size() - 2] == '=') ++pad;
  for (size_t i = 0; i < line.size() - pad; ++i) {
    char c = line[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!ok) return false;
  }
  unsigned char buf[3072];
  // EVP_DecodeBlock decodes whole quanta and counts padding as zero bytes; drop those.
  int n = EVP_DecodeBlock(buf, reinterpret_cast<const unsigned char*>(line.data()), static_cast<int>(line.size()));
  if (n < 0 || static_cast<size_t>(n) < pad) return false;
  out.insert(out.end(), buf, buf + (n - static_cast<int>(pad)));
  return true;
}

bool decode_hex_line(std::string_view line, std::vector<uint8_t>& out) {
  size_t start = out.size();
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    if (i + 1 >= line.size()) break;
    const uint8_t hi = hex_digit(line[i]), lo = hex_digit(line[i + 1]);
    if (hi == kNotHex || lo == kNotHex) {
      out.resize(start);
      return false;
    }
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    i += 2;
  }
  if (i != line.size() || out.size() == start) {
    out.resize(start);
    return false;
  }
  return true;
}

}  // namespace camdump::shell
