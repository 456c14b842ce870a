// SPDX-License-Identifier: MIT
// `camdump hexlog` and `camdump script uart` as a user runs them: a damaged log exits 1, writes
// nothing and ends with the repair commands; their log read with the original gives the exact
// image; --allow-gaps writes what was read; a device or an endless stream is refused or stopped
// (SIGTERM 143, SIGINT 130); the script's per-chunk crc32 + md.b lines make a log hexlog verifies.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "dump/hexlog.hpp"
#include "hexlog_model.hpp"
#include "support/process.hpp"
#include "support/paths.hpp"
#include "uboot/script.hpp"

namespace fs = std::filesystem;
namespace m = camdump::test::model;
using namespace camdump;
using camdump::dump::HexlogReader;

namespace {

using test::run_shell;

const std::string kCamdump = camdump::test::camdump_exe();
constexpr uint64_t kBase = 0x80600000;

// The test's directory; `t / name` is a string, for shell command lines.
struct Tmp : test::TempDir {
  std::string operator/(const std::string& n) const { return (path() / n).string(); }
};

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// What the camera prints for the repair commands hexlog printed (md.b + crc32 lines).
std::string camera_answer(const std::vector<uint8_t>& img, const std::string& out) {
  std::vector<m::Range> ranges;
  const std::regex md(R"(^md\.b (0x[0-9a-f]+) (0x[0-9a-f]+)$)");
  for (const auto& l : lines_of(out)) {
    std::smatch mm;
    if (std::regex_match(l, mm, md))
      ranges.push_back({std::stoull(mm[1], nullptr, 16), std::stoull(mm[2], nullptr, 16)});
  }
  return m::repair_log(img, kBase, ranges);
}

}  // namespace

TEST(HexlogCli, DamagedLogEndsWithRepairCommandsAndOriginalPlusRepairIsExact) {
  Tmp t;
  std::mt19937 rng(5);
  const auto img = m::firmware_like(size_t{64} * 1024, rng);
  m::LogSpec spec;
  spec.old_dialect = true;
  auto lines = m::dump_log(img, kBase, spec);
  std::vector<m::Range> damaged;
  std::vector<size_t> used;
  ASSERT_TRUE(m::apply(m::Damage::LoseMiddle, lines, img, kBase, spec, rng, damaged, used));
  ASSERT_TRUE(m::apply(m::Damage::Merge, lines, img, kBase, spec, rng, damaged, used));
  ASSERT_TRUE(m::apply(m::Damage::FlipAddr, lines, img, kBase, spec, rng, damaged, used));
  test::write_file(t / "session.log", m::render(lines, {}, rng));

  test::ShellResult r = run_shell(kCamdump + " hexlog " + (t / "session.log") + " -o " + (t / "fw.bin"));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_FALSE(fs::exists(t / "fw.bin"));
  EXPECT_FALSE(fs::exists(t / "fw.bin.part"));
  const auto out = lines_of(r.out);
  ASSERT_GE(out.size(), 2u);
  // Last on stdout: the commands, md.b then crc32 of the same range.
  EXPECT_EQ(out[out.size() - 2].rfind("md.b 0x", 0), 0u) << r.out;
  EXPECT_EQ(out.back().rfind("crc32 0x", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("lost between log lines"), std::string::npos) << r.out;
  // Issues as a handful of ranges: 4 lines of damage, a few issue lines, never a flood.
  size_t issue_lines = 0;
  for (const auto& l : out) issue_lines += l.rfind("issue:", 0) == 0;
  EXPECT_LE(issue_lines, 6u) << r.out;

  // --allow-gaps: bytes never read take --fill, every other byte is the truth.
  r = run_shell(kCamdump + " hexlog " + (t / "session.log") + " --allow-gaps --fill 0 -o " + (t / "gaps.bin"));
  EXPECT_EQ(r.rc, 1);
  const auto gaps_img = read_file(t / "gaps.bin");
  ASSERT_EQ(gaps_img.size(), img.size());
  size_t wrong = 0;
  for (size_t i = 0; i < img.size(); ++i) {
    bool in_damage = false;
    for (const auto& d : damaged) in_damage |= kBase + i >= d.addr && kBase + i < d.addr + d.size;
    if (!in_damage) wrong += gaps_img[i] != img[i];
    else EXPECT_EQ(gaps_img[i], 0) << i;
  }
  EXPECT_EQ(wrong, 0u);

  test::write_file(
      t / "repair.log",
      camera_answer(img, run_shell(kCamdump + " hexlog " + (t / "session.log") + " -o " + (t / "fw.bin")).out));
  r = run_shell(kCamdump + " hexlog " + (t / "session.log") + " " + (t / "repair.log") + " -o " + (t / "fw.bin"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(read_file(t / "fw.bin"), img);
  EXPECT_NE(r.out.find("by the camera's crc32"), std::string::npos) << r.out;  // the repaired ranges
}

TEST(HexlogCli, ADeviceIsRefused) {
  Tmp t;
  const test::ShellResult r = run_shell(kCamdump + " hexlog /dev/zero -o " + (t / "z.bin"));
  EXPECT_EQ(r.rc, 2);
  EXPECT_FALSE(fs::exists(t / "z.bin"));
  EXPECT_EQ(run_shell(kCamdump + " hexlog - -o " + (t / "z.bin") + " < /dev/zero").rc, 2);
}

TEST(HexlogCli, AnEndlessStreamStopsOnSigtermAndSigint) {
  Tmp t;
  std::signal(SIGPIPE, SIG_IGN);
  for (int sig : {SIGTERM, SIGINT}) {
    auto p = test::Process::spawn({kCamdump, "hexlog", "-", "-o", t / "z.bin"}, {.pipe_stdin = true});
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> sent{0};
    std::thread feeder([&] {
      std::vector<char> zeros(1 << 16, 0);
      while (!stop) {
        const ssize_t n = ::write(p.stdin_fd(), zeros.data(), zeros.size());
        if (n <= 0) break;
        sent += static_cast<uint64_t>(n);
      }
    });
    while (sent < (64u << 20) && p.running()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(p.running());  // still reading the stream
    ::kill(p.pid(), sig);
    const auto st = p.wait_exit(std::chrono::seconds(60));
    if (!st) {
      ::kill(p.pid(), SIGKILL);
      p.wait_exit(std::chrono::seconds(60));
    }
    stop = true;
    feeder.join();    // the child is gone, so a write fails with EPIPE and the feeder ends
    p.close_stdin();  // only now: closing a descriptor that another thread writes to is a race (TSan)
    ASSERT_TRUE(st.has_value()) << "did not stop on signal " << sig;
    ASSERT_TRUE(WIFEXITED(*st));
    EXPECT_EQ(WEXITSTATUS(*st), sig == SIGTERM ? 143 : 130);
    EXPECT_FALSE(fs::exists(t / "z.bin"));
  }
}

namespace {

// U-Boot running the script's lines: echo each, then per command its output.
std::string run_script(const uboot::Script& s, const std::vector<uint8_t>& img) {
  std::vector<m::Line> out;
  std::map<std::string, uint64_t> vars;
  auto val = [&](const std::string& w) -> uint64_t {
    if (w.rfind("${", 0) == 0) return vars[w.substr(2, w.size() - 3)];
    return std::stoull(w, nullptr, 16);
  };
  for (const auto& line : s.uboot) {
    out.push_back({"isvp_t31# " + line});
    std::stringstream cmds(line);
    for (std::string cmd; std::getline(cmds, cmd, ';');) {
      std::istringstream w(cmd);
      std::string verb, a, b, c;
      w >> verb >> a >> b >> c;
      if (verb == "setenv") vars[a] = std::stoull(b, nullptr, 16);
      if (verb == "crc32") {
        const uint64_t addr = val(a), len = val(b);
        char text[96];
        std::snprintf(text, sizeof text, "CRC32 for %08llx ... %08llx ==> %08x", static_cast<unsigned long long>(addr),
                      static_cast<unsigned long long>(addr + len - 1),
                      camdump::crc32(std::span<const uint8_t>(img.data() + (addr - kBase), len)));
        out.push_back({text});
      }
      if (verb == "md.b")
        for (uint64_t at = val(a), end = at + val(b); at < end; at += 16) {
          m::Line l;
          l.md = true;
          l.addr = at;
          l.count = 16;
          l.text = m::md_line(img, kBase, at, 16, 1, true);
          out.push_back(l);
        }
    }
  }
  out.push_back({"isvp_t31# "});
  std::mt19937 rng(1);
  return m::render(out, {}, rng);
}

}  // namespace

TEST(ScriptUart, PerChunkCrc32ThenMdMakesALogHexlogVerifies) {
  uboot::ScriptOptions o;
  o.route = uboot::ScriptRoute::Uart;
  o.flash_size = 1u << 20;
  const auto s = uboot::make_script(o);
  // crc32 of a chunk, then its md.b, 4 pairs per line, literal addresses, lines < 256 characters.
  EXPECT_NE(std::find(s.uboot.begin(), s.uboot.end(),
                      "crc32 0x80600000 0x10000; md.b 0x80600000 0x10000; crc32 0x80610000 0x10000; md.b 0x80610000 "
                      "0x10000; crc32 0x80620000 0x10000; md.b 0x80620000 0x10000; crc32 0x80630000 0x10000; md.b "
                      "0x80630000 0x10000"),
            s.uboot.end());
  size_t md_lines = 0;
  for (const auto& l : s.uboot) {
    EXPECT_LT(l.size(), 256u) << l;
    md_lines += l.find("md.b") != std::string::npos;
  }
  EXPECT_EQ(md_lines, 4u);  // 16 chunks of 64 KiB, 4 per line
  std::mt19937 rng(3);
  const auto img = m::firmware_like(o.flash_size, rng);
  const std::string log = run_script(s, img);
  HexlogReader r;
  r.feed(log);
  r.end_source();
  auto sum = r.finish();
  ASSERT_TRUE(sum.complete());
  EXPECT_EQ(sum.start, kBase);
  EXPECT_EQ(sum.size, o.flash_size);
  EXPECT_EQ(sum.verified_bytes, o.flash_size);  // every chunk (and the whole) by the camera's crc32
  std::vector<uint8_t> got(sum.size);
  r.copy_range(sum.start, got, 0);
  EXPECT_EQ(got, img);
  // A changed digit no ASCII column can show: the chunk's crc32 names exactly that chunk.
  std::string bad = log;
  const size_t at = bad.find("80650010:");
  ASSERT_NE(at, std::string::npos);
  size_t col = at + 10;
  while (!(bad[col] == '0' && bad[col + 1] == '0')) col += 3;  // a 0x00 byte becomes 0x01
  bad[col + 1] = '1';
  HexlogReader r2;
  r2.feed(bad);
  r2.end_source();
  auto s2 = r2.finish();
  EXPECT_FALSE(s2.complete());
  EXPECT_EQ(s2.gap_bytes, 0u);
  ASSERT_EQ(s2.repair.size(), 1u);
  EXPECT_EQ(s2.repair[0].addr, 0x80650000u);
  EXPECT_EQ(s2.repair[0].size, 0x10000u);
}

TEST(ScriptUart, FlashSizeIsCheckedAgainstRealChips) {
  EXPECT_EQ(run_shell(kCamdump + " script uart --flash-size 16G").rc, 2);
  const test::ShellResult r = run_shell(kCamdump + " script uart --flash-size 16G 2>&1");
  EXPECT_LT(lines_of(r.out).size(), 5u) << r.out;  // an error, not 5,132 lines
  uboot::ScriptOptions o;
  o.route = uboot::ScriptRoute::Uart;
  o.flash_size = 12u << 20;  // not a power of two: works, with a warning
  auto s = uboot::make_script(o);
  ASSERT_FALSE(s.plan.warnings.empty());
  EXPECT_NE(s.plan.warnings[0].find("power of two"), std::string::npos);
  o.flash_size = 16u << 20;
  EXPECT_TRUE(uboot::make_script(o).plan.warnings.empty());
  o.flash_size = 1ull << 30;
  EXPECT_THROW(uboot::make_script(o), Error);
}
