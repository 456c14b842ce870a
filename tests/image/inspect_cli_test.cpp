// SPDX-License-Identifier: MIT
// `camdump inspect` as a user meets it: endless inputs are refused (issue 17 item 8) and a
// blocked read stops on SIGTERM; the messages issue 15 found wrong (the terminal map's '!' on
// the env cell for a kernel problem, SVG leader lines crossing labels, no colour on verdict/BAD,
// "proves a dump is whole"); and the honest proof per part (an uncompressed squashfs block is
// covered by no checksum).
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <thread>

#include "fixtures.hpp"
#include "image/flash_map.hpp"
#include "image/inspect.hpp"
#include "support/process.hpp"
#include "support/pty.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"

namespace camdump::image {
namespace {

using namespace std::chrono_literals;
using test::fixtures;
const std::string kExe = camdump::test::camdump_exe();

test::CommandResult run_cli(const std::vector<std::string>& argv) {
  test::TempDir t;
  return test::run_command(argv, t.path());
}
std::string write_image(const test::TempDir& t, const std::string& name, const std::vector<uint8_t>& img) {
  test::write_bytes(t / name, img);
  return (t / name).string();
}

TEST(InspectInput, DevZeroIsRefusedWithOneLine) {
  const test::CommandResult r = run_cli({kExe, "inspect", "/dev/zero"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("larger than"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not a flash dump"), std::string::npos) << r.err;
}

TEST(InspectInput, StdinFromDevZeroIsRefused) {
  const test::CommandResult r = run_cli({"sh", "-c", "exec \"$0\" inspect /dev/stdin < /dev/zero", kExe});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("stopped reading the stream"), std::string::npos) << r.err;
}

TEST(InspectInput, AnImageThroughAPipeIsRead) {
  const test::CommandResult r = run_cli(
      {"sh", "-c", "cat \"$1\" | exec \"$0\" inspect --json /dev/stdin", kExe, fixtures().thingino8.path.string()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"ok\": true"), std::string::npos);
}

TEST(InspectInput, SigtermStopsABlockedRead) {
  auto p = test::Process::spawn({kExe, "inspect", "/dev/stdin"}, {.pipe_stdin = true});
  std::this_thread::sleep_for(500ms);  // let it block in read(); the exit must come from SIGTERM
  ::kill(p.pid(), SIGTERM);
  auto st = p.wait_exit(30s);
  ASSERT_TRUE(st);
  ASSERT_TRUE(WIFEXITED(*st)) << "killed by a signal instead of exiting";
  EXPECT_EQ(WEXITSTATUS(*st), 143);
}

TEST(InspectMessages, HelpSaysWhatIsAndIsNotProven) {
  const test::CommandResult r = run_cli({kExe, "inspect", "--help"});
  EXPECT_EQ(r.out.find("Prove a flash dump is whole"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cannot prove a dump equals the flash"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stored uncompressed has no checksum"), std::string::npos) << r.out;
}

TEST(InspectMessages, KernelProblemMarksAKernelCellNotTheEnvCell) {
  const auto& f = fixtures().thingino16;
  auto img = f.data;
  img[f.kernel + 64 + f.kernel_size / 2] ^= 0x10;
  const InspectReport r = inspect(img);
  ASSERT_FALSE(r.ok());
  const auto cells = flash_map_cells(r, 64);  // 256 KiB cells: cell 1 holds env (0x50000) and the kernel start
  EXPECT_EQ(cells[1], MapKind::Env);
  size_t problem = 0;
  for (size_t i = 0; i < cells.size(); ++i)
    if (cells[i] == MapKind::Problem) problem = i;
  EXPECT_GE(problem * (256u << 10), f.kernel);
  EXPECT_LT(problem * (256u << 10), f.kernel + uint64_t{1600} * 1024);
}

TEST(InspectMessages, SvgLeaderLinesCrossNoLabel) {
  for (const auto* f : {&fixtures().thingino16, &fixtures().thingino8, &fixtures().stock16}) {
    const std::string svg = flash_map_svg(inspect(f->data), "t");
    struct Box {
      double x0, x1, y0, y1;
    };
    std::vector<Box> labels;
    const std::regex text(R"re(<text class="label" x="([0-9.]+)" y="([0-9.]+)"[^>]*>([^<]*)</text>)re");
    for (std::sregex_iterator it(svg.begin(), svg.end(), text), e; it != e; ++it) {
      const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
      labels.push_back({x, x + 6.6 * double((*it)[3].length()), y - 10, y + 2});
    }
    ASSERT_GT(labels.size(), 8u);
    const std::regex line(R"re(<line class="leader" x1="([0-9.]+)" y1="([0-9.]+)" x2="[0-9.]+" y2="([0-9.]+)")re");
    size_t lines = 0;
    for (std::sregex_iterator it(svg.begin(), svg.end(), line), e; it != e; ++it, ++lines) {
      const double x = std::stod((*it)[1]), y1 = std::stod((*it)[2]), y2 = std::stod((*it)[3]);
      for (const Box& b : labels)
        EXPECT_FALSE(x > b.x0 + 0.5 && x < b.x1 && y2 > b.y0 && y1 < b.y1)
            << "leader at x=" << x << " crosses the label at " << b.x0 << "," << b.y0;
    }
    EXPECT_GT(lines, 4u);
  }
}

TEST(InspectMessages, VerdictAndBadAreColouredOnATerminalOnly) {
  test::TempDir t;
  auto img = fixtures().thingino16.data;
  img[fixtures().thingino16.env + 40] ^= 1;
  const std::string bad = write_image(t, "bad.bin", img);
  test::PtyPair pty;
  auto p = test::Process::spawn({"sh", "-c", "TERM=xterm NO_COLOR= exec \"$0\" inspect \"$1\"", kExe, bad},
                                {.stdout_file = pty.slave_path()});
  std::string acc;
  test::read_fd_until(pty.master(), acc, "verdict: 1 problem", 120s);
  p.wait_exit(60s);
  EXPECT_NE(acc.find("\x1b[31mverdict: 1 problem\x1b[0m"), std::string::npos) << acc;
  EXPECT_NE(acc.find("\x1b[31mBAD"), std::string::npos) << acc;
  const test::CommandResult file = run_cli({"sh", "-c", "TERM=xterm exec \"$0\" inspect \"$1\"", kExe, bad});
  EXPECT_EQ(file.status, 1);
  EXPECT_EQ(file.out.find('\x1b'), std::string::npos) << "colour codes in a file";
  EXPECT_NE(file.out.find("verdict: 1 problem"), std::string::npos);
}

TEST(InspectProof, AnUncompressedSquashfsBlockIsCoveredByNothingAndSaysSo) {
  // Incompressible bin/busybox: mksquashfs stores its blocks as they are. Zeroing four bytes in it
  // cannot be found (no checksum anywhere covers them), and the report says exactly that.
  test::TempDir t;
  std::filesystem::create_directories(t / "root/bin");
  std::vector<uint8_t> noise(size_t{200} * 1024);
  uint32_t x = 7;
  for (auto& b : noise) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = uint8_t(x);
  }
  write_image(t, "root/bin/busybox", noise);
  test::write_file(t / "root/hostname", "camera\n");
  test::run_tool({"mksquashfs", "root", "rootfs.sqfs", "-comp", "gzip", "-noappend", "-all-root", "-quiet"}, t.path());
  const auto sq = test::slurp(t / "rootfs.sqfs");
  const auto& f = fixtures().thingino16;
  auto img = f.data;
  std::fill(img.begin() + long(f.rootfs), img.begin() + long(f.data_part), 0xff);
  std::copy(sq.begin(), sq.end(), img.begin() + long(f.rootfs));
  InspectReport r = inspect(img);
  const PartReport* rootfs = nullptr;
  for (const auto& p : r.parts)
    if (p.name == "rootfs") rootfs = &p;
  ASSERT_TRUE(rootfs && rootfs->squashfs);
  EXPECT_TRUE(r.ok());
  EXPECT_GE(rootfs->squashfs->stored_blocks, 1u);
  EXPECT_EQ(rootfs->proof, "partial");
  EXPECT_NE(rootfs->proof_detail.find("stored uncompressed and covered by nothing"), std::string::npos)
      << rootfs->proof_detail;
  // Zero four bytes inside the stored busybox data (it follows the superblock).
  auto at = std::search(img.begin() + long(f.rootfs), img.begin() + long(f.data_part), noise.begin() + 5000,
                        noise.begin() + 5016);
  ASSERT_NE(at, img.begin() + long(f.data_part));
  std::fill(at, at + 4, 0);
  r = inspect(img);
  EXPECT_TRUE(r.ok()) << "a stored block has no checksum: nothing can notice";
  const test::CommandResult cli = run_cli({kExe, "inspect", write_image(t, "img.bin", img)});
  EXPECT_NE(cli.out.find("covered by nothing"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("device's CRC taken while dumping"), std::string::npos) << cli.out;
}

}  // namespace
}  // namespace camdump::image
