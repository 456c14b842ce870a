// SPDX-License-Identifier: MIT
// Console cost of the Linux-shell route, measured: a 16 MiB Thingino-like image behind a real
// busybox shell in a chroot on a pseudo-terminal, dumped with the shell route twice (blank-skip
// on and off); every byte the console carried is counted by the transport. The guide's UART
// route (md.b) costs 79 characters per 16 bytes, 4.94 per flash byte.
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <string_view>

#include "core/mtd_layout.hpp"
#include "dump/shell_dump.hpp"
#include "image/synth.hpp"
#include "io/open_port.hpp"
#include "shell/shell_session.hpp"
#include "support/busybox_root.hpp"

using namespace camdump;

namespace {

struct Figures {
  double per_byte, seconds;
  bool exact;
};

Figures run(const test::BusyboxRoot& root, const std::vector<uint8_t>& img, bool skip_blank) {
  auto t = io::open_port(root.port(), {}, nullptr);
  shell::ShellSession sh(*t, null_reporter());
  sh.attach();
  uint64_t rx0 = t->rx_bytes();
  auto start = std::chrono::steady_clock::now();
  dump::ShellDumper d(sh, null_reporter());
  dump::ShellDumpOptions o;
  o.skip_blank = skip_blank;
  auto r = d.run(o);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {double(t->rx_bytes() - rx0) / double(img.size()), secs, dump::assemble_image(r) == img};
}

}  // namespace

int main() {
  if (::geteuid() != 0) {
    fmt::print(stderr, "bench_shell: needs root (chroot)\n");
    return 1;
  }
  const auto img = image::make_thingino_image({.flash_size = 16u << 20});
  std::string_view text(reinterpret_cast<const char*>(img.data()), img.size());
  auto mp = find_mtdparts(text);
  if (!mp) {
    fmt::print(stderr, "bench_shell: no mtdparts in the synthetic image\n");
    return 1;
  }
  MtdLayout layout = parse_mtdparts(*mp, img.size());
  test::BusyboxRootOptions opt;
  opt.mtdparts = std::string(*mp);
  for (const auto& p : layout.parts) opt.parts.push_back({p.name, p.offset.value_or(0), p.size});
  test::BusyboxRoot root(img, opt);

  const double mdb = 79.0 / 16.0;
  const double baud_chars = 11520.0;  // 115200 8N1
  Figures skip = run(root, img, true);
  Figures full = run(root, img, false);
  auto hours = [&](double per_byte) { return per_byte * double(img.size()) / baud_chars / 3600.0; };
  fmt::print("bench_shell: 16 MiB Thingino-like image, busybox {} in a chroot on a pty\n", "sh");
  fmt::print("  guide md.b            {:.3f} wire chars/flash byte, {:.2f} h at 115200\n", mdb, hours(mdb));
  fmt::print("  camdump base64        {:.3f} wire chars/flash byte, {:.2f} h at 115200 ({})\n", full.per_byte,
             hours(full.per_byte), full.exact ? "exact" : "MISMATCH");
  fmt::print("  camdump base64+blank  {:.3f} wire chars/flash byte, {:.2f} h at 115200 ({})\n", skip.per_byte,
             hours(skip.per_byte), skip.exact ? "exact" : "MISMATCH");
  fmt::print("  ratio md.b / camdump: {:.2f}x (no blank-skip), {:.2f}x (blank-skip); goal <= 1.4 chars/byte\n",
             mdb / full.per_byte, mdb / skip.per_byte);
  return (skip.exact && full.exact) ? 0 : 1;
}
