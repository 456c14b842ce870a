// SPDX-License-Identifier: MIT
// The TFTP route against a real U-Boot: Debian's qemu_arm U-Boot rebuilt with tftpput and
// tftpdstp (scripts/build-uboot-qemu) under qemu-system-arm -M virt with user-mode networking
// (slirp: guest UDP to 10.0.2.2:P reaches host 127.0.0.1:P for P != 69; docs/reference/qemu-test-cameras.md#network).
//  - `camdump dump tftp exec:<qemu> --server-ip 10.0.2.2 --camera-ip 10.0.2.15 --listen 127.0.0.1:P`
//    yields the exact image that QEMU placed in RAM;
//  - `tftpboot` of a file from camdump's server gives the file's crc32 on the device.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <thread>

#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "core/size.hpp"
#include "io/open_port.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/random.hpp"
#include "support/paths.hpp"
#include "tftp/server.hpp"
#include "uboot/session.hpp"

using namespace camdump;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

using test::random_bytes;

/// The cached binary of scripts/build-uboot-qemu, or "" (the test then skips: building takes
/// minutes and happens once per machine, outside the test run).
std::string rebuilt_uboot() {
  if (const char* e = std::getenv("CAMDUMP_UBOOT_QEMU_ARM"); e && std::filesystem::exists(e)) return e;
  std::filesystem::path cache;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) cache = x;
  else if (const char* h = std::getenv("HOME")) cache = std::filesystem::path(h) / ".cache";
  std::error_code ec;
  for (auto& f : std::filesystem::directory_iterator(cache / "camdump", ec)) {
    auto name = f.path().filename().string();
    if (name.rfind("u-boot-qemu_arm-", 0) == 0 && name.find("tftpput") != std::string::npos) return f.path().string();
  }
  return {};
}

class NullReporter : public Reporter {};

}  // namespace

class QemuTftp : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ct::qemu_available()) GTEST_SKIP() << "qemu-system-arm / u-boot-qemu not installed";
    bios_ = rebuilt_uboot();
    if (bios_.empty()) GTEST_SKIP() << "no rebuilt qemu_arm U-Boot: run scripts/build-uboot-qemu once";
  }
  std::string bios_;
  ct::TempDir dir_{"camdump-qemu-tftp"};
};

TEST_F(QemuTftp, DumpTftpYieldsExactImage) {
  auto img = random_bytes(4u << 20, 7);
  write_file_atomic(dir_ / "flash.bin", img);
  ct::QemuConfig cfg;
  cfg.bios = bios_;
  cfg.ram_image = (dir_ / "flash.bin").string();
  cfg.ram_addr = 0x42000000;
  cfg.user_net = true;
  std::string port = ct::qemu_exec_port(cfg, dir_.path());
  uint16_t udp = ct::free_udp_port();
  auto out = dir_ / "out.bin";
  auto p = ct::Process::spawn(
      {camdump::test::camdump_exe(),
       "dump",
       "tftp",
       port,
       "-o",
       out.string(),
       "--server-ip",
       "10.0.2.2",
       "--camera-ip",
       "10.0.2.15",
       "--netmask",
       "255.255.255.0",
       "--listen",
       "127.0.0.1:" + std::to_string(udp),
       "--mapped",
       "0x42000000",
       "--flash-size",
       "4M",
       "--chunk",
       "2M"},
      {.stdout_file = (dir_ / "stdout.txt").string(), .stderr_file = (dir_ / "stderr.txt").string()});
  auto st = p.wait_exit(240s);
  if (!st) p.stop();
  ASSERT_TRUE(st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0)
      << ct::read_file(dir_ / "stdout.txt") << ct::read_file(dir_ / "stderr.txt");
  EXPECT_EQ(camdump::read_file(out), img);
  EXPECT_NE(ct::read_file(dir_ / "stdout.txt").find(crc_hex(crc32(img))), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.bin.part"));
}

TEST_F(QemuTftp, TftpbootFromOurServerMatchesCrc32) {
  auto file = random_bytes(3u << 20, 9);
  ct::TempDir root("camdump-qemu-tftp-root");
  write_file_atomic(root / "boot.bin", file);
  NullReporter rep;
  tftp::ServerConfig sc;
  sc.root = root.path();
  sc.listen = *tftp::parse_endpoint("127.0.0.1:0", 0);
  sc.allow_write = false;
  tftp::Server server(sc, rep);
  std::thread th([&] { server.run(); });
  struct Join {
    tftp::Server& s;
    std::thread& t;
    ~Join() {
      s.stop();
      t.join();
    }
  } join{server, th};

  ct::QemuConfig cfg;
  cfg.bios = bios_;
  cfg.user_net = true;
  auto t = io::open_port(ct::qemu_exec_port(cfg, dir_.path()));
  uboot::UbootSession s(*t, rep, nullptr);
  s.attach();
  s.run("setenv ipaddr 10.0.2.15");
  s.run("setenv netmask 255.255.255.0");
  s.run("setenv serverip 10.0.2.2");
  s.run("setenv tftpdstp " + std::to_string(server.port()));
  auto lines = s.run("tftpboot 0x43000000 boot.bin", 60s);
  std::string all;
  for (auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("Bytes transferred = " + std::to_string(file.size())), std::string::npos) << all;
  auto crc = s.crc32(0x43000000, file.size());
  ASSERT_TRUE(crc);
  EXPECT_EQ(*crc, crc32(file));
  bool served = false;
  for (auto& r : server.finished()) served |= r.ok && r.name == "boot.bin" && r.bytes == file.size();
  EXPECT_TRUE(served);
}
