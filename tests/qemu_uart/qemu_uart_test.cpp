// SPDX-License-Identifier: MIT
// The UART route against real U-Boot under QEMU (docs/reference/qemu-test-cameras.md): Debian's qemu_arm U-Boot through
// exec: (QEMU on a pty, stdio console) with the image in RAM read by --mapped, and through ser2net
// (tcp:) with a cp.b --load template; the maltael U-Boot (NS16550) for the baud dialogue, which
// hangs qemu_arm's PL011 and so is not tried there. A 512 KiB image keeps the suite short.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "dump/uart_dump.hpp"
#include "image/synth.hpp"
#include "io/open_port.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/ser2net.hpp"

using namespace camdump;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

constexpr uint64_t kImageSize = 512u << 10;  // a few hundred KiB: QEMU consoles are CPU-bound

std::vector<uint8_t> small_image() {
  auto img = image::make_thingino_image({.flash_size = 8u << 20, .seed = 3});
  img.resize(kImageSize);  // SPL, U-Boot and its blank padding, env, the kernel's start
  return img;
}

uboot::SessionOptions sopt() {
  uboot::SessionOptions o;
  o.attach_timeout = 30s;
  o.idle_timeout = 5s;
  return o;
}

}  // namespace

TEST(QemuUart, ArmExecMappedDumpIsExact) {
  if (!ct::qemu_available()) GTEST_SKIP() << "u-boot-qemu not installed";
  ct::TempDir dir;
  auto img = small_image();
  write_file_atomic(dir / "img.bin", img);
  ct::QemuConfig cfg{.board = ct::Board::QemuArm, .ram_image = (dir / "img.bin").string()};
  auto port = ct::exec_port(ct::qemu_argv(cfg, ct::console_stdio_args(), dir.path()));
  auto t = io::open_port(port);
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  dump::UartDumpOptions o;
  o.out = dir / "fw.bin";
  o.staging.mapped = 0x42000000;
  o.flash_size = kImageSize;
  auto r = dump::dump_uart(s, o);
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), img);
  EXPECT_EQ(r.device.prompt, "=> ");
  EXPECT_EQ(r.device.console_uart, "pl011@9000000");
  EXPECT_EQ(r.width, 4u);
  EXPECT_GT(r.blank_bytes, 0u);
}

TEST(QemuUart, ArmSer2netTcpWithCpLoadTemplateIsExact) {
  if (!ct::qemu_available() || !ct::Ser2net::available()) GTEST_SKIP() << "qemu or ser2net missing";
  ct::TempDir dir;
  auto img = small_image();
  write_file_atomic(dir / "img.bin", img);
  auto q = ct::Qemu::start_pty({.board = ct::Board::QemuArm, .ram_image = (dir / "img.bin").string()});
  auto s2n = ct::Ser2net::start(q.pty_path());
  auto t = io::open_port(s2n.raw_spec());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  dump::UartDumpOptions o;
  o.out = dir / "fw.bin";
  o.staging.load = "cp.b {offset+42000000} {addr} {len}";
  o.flash_size = kImageSize;
  o.chunk = uint64_t{16} * 1024;
  auto r = dump::dump_uart(s, o);
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), img);
  EXPECT_EQ(r.device.prompt, "=> ");
}

TEST(QemuUart, MaltaBaudDialogueSwitchesAndRestores) {
  if (!ct::qemu_available(ct::Board::MaltaEl)) GTEST_SKIP() << "u-boot-qemu (maltael) not installed";
  ct::TempDir dir;
  auto img = small_image();
  img.resize(size_t{128} * 1024);
  write_file_atomic(dir / "img.bin", img);
  auto q = ct::Qemu::start_pty({.board = ct::Board::MaltaEl, .ram_image = (dir / "img.bin").string()});
  auto t = io::open_port(q.pty_path());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  dump::UartDumpOptions o;
  o.out = dir / "fw.bin";
  o.staging.mapped = 0x82000000;
  o.flash_size = img.size();
  o.fast_baud = 57600;  // in the default table; 921600 is refused
  auto r = dump::dump_uart(s, o);
  EXPECT_EQ(r.baud, 57600u) << r.baud_note;
  EXPECT_EQ(t->baud(), 115200u);  // restored at the end
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), img);
  EXPECT_EQ(r.device.prompt, "maltael # ");
  EXPECT_EQ(s.set_baud(921600), uboot::BaudResult::NotSupported);
}
