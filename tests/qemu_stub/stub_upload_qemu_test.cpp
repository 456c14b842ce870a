// SPDX-License-Identifier: MIT
// The stub's receive mode (issue 14 item 6) on real U-Boot under QEMU: the console engine uploads
// the stub with mw.l, stub_upload() writes a file into RAM through it, the stub returns, and
// U-Boot's own `crc32` of that RAM must equal the file's CRC-32 (and U-Boot must answer). Malta =
// stock Debian maltael (NS16550, MIPS stub, the KSEG0 address written through KSEG1); ARM = the
// rebuilt qemu_arm (PL011, the position-independent ARM stub). QEMU's TCP chardev carries no line
// rate and applies no baud timing: this proves the stub's parser, the RAM writes, the answers and
// the end exchange on real U-Boot, not the fast rate (that is the sim's and the dump tests' part).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/crc32.hpp"
#include "core/report.hpp"
#include "qemu_stub/raw_console.hpp"
#include "qemu_stub/stub_env.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "uboot/session.hpp"
#include "uboot/soc_table.hpp"
#include "uboot/stub_upload.hpp"

namespace camdump::test {
namespace {

// STUB_TEST_LOG=1 prints the engine's log with wall-clock offsets (where the time goes).
struct TimedReporter : Reporter {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  void log(LogLevel, std::string_view m) override {
    if (!std::getenv("STUB_TEST_LOG")) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fprintf(stderr, "%8.2f %.*s\n", s, int(m.size()), m.data());
  }
};

std::vector<uint8_t> file_bytes(size_t n) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(23);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  std::fill(v.begin() + 8192, v.begin() + 16384, 0xff);
  const uint8_t sync[] = {0x5a, 0xa5, 'W', 0, 0, 0, 0, 0xa5, 0x5a, 'K'};  // both sync pairs inside data
  std::copy(std::begin(sync), std::end(sync), v.begin() + 5000);
  return v;
}

void upload_on(const QemuConfig& cfg, const char* soc_name, uint64_t addr, uint32_t frame) {
  TempDir dir("camdump-stubup");
  auto q = Qemu::start_tcp(cfg, (dir / "console.log").string());
  FdTransport t(connect_tcp(q.port()));
  TimedReporter rep;
  uboot::UbootSession s(t, rep, nullptr);
  s.attach();
  // Small: QEMU feeds a guest UART's RX FIFO a few bytes per main-loop pass (~4 KB/s measured on
  // this loaded machine), whatever the stub does. Not a multiple of the frame or of 4.
  const auto file = file_bytes(40 * 1024 + 3);
  uboot::StubLoader loader(s, *uboot::find_soc(soc_name));
  uboot::StubUploadOptions opt;
  opt.frame_size = frame;
  auto res = uboot::stub_upload(loader, addr, file, opt);
  ASSERT_TRUE(res.ok) << res.failure << "\n" << read_file(dir / "console.log");
  EXPECT_EQ(res.crc, crc32(file));
  // No figures here: on a loaded machine QEMU can be slower than the host's answer wait, and
  // frames sent again (correctly) cost characters. Figures: bench/stub_upload on the sim.
  // Back at U-Boot's prompt: its own crc32 of the RAM equals the file's.
  EXPECT_EQ(s.crc32(addr, file.size()), crc32(file));
  // A second upload over the same stub (no new mw.l) of other bytes lands too.
  std::vector<uint8_t> other(file.rbegin(), file.rbegin() + 8192);
  const uint64_t words = loader.stats().upload_words;
  res = uboot::stub_upload(loader, addr + 0x100000, other, opt);
  ASSERT_TRUE(res.ok) << res.failure;
  EXPECT_EQ(loader.stats().upload_words, words);
  EXPECT_EQ(s.crc32(addr + 0x100000, other.size()), crc32(other));
  EXPECT_EQ(s.crc32(addr, file.size()), crc32(file));
}

TEST(QemuStubUpload, MaltaNs16550FileInRamMatchesUbootCrc32) {
  if (!qemu_available(Board::MaltaEl)) GTEST_SKIP() << "qemu-system-mipsel / u-boot-qemu missing";
  QemuConfig cfg;
  cfg.board = Board::MaltaEl;
  upload_on(cfg, "malta", 0x80800000, 4096);  // KSEG0: the stub writes through KSEG1 0xa0800000
}

TEST(QemuStubUpload, QemuArmPl011FileInRamMatchesUbootCrc32) {
  auto bios = rebuilt_qemu_arm_uboot();
  if (bios.empty()) GTEST_SKIP() << "no rebuilt qemu_arm U-Boot (scripts/build-uboot-qemu has not run)";
  QemuConfig cfg;
  cfg.board = Board::QemuArm;
  cfg.bios = bios;
  upload_on(cfg, "qemu-virt", 0x41000000, 1024);
}

}  // namespace
}  // namespace camdump::test
