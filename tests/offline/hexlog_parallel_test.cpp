// SPDX-License-Identifier: MIT
// HexlogReader::feed_parallel: cutting a log into parts, parsing them on threads and joining them
// must give exactly what feeding it line by line gives: the same summary, the same issues with
// the same line numbers, the same image. The logs put re-reads, conflicts, garbled lines and
// sequence breaks at and around the cuts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <random>
#include <string>
#include <vector>

#include "dump/hexlog.hpp"
#include "md_log_util.hpp"
#include "support/sanitizer.hpp"
#include "uboot/md_format.hpp"

using namespace camdump;
using namespace camdump::dump;
using camdump::uboot::MdDialect;

namespace {

using test::random_bytes;

std::string md(const std::vector<uint8_t>& d, uint64_t addr, unsigned w = 1, MdDialect dia = MdDialect::Old) {
  return test::md_text(d, addr, w, dia);
}

struct Result {
  HexlogSummary sum;
  std::vector<uint8_t> image;
  unsigned joined = 0;
};

Result read_log(const std::string& log, unsigned threads, HexlogOptions o = {}) {
  o.threads = threads;
  o.parallel_min = 0;
  HexlogReader r(o);
  r.begin_source();
  if (threads == 0) r.feed(log);
  else r.feed_parallel(log);
  r.end_source();
  Result res;
  res.sum = r.finish();
  res.joined = r.parts_joined();
  if (res.sum.size && res.sum.size < (64u << 20)) {
    res.image.resize(res.sum.size);
    r.copy_range(res.sum.start, res.image, 0xee);
  }
  return res;
}

void expect_same(const Result& a, const Result& b, const std::string& what) {
  SCOPED_TRACE(what);
  const HexlogSummary &x = a.sum, &y = b.sum;
  EXPECT_EQ(x.start, y.start);
  EXPECT_EQ(x.size, y.size);
  EXPECT_EQ(x.lines, y.lines);
  EXPECT_EQ(x.md_lines, y.md_lines);
  EXPECT_EQ(x.repeated_lines, y.repeated_lines);
  EXPECT_EQ(x.unchecked_lines, y.unchecked_lines);
  EXPECT_EQ(x.outside_lines, y.outside_lines);
  EXPECT_EQ(x.corrupt_lines, y.corrupt_lines);
  EXPECT_EQ(x.unconfirmed_lines, y.unconfirmed_lines);
  EXPECT_EQ(x.conflict_lines, y.conflict_lines);
  EXPECT_EQ(x.widths, y.widths);
  EXPECT_EQ(x.log_bytes, y.log_bytes);
  EXPECT_EQ(x.gap_bytes, y.gap_bytes);
  ASSERT_EQ(x.gaps.size(), y.gaps.size());
  for (size_t i = 0; i < x.gaps.size(); ++i) {
    EXPECT_EQ(x.gaps[i].addr, y.gaps[i].addr);
    EXPECT_EQ(x.gaps[i].size, y.gaps[i].size);
  }
  ASSERT_EQ(x.issues.size(), y.issues.size());
  EXPECT_EQ(x.issues_dropped, y.issues_dropped);
  for (size_t i = 0; i < x.issues.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(x.issues[i].kind, y.issues[i].kind);
    EXPECT_EQ(x.issues[i].addr, y.issues[i].addr);
    EXPECT_EQ(x.issues[i].line, y.issues[i].line);
    EXPECT_EQ(x.issues[i].other_line, y.issues[i].other_line);
    EXPECT_EQ(x.issues[i].recovered, y.issues[i].recovered);
  }
  EXPECT_EQ(a.image, b.image);
}

// Serial reading against 2..5 parts.
void check_all_splits(const std::string& log, const std::string& what, HexlogOptions o = {}) {
  const Result serial = read_log(log, 0, o);
  for (unsigned t = 2; t <= 5; ++t) expect_same(serial, read_log(log, t, o), what + ", threads " + std::to_string(t));
}

}  // namespace

TEST(HexlogParallel, OneCleanRunIsJoinedNotReRead) {
  const auto d = random_bytes(size_t{64} * 1024, 1);
  const std::string log = "isvp_t31# md.b 82000000 10000\r\n" + md(d, 0x82000000) + "isvp_t31# ";
  check_all_splits(log, "clean");
  const Result r = read_log(log, 4);
  EXPECT_TRUE(r.sum.complete());
  EXPECT_EQ(r.image, d);
  EXPECT_EQ(r.joined, 3u);  // every cut lands inside one md run, which joins exactly
}

TEST(HexlogParallel, ReReadsAcrossTheCutsFallBackToLineByLine) {
  // The second half re-reads the first half (identical and, once, different): joining would
  // need the order of the reads, so the reader reads those parts again itself.
  const auto d = random_bytes(size_t{8} * 1024, 2);
  auto d2 = d;
  d2[0x123] ^= 0x40;
  const std::string log =
      md(d, 0x1000) + "=> md.b 1000 2000\r\n" + md(d, 0x1000) + "=> md.b 1000 2000\r\n" + md(d2, 0x1000);
  check_all_splits(log, "re-reads");
  const Result r = read_log(log, 3);
  EXPECT_EQ(r.sum.conflict_lines, 1u);
  EXPECT_EQ(r.sum.repeated_lines, 2u * 512u - 1u);
  EXPECT_LT(r.joined, 2u);
}

TEST(HexlogParallel, DamageAtEveryKindOfPlace) {
  const auto d = random_bytes(size_t{16} * 1024, 3);
  std::string log = "U-Boot 2013.07\r\n=> md.b 80000000 4000\r\n" + md(d, 0x80000000);
  // Garble lines all through the log (hex digit, ASCII column, address), so that some sit next
  // to every cut position the splits pick.
  std::mt19937 rng(3);
  for (int i = 0; i < 60; ++i) {
    const size_t line = 2 + rng() % 1000;
    size_t p = 0;
    for (size_t k = 0; k < line && p != std::string::npos; ++k) p = log.find('\n', p + 1);
    if (p == std::string::npos || p + 20 >= log.size()) continue;
    const size_t at = p + 1 + (i % 3 == 0 ? 3 : i % 3 == 1 ? 14 : 70);
    log[at] = log[at] == 'f' ? 'e' : 'f';
  }
  check_all_splits(log, "garbled");
  // A timestamped, ANSI-coloured, LF-only copy of the same with a short last line.
  std::string noisy;
  size_t n = 0;
  for (size_t p = 0; p < log.size();) {
    size_t e = log.find('\n', p);
    if (e == std::string::npos) e = log.size();
    noisy += "[12:00:0" + std::to_string(n++ % 10) + ".123] \x1b[32m" + log.substr(p, e - p) + "\x1b[0m\n";
    p = e + 1;
  }
  check_all_splits(noisy + md(random_bytes(5, 9), 0x80004000).substr(0, 40), "noisy, partial last line");
}

TEST(HexlogParallel, SeveralRunsWidthsAndRanges) {
  const auto a = random_bytes(4096, 4), b = random_bytes(4096, 5), c = random_bytes(4096, 6);
  const std::string log = "=> md.l 0 400\r\n" + md(a, 0, 4) + "=> md.w 1000 800\r\n" +
                          md(b, 0x1000, 2, MdDialect::Modern) + "=> md.b 3000 1000\r\n" +
                          md(c, 0x3000);  // 0x2000..0x2fff never read
  check_all_splits(log, "runs");
  HexlogOptions o;
  o.start = 0x800;
  o.size = 0x2000;
  check_all_splits(log, "runs, --start/--size", o);
  o.max_issues = 2;
  std::string bad = log;
  for (size_t p = bad.find("00000010:"); p != std::string::npos; p = bad.find(": ", p + 4000)) bad[p + 4] = 'x';
  check_all_splits(bad, "issues beyond max_issues", o);
}

TEST(HexlogParallel, CutInsideAnMdRunNextToADamagedLine) {
  // A garbled address (a sequence break) or hex digit (a corrupt line) on every line in turn, so
  // that for each split some part starts with it: that part cannot know the run it continues,
  // so such a join is refused and the part is read again line by line.
  const auto d = random_bytes(2048, 7);
  const std::string good = md(d, 0x9000);
  for (size_t line = 0; line < d.size() / 16; ++line)
    for (size_t col : {5u, 13u}) {
      std::string log = good;
      size_t p = 0;
      for (size_t k = 0; k < line; ++k) p = log.find('\n', p) + 1;
      log[p + col] = log[p + col] == '0' ? '8' : '0';
      check_all_splits(log, "line " + std::to_string(line + 1) + " column " + std::to_string(col));
      if (HasFailure()) return;
    }
}

TEST(HexlogParallel, ReadPathUsesTheParallelReader) {
  const auto d = random_bytes(size_t{512} * 1024, 8);
  const std::string log = md(d, 0x82000000);
  const auto path = std::filesystem::temp_directory_path() / ("camdump-hexlog-par-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << log;
  HexlogOptions o;
  o.threads = 3;
  o.parallel_min = 1;
  HexlogReader r(o);
  r.read_path(path);
  const auto s = r.finish();
  std::filesystem::remove(path);
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(r.parts_joined(), 2u);
  std::vector<uint8_t> img(s.size);
  r.copy_range(s.start, img, 0);
  EXPECT_EQ(img, d);
  EXPECT_EQ(s.lines, d.size() / 16);
}

namespace {

// A line of /proc/self/status in bytes: VmRSS (resident now), VmHWM (peak since the last
// reset_peak_rss()).
uint64_t status_bytes(const std::string& key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1)) * 1024;
  return 0;
}
bool reset_peak_rss() { return static_cast<bool>(std::ofstream("/proc/self/clear_refs") << "5"); }

}  // namespace

TEST(HexlogParallel, AMappedLogDoesNotStayInMemory) {
  // 96 MB of log re-reading the same 64 KiB: the image needs ~100 KiB, so the reader must not
  // hold on to the mapped log (each parsed block is unmapped again).
  const auto d = random_bytes(size_t{64} * 1024, 9);
  const std::string once = "=> md.b 82000000 10000\r\n" + md(d, 0x82000000);
  const auto path = std::filesystem::temp_directory_path() / ("camdump-hexlog-mem-" + std::to_string(::getpid()));
  {
    std::ofstream f(path, std::ios::binary);
    for (size_t n = 0; n < (96u << 20); n += once.size()) f << once;
  }
  const uint64_t log_size = std::filesystem::file_size(path);
  HexlogOptions o;
  o.threads = 2;
  HexlogReader r(o);
  if (test::kSanitized) GTEST_SKIP() << "a sanitizer's shadow memory is in the RSS: the plain run asserts this";
  if (!reset_peak_rss()) GTEST_SKIP() << "cannot reset the peak RSS here";
  const uint64_t before = status_bytes("VmRSS");
  r.read_path(path);
  const uint64_t peak = status_bytes("VmHWM");
  std::filesystem::remove(path);
  const auto s = r.finish();
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(s.log_bytes, log_size);
  // Two threads with a 4 MiB block each, plus the image and slack; far below the 96 MB log.
  EXPECT_LT(peak, before + (32u << 20)) << "peak " << peak << " before " << before;
}
