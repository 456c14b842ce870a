// SPDX-License-Identifier: MIT
// Bench of the U-Boot restore (issue 14): the virtual camera (`baud-timing=1`: every console
// character costs 10 bit times at 115200, host->camera too while loady receives) holds a 16 MiB
// Thingino-like image whose 64 KiB env partition differs from IMAGE. `restore uart` (loady, and the
// binary stub's receive mode) and
// `restore tftp` (tftpboot from the built-in server on 127.0.0.1) write IMAGE back without a backup.
// Prints the bytes that differ, the bytes moved to the camera, the console characters the loader
// spent per written byte and in all (plan by crc32, sf commands, final check), and the virtual
// time at 115200; next to it what sending the whole flash by loady would cost (YMODEM-1K framing:
// 1029 characters per 1024-byte block). The flash is checked equal to IMAGE after each run.
#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/report.hpp"
#include "dump/restore_loader.hpp"
#include "dump/uboot_restore.hpp"
#include "image/synth.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"
#include "tftp/udp.hpp"

using namespace camdump;

int main() {
  constexpr uint64_t kFlash = 16u << 20;
  const auto image = image::make_thingino_image({.flash_size = kFlash, .seed = 4});
  auto old = image;
  uint64_t changed = 0;
  for (uint64_t a = 0x50000; a < 0x60000; ++a) {  // the env partition (64 KiB)
    const uint8_t b = static_cast<uint8_t>(a * 13 + 1);
    changed += b != old[a];
    old[a] = b;
  }
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("camdump-bench-restore-{}", ::getpid());
  std::filesystem::create_directories(dir);
  write_file_atomic(dir / "new.bin", image);
  write_file_atomic(dir / "old.bin", old);
  fmt::print(
      "U-Boot restore of a {} MiB image differing in one 64 KiB partition ({} bytes differ), 115200 baud, "
      "virtual clock\n",
      kFlash >> 20, changed);
  fmt::print("{:<10} {:>10} {:>12} {:>14} {:>14} {:>12} {:>10}\n", "route", "moved", "load chars", "chars/written",
             "all chars", "virtual s", "exact");
  int rc = 0;
  for (const std::string route : {"uart", "stub", "tftp"}) {
    auto t = sim::open_sim((dir / "old.bin").string() + ",dialect=thingino,state=uboot,baud-timing=1", null_reporter(),
                           sim::with_sim_stub());
    auto& cam = dynamic_cast<sim::SimTransport&>(*t).camera();
    std::unique_ptr<dump::RestoreLoader> loader;
    if (route == "uart") {
      loader = std::make_unique<dump::YmodemLoader>();
    } else if (route == "stub") {  // the stub's receive mode at U-Boot's 115200 (the T31 sim)
      loader = std::make_unique<dump::StubRestoreLoader>(true, std::nullopt);
    } else {
      dump::TftpLoaderOptions o;
      o.server_ip = "127.0.0.1";
      o.camera_ip = "192.168.1.10";
      const uint16_t port = tftp::UdpSocket::bind(*tftp::parse_endpoint("127.0.0.1:0", 0)).local().port();
      o.listen = fmt::format("127.0.0.1:{}", port);  // a free port (closed again), tftpdstp on the camera
      loader = std::make_unique<dump::TftpbootLoader>(o, nullptr);
    }
    uboot::UbootSession s(*t, null_reporter(), nullptr);
    dump::UbootRestoreOptions o;
    o.image = dir / "new.bin";
    o.no_backup = true;
    const double t0 = cam.virtual_seconds();
    auto r = dump::restore_uboot(s, *loader, o, null_reporter(), nullptr);
    const double secs = cam.virtual_seconds() - t0;
    const auto f = cam.flash();
    const bool exact = std::equal(f.begin(), f.end(), image.begin(), image.end());
    rc |= !exact;
    fmt::print("{:<10} {:>10} {:>12} {:>14.3f} {:>14} {:>12.1f} {:>10}\n",
               route == "uart"   ? "loady"
               : route == "stub" ? "stub"
                                 : "tftpboot",
               r.loaded_bytes, r.load_wire_chars,
               double(r.load_wire_chars) / double(std::max<uint64_t>(r.bytes_written, 1)), r.wire_chars, secs,
               exact ? "yes" : "NO");
    std::error_code ec;
    std::filesystem::remove(dir / "new.bin.restore-state", ec);
  }
  const double whole = double(kFlash / 1024 * 1029) * 10 / 115200;
  fmt::print("whole flash by loady (framing only): {} chars, {:.0f} s at 115200\n", kFlash / 1024 * 1029, whole);
  std::filesystem::remove_all(dir);
  return rc;
}
