// SPDX-License-Identifier: MIT
// bench/uart: characters on the wire per flash byte, camdump's verified UART dump against the
// guide's method (one `md.b` of the whole flash captured from the console, no verification), both
// through the same virtual camera (sim:, Ingenic 2013.07 dialect, built-in 16 MiB Thingino-like
// image with its blank regions) in one run; plus the projected time at 115200 8N1 (11,520 chars/s).
// Usage: bench_uart [SIM_SPEC]   (default "dialect=ingenic2013"; e.g. "noise=1e-4" adds line noise)
#include <fmt/core.h>

#include <array>
#include <chrono>
#include <filesystem>

#include "core/error.hpp"
#include "core/report.hpp"
#include "core/size.hpp"
#include "dump/staging.hpp"
#include "dump/uart_dump.hpp"
#include "sim/sim_camera.hpp"
#include "uboot/session.hpp"

using namespace camdump;

namespace {

constexpr double kCharsPerSecond = 11520.0;  // 115200 baud, 8N1 = 10 bits per character

// The guide: `sf probe 0; sf read 0x80600000 0x0 0x1000000; md.b 0x80600000 0x1000000`, logged by
// screen. Counts every byte both ways from the prompt to the prompt after md.b.
uint64_t guide_md_b(const std::string& spec, uint64_t& flash_size) {
  auto t = sim::open_sim(spec, null_reporter());
  uboot::UbootSession s(*t, null_reporter(), nullptr);
  s.attach();
  auto probe = s.sf_probe();
  flash_size = probe.size.value_or(16u << 20);
  uint64_t w0 = t->rx_bytes() + t->tx_bytes();
  s.run(fmt::format("sf read 80600000 0 {:x}", flash_size), std::chrono::milliseconds(60000));
  std::string cmd = fmt::format("md.b 80600000 {:x}\r", flash_size);
  t->write(cmd);
  std::string tail;
  std::array<uint8_t, 65536> buf;
  const std::string end = "\n" + s.prompt();
  for (;;) {
    size_t n = t->read(buf, std::chrono::milliseconds(5000));
    if (n == 0) fail(ErrorKind::Timeout, "md.b did not finish");
    tail.append(reinterpret_cast<char*>(buf.data()), n);
    if (tail.size() > 256) tail.erase(0, tail.size() - 256);
    if (tail.ends_with(end)) break;
  }
  return t->rx_bytes() + t->tx_bytes() - w0;
}

std::string hms(double s) { return fmt::format("{}h{:02}m{:02}s", int(s) / 3600, int(s) / 60 % 60, int(s) % 60); }

}  // namespace

int main(int argc, char** argv) try {
  std::string spec = argc > 1 ? argv[1] : "dialect=ingenic2013";
  auto dir = std::filesystem::temp_directory_path() / fmt::format("bench-uart-{}", ::getpid());
  std::filesystem::create_directories(dir);

  auto t0 = std::chrono::steady_clock::now();
  auto t = sim::open_sim(spec, null_reporter());
  uboot::UbootSession s(*t, null_reporter(), nullptr);
  dump::UartDumpOptions o;
  o.out = dir / "fw.bin";
  auto r = dump::dump_uart(s, o);
  double ours_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  uint64_t ours = r.rx_bytes + r.tx_bytes;

  uint64_t flash = 0;
  uint64_t guide = guide_md_b(spec, flash);
  std::filesystem::remove_all(dir);

  double ours_pb = double(ours) / double(r.length), guide_pb = double(guide) / double(flash);
  fmt::print("bench uart: {} Thingino-like image via sim:{} ({} blank, {} data)\n", format_size(r.length), spec,
             format_size(r.blank_bytes), format_size(r.length - r.blank_bytes));
  fmt::print(
      "  camdump dump uart (md.{}, crc32 per chunk, blank-skip, whole-image crc32): {} chars, "
      "{:.3f} per flash byte, {} at 115200 ({} lines re-read; {:.1f} s here)\n",
      r.width == 4   ? 'l'
      : r.width == 2 ? 'w'
                     : 'b',
      ours, ours_pb, hms(double(ours) / kCharsPerSecond), r.reread_lines, ours_s);
  fmt::print(
      "  guide: one md.b of the whole flash, unverified:                        {} chars, "
      "{:.3f} per flash byte, {} at 115200\n",
      guide, guide_pb, hms(double(guide) / kCharsPerSecond));
  fmt::print("  ratio: camdump uses {:.1f}x fewer wire characters (goal: <= 2.0 chars per flash byte: {})\n",
             double(guide) / double(ours), ours_pb <= 2.0 ? "met" : "NOT met");
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "bench_uart: {}\n", e.what());
  return 1;
}
