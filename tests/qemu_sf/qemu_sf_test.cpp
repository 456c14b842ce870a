// SPDX-License-Identifier: MIT
// The U-Boot routes against a real `sf` (issue 13 item 9): Debian's U-Boot source built by
// scripts/build-uboot-qemu for two QEMU machines with an emulated SPI NOR
// (docs/reference/qemu-boards.md), driven by the camdump CLI with the DEFAULT load path
// (`sf probe 0` once, then `sf read {addr} {offset} {len}` per chunk):
//  - sabrelite (i.MX6Q, 2 MiB SST chip, console on the second UART, no SoC entry for the stub):
//    `dump uart` of the whole chip over a TCP console; the method line says md and why;
//  - ast2500-evb (32 MiB boot flash holding U-Boot itself): `dump uart` of a range, and `dump tftp`
//    of the whole 32 MiB through `tftpdstp` to the built-in server on 127.0.0.1.
// Each result is compared with the flash file given to QEMU. QEMU writes the chip back into that
// file, so it gets a copy and the copy is checked to be unchanged too. Skips when the U-Boot for
// a board has not been built (`make uboot-qemu` builds all three).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "image/synth.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/random.hpp"

using namespace camdump;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

using test::random_bytes;

// Long: a 32 MiB dump over QEMU's emulated UART.
ct::CommandResult camdump_cli(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  return ct::run_camdump(args, dir, 900s);
}

void put(std::vector<uint8_t>& flash, size_t at, const std::vector<uint8_t>& data) {
  std::copy(data.begin(), data.end(), flash.begin() + static_cast<long>(at));
}

// Sabrelite: the 2 MiB chip holds the start of a Thingino-like image (SPL, U-Boot, blank padding,
// env, kernel start) so that blank chunks are skipped and the rest read with md.
std::vector<uint8_t> sabrelite_flash() {
  auto img = image::make_thingino_image({.flash_size = 8u << 20, .seed = 11});
  img.resize(2u << 20);
  return img;
}

// ast2500: u-boot.bin at 0 (the machine boots from it; env at 0x60000 stays blank, so U-Boot uses
// its default env), random data in three places, the rest erased.
std::vector<uint8_t> ast2500_flash(const std::string& uboot_bin) {
  std::vector<uint8_t> flash(32u << 20, 0xff);
  auto u = camdump::read_file(uboot_bin);
  if (u.size() > 0x60000) throw std::runtime_error("u-boot.bin reaches the env at 0x60000");
  put(flash, 0, u);
  put(flash, 0x100000, random_bytes(1u << 20, 21));
  put(flash, 0x1000000, random_bytes(3u << 20, 22));
  put(flash, 0x1ff0000, random_bytes(0x10000, 23));
  return flash;
}

// The transcript (--log) shows the default load path: `sf probe 0` once, then `sf read` per chunk.
void expect_default_load_path(const std::filesystem::path& log) {
  const std::string t = ct::read_file(log);
  EXPECT_NE(t.find("sf probe 0"), std::string::npos) << t.substr(0, 4000);
  EXPECT_NE(t.find("sf read "), std::string::npos) << t.substr(0, 4000);
  EXPECT_NE(t.find("Read: OK"), std::string::npos) << t.substr(0, 4000);
}

}  // namespace

class QemuSf : public ::testing::Test {
 protected:
  void need(ct::Board board, const std::string& name) {
    if (!ct::qemu_available(board)) GTEST_SKIP() << "qemu-system-arm not installed";
    uboot_ = ct::cached_uboot(name);
    if (uboot_.empty()) GTEST_SKIP() << "no " << name << " U-Boot: run scripts/build-uboot-qemu " << name;
  }
  std::string uboot_;
  ct::TempDir dir_{"camdump-qemu-sf"};
};

TEST_F(QemuSf, SabreliteDumpUartWithSfReadIsExactAndSaysMd) {
  need(ct::Board::Sabrelite, "sabrelite");
  const auto flash = sabrelite_flash();
  write_file_atomic(dir_ / "flash.bin", flash);
  std::filesystem::copy_file(dir_ / "flash.bin", dir_ / "chip.bin");
  ct::QemuConfig cfg{.board = ct::Board::Sabrelite, .bios = uboot_};
  cfg.mtd_images = {(dir_ / "chip.bin").string()};
  auto q = ct::Qemu::start_tcp(cfg);  // 8-bit clean: md is chosen for the SoC, not the transport
  auto r = camdump_cli({"dump", "uart", q.port_spec(), "-o", (dir_ / "fw.bin").string(), "--json", "--log",
                        (dir_ / "console.log").string()},
                       dir_.path());
  ASSERT_EQ(r.status, 0) << r.err << q.qemu_output();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["flash_size"], 2u << 20);  // from `sf probe`
  EXPECT_EQ(j["flash_chip"], "sst25vf016b");
  const std::string method = j["method"];
  EXPECT_EQ(method.rfind("md", 0), 0u) << method;                              // no SoC entry: md ...
  EXPECT_NE(r.err.find("not in the stub table"), std::string::npos) << r.err;  // ... said plainly, with why
  expect_default_load_path(dir_ / "console.log");
  EXPECT_GT(j["blank_bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(camdump::read_file(dir_ / "fw.bin"), flash);
  EXPECT_EQ(camdump::read_file(dir_ / "chip.bin"), flash);  // nothing was written to the chip
}

TEST_F(QemuSf, Ast2500DumpUartOfARangeWithSfReadIsExact) {
  need(ct::Board::Ast2500, "ast2500");
  const auto flash = ast2500_flash(uboot_);
  write_file_atomic(dir_ / "flash.bin", flash);
  std::filesystem::copy_file(dir_ / "flash.bin", dir_ / "fmc.bin");
  ct::QemuConfig cfg{.board = ct::Board::Ast2500, .bios = uboot_};
  cfg.mtd_images = {(dir_ / "fmc.bin").string()};
  const std::string port = ct::qemu_exec_port(cfg, dir_.path());
  // 0x1f0000..0x230000: the end of the first random block, blank, the next random block's start.
  auto r = camdump_cli({"dump", "uart", port, "-o", (dir_ / "part.bin").string(), "--offset", "0x1f0000", "--length",
                        "0x40000", "--json", "--log", (dir_ / "console.log").string()},
                       dir_.path());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_default_load_path(dir_ / "console.log");
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["flash_size"], 32u << 20);  // from `sf probe`
  const auto part = camdump::read_file(dir_ / "part.bin");
  EXPECT_EQ(part, std::vector<uint8_t>(flash.begin() + 0x1f0000, flash.begin() + 0x230000));
  EXPECT_EQ(camdump::read_file(dir_ / "fmc.bin"), flash);
}

TEST_F(QemuSf, Ast2500DumpTftpOfTheWhole32MiBBootFlashIsExact) {
  need(ct::Board::Ast2500, "ast2500");
  const auto flash = ast2500_flash(uboot_);
  write_file_atomic(dir_ / "flash.bin", flash);
  std::filesystem::copy_file(dir_ / "flash.bin", dir_ / "fmc.bin");
  ct::QemuConfig cfg{.board = ct::Board::Ast2500, .bios = uboot_, .user_net = true};
  cfg.mtd_images = {(dir_ / "fmc.bin").string()};
  const std::string port = ct::qemu_exec_port(cfg, dir_.path());
  // slirp forwards guest UDP to 10.0.2.2:P (P != 69) to host 127.0.0.1:P: U-Boot sends there by tftpdstp.
  const uint16_t udp = ct::free_udp_port();
  auto r = camdump_cli({"dump", "tftp", port, "-o", (dir_ / "fw.bin").string(), "--server-ip", "10.0.2.2",
                        "--camera-ip", "10.0.2.15", "--listen", "127.0.0.1:" + std::to_string(udp), "--json"},
                       dir_.path());
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["flash_size"], 32u << 20);
  EXPECT_EQ(j["length"], 32u << 20);
  EXPECT_GE(j["chunks"].get<unsigned>(), 2u);
  EXPECT_TRUE(camdump::read_file(dir_ / "fw.bin") == flash);
  EXPECT_TRUE(camdump::read_file(dir_ / "fmc.bin") == flash);
}
