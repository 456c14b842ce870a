// SPDX-License-Identifier: MIT
// The streaming md-log reader (dump/hexlog.hpp): real-log noise, checks, gaps, conflicts.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dump/hexlog.hpp"
#include "md_log_util.hpp"
#include "uboot/md_format.hpp"

using namespace camdump;
using namespace camdump::dump;
using camdump::uboot::Endian;
using camdump::uboot::MdDialect;

namespace {

using test::pattern;

std::string md(const std::vector<uint8_t>& d, uint64_t addr, unsigned w = 1, MdDialect dia = MdDialect::Modern,
               Endian e = Endian::Little, bool pad = true) {
  return test::md_text(d, addr, w, dia, e, pad);
}

std::vector<uint8_t> image_of(HexlogReader& r, const HexlogSummary& s, uint8_t fill = 0xff) {
  std::vector<uint8_t> out(s.size);
  r.copy_range(s.start, out, fill);
  return out;
}

}  // namespace

TEST(Hexlog, EveryWidthDialectAndChunking) {
  auto d = pattern(1000, 1);  // 1000 = 62 lines + 8-byte short last line
  for (unsigned w : {1u, 2u, 4u})
    for (auto dia : {MdDialect::Old, MdDialect::Modern})
      for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
        std::string log = "=> md." + std::string(w == 1 ? "b" : w == 2 ? "w" : "l") + " 80600000 3e8\r\n" +
                          md(d, 0x80600000, w, dia) + "=> ";
        HexlogReader r;
        r.begin_source();
        for (size_t i = 0; i < log.size(); i += chunk) r.feed(std::string_view(log).substr(i, chunk));
        r.end_source();
        auto s = r.finish();
        ASSERT_TRUE(s.complete()) << w << " " << chunk;
        EXPECT_EQ(s.start, 0x80600000u);
        EXPECT_EQ(s.size, 1000u);
        EXPECT_EQ(image_of(r, s), d);
        EXPECT_EQ(s.widths, 1u << w);
      }
}

TEST(Hexlog, BigEndianWords) {
  auto d = pattern(64, 2);
  HexlogOptions o;
  o.endian = Endian::Big;
  HexlogReader r(o);
  r.feed(md(d, 0x1000, 4, MdDialect::Modern, Endian::Big));
  auto s = r.finish();
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(image_of(r, s), d);
  // Read with the wrong byte order, the ASCII column no longer agrees.
  HexlogReader wrong;
  wrong.feed(md(d, 0x1000, 4, MdDialect::Modern, Endian::Big));
  auto s2 = wrong.finish();
  EXPECT_GT(s2.corrupt_lines, 0u);
}

TEST(Hexlog, NoiseTimestampsAnsiLfAndUnpaddedLastLine) {
  std::vector<uint8_t> d = {'V', 'C', 'A', 'M', 0, 1, 2, 0xff, ' ', '=', '>', ' ', 'x', 'y', 'z', '#', 'A', 'B', 'C'};
  std::string raw = md(d, 0x42000000, 1, MdDialect::Old, Endian::Little, /*pad=*/false);
  std::string log;
  size_t pos = 0;
  int i = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    std::string line = raw.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    log += (i++ % 2 ? "[2026-01-01 12:00:00.123] " : "12:00:00.123 ") + std::string("\x1b[0;33m") + line + "\x1b[0m\n";
    pos = nl + 1;
  }
  HexlogReader r;
  r.feed("U-Boot 2013.07\r\nHit any key to stop autoboot:  0 \r\nisvp_t31# md.b 42000000 13\r\n" + log +
         "isvp_t31# \r\n");
  r.end_source();
  auto s = r.finish();
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(image_of(r, s), d);
  EXPECT_EQ(s.corrupt_lines, 0u);
}

TEST(Hexlog, GarbledHexDigitIsCaughtAndRecoveredByReRead) {
  auto d = pattern(64, 3);
  for (auto& b : d) b = static_cast<uint8_t>('A' + b % 26);  // printable: every digit is checked
  std::string good = md(d, 0);
  std::string bad = good;
  size_t p = good.find("00000010: ") + 10;
  bad[p] = bad[p] == '4' ? '5' : '4';
  {
    HexlogReader r;
    r.feed(bad);
    auto s = r.finish();
    EXPECT_FALSE(s.complete());
    EXPECT_EQ(s.corrupt_lines, 1u);
    ASSERT_EQ(s.gaps.size(), 1u);
    EXPECT_EQ(s.gaps[0].addr, 0x10u);
    EXPECT_EQ(s.gaps[0].size, 16u);
    ASSERT_EQ(s.issues.size(), 1u);
    EXPECT_EQ(s.issues[0].addr, 0x10u);
    EXPECT_FALSE(s.issues[0].recovered);
  }
  HexlogReader r;
  r.feed(bad + "=> md.b 10 10\r\n" + md({d.begin() + 16, d.begin() + 32}, 0x10));
  auto s = r.finish();
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(image_of(r, s), d);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_TRUE(s.issues[0].recovered);
}

TEST(Hexlog, ConflictingReReadIsReportedByAddressAndLeftAsGap) {
  auto d = pattern(48, 4);
  auto d2 = d;
  d2[0x25] ^= 0x01;
  HexlogReader r;
  r.feed(md(d, 0x100) + "=> md.b 120 10\r\n" + md({d2.begin() + 32, d2.end()}, 0x120) + "=> md.b 110 10\r\n" +
         md({d.begin() + 16, d.begin() + 32}, 0x110));
  auto s = r.finish();
  EXPECT_FALSE(s.complete());
  EXPECT_EQ(s.conflict_lines, 1u);
  EXPECT_EQ(s.repeated_lines, 1u);
  ASSERT_EQ(s.gaps.size(), 1u);
  EXPECT_EQ(s.gaps[0].addr, 0x125u);
  EXPECT_EQ(s.gaps[0].size, 1u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].kind, HexlogIssue::Kind::Conflict);
  EXPECT_EQ(s.issues[0].addr, 0x125u);
  EXPECT_EQ(s.issues[0].other_line, 3u);
  auto img = image_of(r, s, 0x00);
  EXPECT_EQ(img[0x25], 0x00);
  EXPECT_EQ(img[0x24], d[0x24]);
}

TEST(Hexlog, GarbledAddressBreaksTheSequence) {
  auto d = pattern(64, 5);
  std::string log = md(d, 0x82000000);
  size_t p = log.find("82000020:");
  log[p + 6] = '9';  // 82000090
  HexlogReader r;
  r.feed(log);
  auto s = r.finish();
  EXPECT_EQ(s.sequence_lines, 1u);
  EXPECT_EQ(s.size, 64u);  // the bogus address did not widen the range
  ASSERT_EQ(s.gaps.size(), 1u);
  EXPECT_EQ(s.gaps[0].addr, 0x82000020u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].kind, HexlogIssue::Kind::Sequence);
  EXPECT_EQ(s.issues[0].addr, 0x82000020u);
}

TEST(Hexlog, StartAndSizeSelectTheRangeAndFindTrailingGaps) {
  auto d = pattern(256, 6);
  HexlogOptions o;
  o.start = 0x40;
  o.size = 0x100;
  HexlogReader r(o);
  r.feed(md(d, 0));
  auto s = r.finish();
  EXPECT_EQ(s.start, 0x40u);
  EXPECT_EQ(s.size, 0x100u);
  EXPECT_EQ(s.outside_lines, 4u);  // the lines below --start
  ASSERT_EQ(s.gaps.size(), 1u);
  EXPECT_EQ(s.gaps[0].addr, 0x100u);
  EXPECT_EQ(s.gaps[0].size, 0x40u);
  auto img = image_of(r, s, 0xee);
  EXPECT_TRUE(std::equal(img.begin(), img.begin() + 0xc0, d.begin() + 0x40));
  EXPECT_EQ(img[0xc0], 0xee);
}

TEST(Hexlog, NoMdLinesAndLongGarbageLines) {
  HexlogReader r;
  r.feed(std::string(100000, 'x') + "\nhello\n=> md.b 0 10\n");
  auto s = r.finish();
  EXPECT_EQ(s.size, 0u);
  EXPECT_EQ(s.md_lines, 0u);
  EXPECT_FALSE(s.complete());
}

TEST(Hexlog, MemoryFollowsOutputNotLog) {
  // 200 re-reads of the same 4 KiB: the log grows, the image does not.
  auto d = pattern(4096, 7);
  std::string once = md(d, 0x82000000);
  HexlogReader r;
  for (int i = 0; i < 200; ++i) r.feed("=> md.b 82000000 1000\r\n" + once);
  auto s = r.finish();
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(s.size, 4096u);
  EXPECT_EQ(s.repeated_lines, 199u * 256u);
  EXPECT_EQ(s.log_bytes, 200u * (once.size() + 23));
}
