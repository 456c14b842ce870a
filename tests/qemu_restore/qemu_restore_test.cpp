// SPDX-License-Identifier: MIT
// The U-Boot restore against real U-Boot under QEMU (docs/reference/qemu-test-cameras.md): the
// YMODEM sender into the real `loady` of Debian's qemu_arm U-Boot (the RAM's crc32 must equal the
// file's), and the whole `camdump restore uart` flow against the sabrelite U-Boot whose real `sf`
// drives QEMU's SPI NOR model (scripts/build-uboot-qemu sabrelite): afterwards the chip file QEMU
// wrote equals IMAGE, and only the differing units were sent. The console is QEMU's TCP chardev
// (8-bit clean, as YMODEM needs).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "dump/restore_loader.hpp"
#include "io/open_port.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/random.hpp"
#include "support/paths.hpp"

using namespace camdump;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

using test::random_bytes;

uboot::SessionOptions sopt() {
  uboot::SessionOptions o;
  o.attach_timeout = 60s;
  o.idle_timeout = 10s;
  return o;
}

}  // namespace

TEST(QemuRestore, YmodemIntoRealLoadyArm) {
  if (!ct::qemu_available()) GTEST_SKIP() << "u-boot-qemu not installed";
  ct::QemuConfig cfg{.board = ct::Board::QemuArm};
  auto q = ct::Qemu::start_tcp(cfg);
  auto t = io::open_port(q.port_spec());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  s.attach();
  ASSERT_TRUE(s.has_command("loady"));
  dump::YmodemLoader loader;
  loader.prepare(s);
  // 70 KiB + 100 bytes: 1024-byte STX blocks and a short last block.
  const auto data = random_bytes(70 * 1024 + 100, 7);
  loader.load(s, 0x40200000, 0, data);
  EXPECT_EQ(loader.blocks, (data.size() + 1023) / 1024);
  auto dev = s.crc32(0x40200000, data.size());
  ASSERT_TRUE(dev.has_value());
  EXPECT_EQ(*dev, crc32(data));
  // The prompt answers normally afterwards.
  auto lines = s.run("echo after-loady");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "after-loady");
}

TEST(QemuRestore, SabreliteRestoreUartWritesTheChip) {
  if (!ct::qemu_available(ct::Board::Sabrelite)) GTEST_SKIP() << "qemu-system-arm not installed";
  const std::string uboot = ct::cached_uboot("sabrelite");
  if (uboot.empty()) GTEST_SKIP() << "no sabrelite U-Boot: run scripts/build-uboot-qemu sabrelite";
  ct::TempDir dir("camdump-qemu-restore");
  // IMAGE: 2 MiB (the sst25vf016b); the chip holds it with one 64 KiB block and one sector changed.
  auto image = random_bytes(2u << 20, 11);
  std::fill(image.begin() + 0x100000, image.end(), 0xff);
  auto chip = image;
  for (size_t a = 0x40000; a < 0x50000; ++a) chip[a] ^= 0x3c;
  for (size_t a = 0x1f3000; a < 0x1f4000; ++a) chip[a] = 0;
  write_file_atomic(dir / "new.bin", image);
  write_file_atomic(dir / "chip.bin", chip);
  ct::QemuConfig cfg{.board = ct::Board::Sabrelite, .bios = uboot};
  cfg.mtd_images = {(dir / "chip.bin").string()};
  auto q = ct::Qemu::start_tcp(cfg);
  std::vector<std::string> argv = {camdump::test::camdump_exe(),
                                   "restore",
                                   "uart",
                                   q.port_spec(),
                                   (dir / "new.bin").string(),
                                   "--yes",
                                   "--no-backup",
                                   "--force",
                                   "--json"};
  auto p =
      ct::Process::spawn(argv, {.stdout_file = (dir / "out.txt").string(), .stderr_file = (dir / "err.txt").string()});
  auto st = p.wait_exit(600s);
  if (!st) p.stop();
  const std::string out = ct::read_file(dir / "out.txt"), err = ct::read_file(dir / "err.txt");
  ASSERT_TRUE(st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << err << q.qemu_output();
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["flash_size"], 2u << 20);
  EXPECT_EQ(j["plan_bytes"], 0x10000 + j["erase_unit"].get<uint64_t>());
  EXPECT_EQ(j["loaded_bytes"], j["plan_bytes"]);
  q.stop();  // QEMU writes the SPI NOR model back to chip.bin
  EXPECT_EQ(read_file(dir / "chip.bin"), image);
}
