// SPDX-License-Identifier: MIT
// The md renderer and the hexlog reader against real U-Boot: Debian's stock qemu_arm u-boot.bin
// under qemu-system-arm -M virt with a known image at 0x42000000 (docs/reference/qemu-test-cameras.md#boot). Captures
// md.b, md.w and md.l output and checks that hexlog reproduces the bytes and that render_md prints
// exactly what U-Boot printed. CAMDUMP_UPDATE_FIXTURES=1 rewrites the committed transcript.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "dump/hexlog.hpp"
#include "md_capture.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/paths.hpp"
#include "uboot/md_format.hpp"

using namespace camdump;
using namespace camdump::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Console {
  Qemu& q;
  std::string all;  // every byte U-Boot printed
  // Wait for `needle` in the new output; returns what arrived since `from`.
  bool wait(std::string_view needle, size_t from, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (all.find(needle, from) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::string chunk = read_fd_n(q.stdout_fd(), 1 << 16, 200ms);
      all += chunk;
    }
    return true;
  }
  bool command(const std::string& cmd, std::chrono::milliseconds timeout = 20s) {
    size_t from = all.size();
    if (!write_all(q.stdin_fd(), cmd + "\r")) return false;
    // The prompt after the output: "\r\n=> " (never a bare "=> ": the ASCII column may hold it).
    return wait("\r\n=> ", from + cmd.size(), timeout);
  }
};

}  // namespace

TEST(QemuMd, RealUbootMdOutputRoundTrips) {
  if (!qemu_available(Board::QemuArm)) GTEST_SKIP() << "qemu-system-arm or u-boot-qemu not installed";
  TempDir dir("camdump-qemu-md");
  const auto img = md_test_image();
  const fs::path img_path = dir.path() / "img.bin";
  std::ofstream(img_path, std::ios::binary)
      .write(reinterpret_cast<const char*>(img.data()), static_cast<std::streamsize>(img.size()));
  QemuConfig cfg;
  cfg.ram_image = img_path.string();
  cfg.ram_addr = kMdImageAddr;
  Qemu q = Qemu::start_stdio(cfg);
  Console con{q, {}};
  ASSERT_TRUE(con.wait("Hit any key to stop autoboot", 0, 30s)) << con.all << q.qemu_output();
  ASSERT_TRUE(write_all(q.stdin_fd(), " "));
  ASSERT_TRUE(con.wait("=> ", 0, 10s)) << con.all;
  const size_t start = con.all.size();
  ASSERT_TRUE(con.command("md.b 0x42000000 0x1000"));
  const size_t after_b = con.all.size();
  ASSERT_TRUE(con.command("md.w 0x42000000 0x800"));
  ASSERT_TRUE(con.command("md.l 0x42000000 0x400"));
  ASSERT_TRUE(con.command("md.b 0x42000ff8 0x8"));  // a short last line
  ASSERT_TRUE(con.command("crc32 0x42000000 0x1000"));
  q.stop();
  const std::string transcript = con.all.substr(start);

  // The whole transcript (three widths over the same bytes + a short line) reads back exactly.
  dump::HexlogReader r;
  r.feed(transcript);
  auto s = r.finish();
  ASSERT_TRUE(s.complete()) << transcript.substr(0, 2000);
  EXPECT_EQ(s.start, kMdImageAddr);
  EXPECT_EQ(s.size, kMdImageSize);
  EXPECT_EQ(s.widths, (1u << 1) | (1u << 2) | (1u << 4));
  EXPECT_EQ(s.corrupt_lines + s.conflict_lines + s.unconfirmed_lines, 0u);
  EXPECT_EQ(s.md_lines, 3u * 256 + 1);
  std::vector<uint8_t> back(s.size);
  r.copy_range(s.start, back, 0);
  EXPECT_EQ(back, img);

  // render_md prints byte for byte what this U-Boot (2023.01, 2-space column) printed for md.b.
  std::string rendered;
  uboot::render_md(rendered, img, kMdImageAddr, {});
  const std::string md_b = con.all.substr(start, after_b - start);
  EXPECT_NE(md_b.find(rendered), std::string::npos) << "render_md differs from U-Boot's md.b output";

  if (const char* upd = std::getenv("CAMDUMP_UPDATE_FIXTURES"); upd && *upd == '1') {
    std::ofstream(fs::path(camdump::test::source_dir()) / "tests/fixtures/offline/qemu_arm_md.log", std::ios::binary)
        << "=> " << transcript;
  }
}
