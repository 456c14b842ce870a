// SPDX-License-Identifier: MIT
// The md.b fast path: the SIMD version must agree with the scalar reference on every line,
// good or damaged, and both must agree with the general parser on what a good line holds.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "uboot/md_fast.hpp"
#include "uboot/md_format.hpp"

using namespace camdump::uboot;

namespace {

std::string full_line(const std::vector<uint8_t>& d, uint64_t addr, MdDialect dia) {
  std::string s;
  MdRenderOptions o;
  o.dialect = dia;
  o.crlf = false;
  render_md(s, d, addr, o);
  s.pop_back();  // '\n'
  return s;
}

// Both versions, compared on one line: same verdict and, when accepted, same fields.
void agree(const std::string& line) {
  MdLine a, b;
  a.addr = b.addr = 0x1234;  // untouched on rejection
  const bool sa = detail::parse_full_md_b_scalar(line, a);
  const bool sb = detail::parse_full_md_b_simd(line, b);
  ASSERT_EQ(sa, sb) << line;
  EXPECT_EQ(a.addr, b.addr) << line;
  if (sa) {
    EXPECT_EQ(a.bytes, b.bytes) << line;
    EXPECT_EQ(a.count, 16u);
    EXPECT_EQ(b.count, 16u);
    EXPECT_TRUE(b.ascii_present);
    // The general parser (which tries the fast path first) reads the same bytes.
    MdLine c;
    ASSERT_EQ(parse_md_line(line, Endian::Little, c), MdParse::Ok);
    EXPECT_EQ(c.bytes, a.bytes);
    EXPECT_EQ(c.addr, a.addr);
  }
}

}  // namespace

TEST(MdFast, GoodLinesOfEveryByteValueBothDialects) {
  for (auto dia : {MdDialect::Old, MdDialect::Modern})
    for (size_t base = 0; base < 256; base += 16) {
      std::vector<uint8_t> d(16);
      for (size_t i = 0; i < 16; ++i) d[i] = static_cast<uint8_t>(base + i);
      const std::string line = full_line(d, 0x80000000u + static_cast<unsigned>(base), dia);
      MdLine m;
      ASSERT_TRUE(detail::parse_full_md_b_simd(line, m)) << line;
      EXPECT_EQ(std::vector<uint8_t>(m.bytes.begin(), m.bytes.end()), d);
      EXPECT_EQ(m.addr, 0x80000000u + static_cast<unsigned>(base));
      agree(line);
    }
}

TEST(MdFast, UppercaseHexAndEveryAddressDigit) {
  std::vector<uint8_t> d(16, 0xab);
  for (uint64_t addr : {0x0ull, 0x12345670ull, 0xfedcba90ull, 0xa0b0c0d0ull}) {
    std::string line = full_line(d, addr, MdDialect::Old);
    agree(line);
    for (char& ch : line)
      if (ch >= 'a' && ch <= 'f' && &ch < &line[57]) ch = static_cast<char>(ch - 'a' + 'A');
    agree(line);
    MdLine m;
    ASSERT_TRUE(detail::parse_full_md_b_simd(line, m));
    EXPECT_EQ(m.addr, addr);
  }
}

TEST(MdFast, EveryCharacterReplacedAtEveryColumn) {
  // Each column of a good line replaced by characters on both sides of every class boundary
  // the SIMD code tests ('/' '0' '9' ':' '@' 'A' 'F' 'G' '`' 'a' 'f' 'g' ' ' '.' 0x7f 0x80 ...).
  std::mt19937 rng(11);
  const char probes[] = {'/', '0', '9',    ':',    '@',    'A',    'F',  'G',  '`',  'a', 'f', 'g', ' ',
                         '.', '~', '\x7f', '\x80', '\xff', '\x1f', '\0', '\r', '\t', 'x', 'E', 'e', '5'};
  for (auto dia : {MdDialect::Old, MdDialect::Modern})
    for (int round = 0; round < 8; ++round) {
      std::vector<uint8_t> d(16);
      for (auto& b : d) b = static_cast<uint8_t>(round < 4 ? rng() % 96 + 32 : rng());  // printable-heavy, then any
      const std::string good = full_line(d, 0x80600000u + 16u * static_cast<unsigned>(round), dia);
      for (size_t col = 0; col < good.size(); ++col)
        for (char p : probes) {
          std::string line = good;
          line[col] = p;
          agree(line);
        }
    }
}

TEST(MdFast, WrongLengthsAndRandomLines) {
  std::vector<uint8_t> d(16, 0x41);
  const std::string good = full_line(d, 0x1000, MdDialect::Old);
  for (size_t n = 60; n < good.size() + 3; ++n) {
    std::string line = good.substr(0, std::min(n, good.size()));
    line.resize(n, ' ');
    agree(line);
  }
  std::mt19937 rng(12);
  const std::string alphabet = "0123456789abcdefABCDEF :.";
  for (int i = 0; i < 20000; ++i) {
    std::string line(i % 2 ? 75 : 77, ' ');
    for (auto& ch : line) ch = alphabet[rng() % alphabet.size()];
    line[8] = ':';
    agree(line);
  }
}
