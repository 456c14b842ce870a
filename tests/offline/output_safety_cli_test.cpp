// SPDX-License-Identifier: MIT
// Issue 17 items 1, 2, 8 and 9 (and issue 15's "never replace a backup silently") through the CLI:
// every command that writes refuses a symlink at OUT.part, a FIFO, a device node, a directory or
// an empty name as OUT before it touches a camera, and an existing OUT without --force;
// combine/compare/extract refuse endless inputs (/dev/zero, FIFOs); combine without a layout
// refuses parts that cannot make a whole flash unless --force.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.hpp"

using namespace camdump::test;
namespace fs = std::filesystem;

namespace {

CommandResult cli(const std::vector<std::string>& args, const TempDir& dir) { return run_camdump(args, dir.path()); }

void put(const fs::path& p, size_t n, char c = 'x') { std::ofstream(p, std::ios::binary) << std::string(n, c); }

// A short U-Boot dump of the virtual camera: refused OUTs are refused before it starts.
std::vector<std::string> uart_dump(const fs::path& out) {
  return {"dump", "uart", "sim:flash=1M", "-o", out.string(), "--length", "0x10000"};
}

}  // namespace

TEST(OutputSafetyCli, SymlinkAtPartIsNotFollowed) {
  TempDir d("camdump-cli-link");
  { std::ofstream(d / "victim") << "DATA\n"; }
  fs::create_symlink(d / "victim", d / "out.bin.part");
  CommandResult r = cli(uart_dump(d / "out.bin"), d);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(read_file(d / "victim"), "DATA\n");
  EXPECT_FALSE(fs::exists(fs::symlink_status(d / "out.bin")));
  EXPECT_NE(r.err.find("out.bin.part is a symbolic link"), std::string::npos) << r.err;
}

TEST(OutputSafetyCli, SpecialFilesDirectoriesAndEmptyNamesAreRefusedUpFront) {
  TempDir d("camdump-cli-special");
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  for (const fs::path& out : {d / "fifo", d.path(), fs::path("")}) {
    CommandResult r = cli(uart_dump(out), d);
    EXPECT_EQ(r.status, 2) << out << ": " << r.err;
    EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;  // one error line (and a hint)
  }
  EXPECT_EQ(fs::status(d / "fifo").type(), fs::file_type::fifo);
  EXPECT_FALSE(fs::exists(d.path().string() + ".part"));
  EXPECT_FALSE(fs::exists(".part"));
  if (::geteuid() == 0) {  // a device node of our own (as root -o /dev/null replaced the real one)
    ASSERT_EQ(::mknod((d / "null").c_str(), S_IFCHR | 0600, makedev(1, 3)), 0);
    CommandResult r = cli(uart_dump(d / "null"), d);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(fs::status(d / "null").type(), fs::file_type::character);
  }
}

TEST(OutputSafetyCli, AnExistingOutIsReplacedOnlyWithForce) {
  TempDir d("camdump-cli-exists");
  put(d / "mtd0.bin", 0x10000, 'a');
  put(d / "mtd1.bin", 0x70000, 'b');
  put(d / "fw.bin", 5000);
  CommandResult r =
      cli({"combine", (d / "mtd0.bin").string(), (d / "mtd1.bin").string(), "-o", (d / "fw.bin").string()}, d);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("5000 bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(fs::file_size(d / "fw.bin"), 5000u);
  r = cli({"combine", (d / "mtd0.bin").string(), (d / "mtd1.bin").string(), "-o", (d / "fw.bin").string(), "--force"},
          d);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(fs::file_size(d / "fw.bin"), 0x80000u);
  CommandResult u = cli(uart_dump(d / "fw.bin"), d);  // a dump refuses before it touches the camera
  EXPECT_EQ(u.status, 2) << u.err;
  EXPECT_EQ(fs::file_size(d / "fw.bin"), 0x80000u);
}

TEST(EndlessInputsCli, DevZeroIsRefusedByCombineCompareAndExtract) {
  TempDir d("camdump-cli-zero");
  put(d / "a.bin", 4096);
  CommandResult r = cli({"combine", "/dev/zero", "-o", (d / "x.bin").string()}, d);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("character device"), std::string::npos) << r.err;
  r = cli({"compare", "/dev/zero", (d / "a.bin").string()}, d);
  EXPECT_EQ(r.status, 2) << r.err;
  r = cli({"extract", "/dev/zero", "-o", (d / "x.bin").string(), "--size", "16M"}, d);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("character device"), std::string::npos) << r.err;
  r = cli({"combine", (d / "a.bin").string(), "--proc-mtd", "/dev/zero", "-o", (d / "x.bin").string()}, d);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_FALSE(fs::exists(d / "x.bin"));
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);  // nobody writes it: must not block
  r = cli({"extract", (d / "fifo").string(), "-o", (d / "x.bin").string(), "--size", "16M"}, d);
  EXPECT_EQ(r.status, 2) << r.err;
  r = cli({"compare", (d / "fifo").string(), (d / "a.bin").string()}, d);
  EXPECT_EQ(r.status, 2) << r.err;
}

TEST(CombineWithoutLayout, AShortPartIsNamedAndNothingIsWritten) {
  TempDir d("camdump-cli-short");
  put(d / "mtd0.bin", 0x40000);
  put(d / "mtd1.bin", 0x10000);
  put(d / "mtd2.bin", 0x1b0000);
  put(d / "mtd3.bin", 100000);  // cut short: every later partition would move
  put(d / "mtd4.bin", 0x100000);
  std::vector<std::string> args = {"combine"};
  for (int i = 0; i < 5; ++i) args.push_back((d / ("mtd" + std::to_string(i) + ".bin")).string());
  args.insert(args.end(), {"-o", (d / "fw.bin").string()});
  CommandResult r = cli(args, d);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("mtd3.bin is 100000 bytes"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "fw.bin"));
  args.push_back("--force");
  r = cli(args, d);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(d / "fw.bin"));
}

TEST(CombineWithoutLayout, AMissingBlockMakesATotalThatIsNoFlashSize) {
  TempDir d("camdump-cli-total");
  put(d / "mtd0.bin", 0x40000);
  put(d / "mtd1.bin", 0x3b0000);  // 64 KiB short of 4 MiB
  CommandResult r =
      cli({"combine", (d / "mtd0.bin").string(), (d / "mtd1.bin").string(), "-o", (d / "fw.bin").string()}, d);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("not a flash size"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("64 KiB less than 4 MiB"), std::string::npos) << r.err;
}
