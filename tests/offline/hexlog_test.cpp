// SPDX-License-Identifier: MIT
// The streaming md-log reader (dump/hexlog.hpp): real-log noise, checks, gaps, conflicts.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/crc32.hpp"
#include "dump/hexlog.hpp"
#include "md_log_util.hpp"
#include "uboot/md_format.hpp"

using namespace camdump;
using namespace camdump::dump;
using camdump::uboot::Endian;
using camdump::uboot::MdDialect;

namespace {

using test::random_bytes;

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
  auto d = random_bytes(1000, 1);  // 1000 = 62 lines + 8-byte short last line
  for (unsigned w : {1u, 2u, 4u})
    for (auto dia : {MdDialect::Old, MdDialect::Modern})
      for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
        char count[16];
        std::snprintf(count, sizeof count, "%x", 1000 / w);  // md counts units of the width
        std::string log = "=> md." +
                          std::string(w == 1   ? "b"
                                      : w == 2 ? "w"
                                               : "l") +
                          " 80600000 " + count + "\r\n" + md(d, 0x80600000, w, dia) + "=> ";
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
  auto d = random_bytes(64, 2);
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
  auto d = random_bytes(64, 3);
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
  auto d = random_bytes(48, 4);
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

TEST(Hexlog, GarbledAddressCostsOnlyItsLine) {
  auto d = random_bytes(64, 5);
  std::string log = md(d, 0x82000000);
  size_t p = log.find("82000020:");
  log[p + 6] = '9';  // 82000090
  {
    // With the echoed command: the range is the command's, the garbled line is not used, the run
    // goes on, and only its 16 bytes are missing.
    HexlogReader r;
    r.feed("=> md.b 82000000 40\r\n" + log + "=> ");
    r.end_source();
    auto s = r.finish();
    EXPECT_EQ(s.unconfirmed_lines, 1u);
    EXPECT_EQ(s.start, 0x82000000u);
    EXPECT_EQ(s.size, 64u);
    ASSERT_EQ(s.gaps.size(), 1u);
    EXPECT_EQ(s.gaps[0].addr, 0x82000020u);
    EXPECT_EQ(s.gaps[0].size, 16u);
    ASSERT_EQ(s.issues.size(), 2u);
    EXPECT_EQ(s.issues[0].kind, HexlogIssue::Kind::Unconfirmed);
    EXPECT_EQ(s.issues[0].addr, 0x82000090u);
    EXPECT_EQ(s.issues[1].kind, HexlogIssue::Kind::Lost);
    EXPECT_EQ(s.issues[1].addr, 0x82000020u);
    EXPECT_EQ(s.issues[1].size, 16u);
    EXPECT_EQ(s.issues[1].line, 3u);      // between the line before the damage ...
    EXPECT_EQ(s.issues[1].line_end, 5u);  // ... and the first good line after it
  }
  // Without a command the range is the span of all md lines seen, the rejected one included: the
  // result is incomplete, never a short image called good.
  HexlogReader r;
  r.feed(log);
  auto s = r.finish();
  EXPECT_FALSE(s.complete());
  EXPECT_EQ(s.start, 0x82000000u);
  EXPECT_EQ(s.size, 0xa0u);
}

TEST(Hexlog, EchoedCommandsRepeatsAndSetenvGiveTheRange) {
  auto d = random_bytes(0x100, 11);
  // md.l counts words; an empty line at the prompt repeats md at the next address; ${var} from
  // setenv; the first line of a run must show the command's address.
  std::string log = "=> setenv baseaddr 0x80600000\r\n=> md.l ${baseaddr} 0x10\r\n" +
                    md({d.begin(), d.begin() + 0x40}, 0x80600000, 4) + "=> \r\n" +
                    md({d.begin() + 0x40, d.begin() + 0x80}, 0x80600040, 4) + "=> \r\n" +
                    md({d.begin() + 0x80, d.begin() + 0xc0}, 0x80600080, 4) + "=> ";
  HexlogReader r;
  r.feed(log);
  r.end_source();
  auto s = r.finish();
  EXPECT_EQ(s.target_from, TargetFrom::Commands);
  EXPECT_EQ(s.md_commands, 3u);
  EXPECT_EQ(s.start, 0x80600000u);
  EXPECT_EQ(s.size, 0xc0u);  // the last "=> " (no Enter) repeats nothing
  EXPECT_TRUE(s.complete());
  // The lost last line of a run is a gap at the command's end, not a shorter image.
  std::string cut = log.substr(0, log.rfind("806000b0:"));
  HexlogReader r2;
  r2.feed(cut);
  r2.end_source();
  auto s2 = r2.finish();
  EXPECT_EQ(s2.size, 0xc0u);
  ASSERT_EQ(s2.gaps.size(), 1u);
  EXPECT_EQ(s2.gaps[0].addr, 0x806000b0u);
}

TEST(Hexlog, CrcResultsInTheLogVerifyAndSettleConflicts) {
  auto d = random_bytes(0x40, 12);
  const uint32_t good = camdump::crc32(d);
  auto bad = d;
  bad[5] = 0x01, d[5] = 0x02;  // both non-printable: the ASCII column cannot tell them apart
  const uint32_t crc_d = camdump::crc32(d);
  (void)good;
  char line[96];
  std::snprintf(line, sizeof line, "CRC32 for 00001000 ... 0000103f ==> %08x\r\n", crc_d);
  {
    HexlogReader r;  // the camera's crc32 agrees: verified
    r.feed("=> crc32 1000 40\r\n" + std::string(line) + "=> md.b 1000 40\r\n" + md(d, 0x1000));
    auto s = r.finish();
    EXPECT_TRUE(s.complete());
    EXPECT_EQ(s.verified_bytes, 0x40u);
  }
  HexlogReader r;  // an invisible change: the crc32 fails; the re-read differs, the crc32 picks it
  r.feed("=> crc32 1000 40\r\n" + std::string(line) + "=> md.b 1000 40\r\n" + md(bad, 0x1000));
  auto s = r.finish();
  EXPECT_FALSE(s.complete());
  EXPECT_EQ(s.crc_failures, 1u);
  EXPECT_EQ(s.gap_bytes, 0u);
  ASSERT_EQ(s.repair.size(), 1u);
  EXPECT_EQ(s.repair[0].addr, 0x1000u);
  EXPECT_EQ(s.repair[0].size, 0x40u);
  HexlogReader r2;
  r2.feed("=> crc32 1000 40\r\n" + std::string(line) + "=> md.b 1000 40\r\n" + md(bad, 0x1000));
  r2.begin_source();
  r2.feed("=> md.b 1000 40\r\n" + md(d, 0x1000) + "crc32 for 00001000 ... 0000103f ==> " +
          std::string(line).substr(std::string(line).find("==> ") + 4));
  auto s2 = r2.finish();
  EXPECT_TRUE(s2.complete());
  EXPECT_EQ(image_of(r2, s2), d);
}

TEST(Hexlog, StartAndSizeSelectTheRangeAndFindTrailingGaps) {
  auto d = random_bytes(256, 6);
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
  r.feed(std::string(100000, 'x') + "\nhello\n");
  auto s = r.finish();
  EXPECT_EQ(s.size, 0u);
  EXPECT_EQ(s.md_lines, 0u);
  EXPECT_FALSE(s.complete());
  // An echoed md whose output is missing: its range is the target, all of it a gap.
  HexlogReader r2;
  r2.feed(std::string(100000, 'x') + "\nhello\n=> md.b 0 10\n");
  auto s2 = r2.finish();
  EXPECT_EQ(s2.size, 16u);
  EXPECT_EQ(s2.gap_bytes, 16u);
  EXPECT_FALSE(s2.complete());
}

TEST(Hexlog, MemoryFollowsOutputNotLog) {
  // 200 re-reads of the same 4 KiB: the log grows, the image does not.
  auto d = random_bytes(4096, 7);
  std::string once = md(d, 0x82000000);
  HexlogReader r;
  for (int i = 0; i < 200; ++i) r.feed("=> md.b 82000000 1000\r\n" + once);
  auto s = r.finish();
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(s.size, 4096u);
  EXPECT_EQ(s.repeated_lines, 199u * 256u);
  EXPECT_EQ(s.log_bytes, 200u * (once.size() + 23));
}
