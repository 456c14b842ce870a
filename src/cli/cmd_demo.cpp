// SPDX-License-Identifier: MIT
// `camdump demo`: the U-Boot UART route for real, against the built-in virtual camera (sim:) on a
// slightly noisy line: attach through the autoboot countdown, sf probe, per-chunk crc32 with blank
// chunks skipped, md.l with damaged lines repaired, whole-image CRC32 check, OUT renamed only when
// verified. Then the file is compared with the virtual camera's flash. Well under a minute.
#include <fmt/core.h>

#include <chrono>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/reporter.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "dump/stub_reader.hpp"
#include "dump/uart_dump.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"
#include "uboot/session.hpp"

namespace camdump::cli {
namespace {

struct DemoArgs {
  std::string flash_size = "16M", dialect = "ingenic2013", keep;
  double noise = 1e-4;
  uint32_t seed = 1;
};

// The virtual camera's spec from the checked options (throws Error(Usage)).
std::string sim_spec(const DemoArgs& a) {
  const uint64_t flash = size_arg("--flash-size", a.flash_size);
  if (flash != (8u << 20) && flash != (16u << 20) && flash != (32u << 20))
    fail(ErrorKind::Usage, "--flash-size must be 8M, 16M or 32M");
  if (a.dialect != "ingenic2013" && a.dialect != "modern")
    fail(ErrorKind::Usage, "--dialect must be ingenic2013 or modern");
  if (a.noise < 0 || a.noise > 1e-2) fail(ErrorKind::Usage, "--noise must be between 0 and 0.01");
  return fmt::format("flash={}M,dialect={},noise={},seed={}", flash >> 20, a.dialect, a.noise, a.seed);
}

// What the dump did, line by line, against the guide's md.b at 115200.
void print_report(const DemoArgs& a, const dump::UartDumpResult& r, const dump::UartMethodHook& hook,
                  double virtual_seconds) {
  const double guide = 79.0 / 16.0 * static_cast<double>(r.length);
  fmt::print("device:   {} (prompt '{}'{})\n", r.device.version.empty() ? "U-Boot" : r.device.version, r.device.prompt,
             r.device.soc.empty() ? "" : ", SoC " + r.device.soc);
  fmt::print("flash:    {}{}\n", r.flash_name.empty() ? "" : r.flash_name + ", ", format_size(r.flash_size));
  fmt::print("method:   {}\n", hook.summary());
  fmt::print("read:     {} ({} by the stub), {} blank skipped by crc32; {} damaged md lines re-read (noise {})\n",
             format_size(r.read_bytes), format_size(r.fast_bytes), format_size(r.blank_bytes), r.reread_lines, a.noise);
  std::string rates;
  for (const auto& [rate, bytes] : hook.stub_rate_bytes())
    rates += fmt::format("{}{} at {} baud", rates.empty() ? "" : ", ", format_size(bytes), rate);
  if (!rates.empty()) fmt::print("rate:     the stub switched the UART: {}\n", rates);
  fmt::print(
      "wire:     {} chars ({:.2f} per flash byte), {} of wire time on the virtual clock; the guide's md.b at "
      "115200: {:.0f} chars, {}\n",
      r.rx_bytes + r.tx_bytes, r.wire_per_byte(), format_duration(virtual_seconds), guide,
      format_duration(guide / 11520.0));
  fmt::print("verified: device crc32 {} == file; sha256 {}\n", crc_hex(r.crc32), r.sha256);
  fmt::print("time:     {:.1f} s here (the virtual camera's clock is not the wall's)\n", r.seconds);
}

void run(const DemoArgs& a, Context& ctx) {
  const std::string spec = sim_spec(a);

  std::filesystem::path dir;
  bool temp = a.keep.empty();
  if (temp) {
    dir = std::filesystem::temp_directory_path() / fmt::format("camdump-demo-{}", ::getpid());
  } else {
    dir = a.keep;
  }
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path d;
    bool on;
    ~Cleanup() {
      std::error_code ec;
      if (on) std::filesystem::remove_all(d, ec);
    }
  } cleanup{dir, temp};

  fmt::print("camdump demo: dumping a virtual camera over its U-Boot console (sim:{})\n", spec);
  fmt::print("  the same as: camdump dump uart 'sim:{}' -o {}\n", spec, (dir / "fw.bin").string());
  auto t = sim::open_sim(spec, ctx.reporter, sim::with_sim_stub());  // the virtual camera runs our stub
  auto& cam = dynamic_cast<sim::SimTransport&>(*t).camera();
  uboot::UbootSession s(*t, ctx.reporter, ctx.cancel);
  dump::UartDumpOptions o;
  o.out = dir / "fw.bin";
  // The default route of `dump uart`: the binary stub at the fastest rate (issue 18), md where it cannot.
  auto hook =
      std::make_shared<dump::UartMethodHook>(s, dump::UartMethod::Auto, std::nullopt, uboot::StubLoaderOptions{},
                                             dump::FastBaud{dump::FastBaud::Mode::Auto, 0});
  o.fast_read = dump::UartMethodHook::hook(hook);
  dump::UartDumpResult r = dump::dump_uart(s, o);

  auto truth = cam.flash();
  const std::string truth_sha = sha256_hex(truth);
  const bool same =
      truth_sha == r.sha256 && camdump::read_file(o.out) == std::vector<uint8_t>(truth.begin(), truth.end());
  print_report(a, r, *hook, cam.virtual_seconds());
  if (!temp) fmt::print("kept:     {}\n", o.out.string());
  if (same) {
    fmt::print("demo ok: the dump equals the virtual camera's flash byte for byte\n");
  } else {
    fmt::print("demo FAILED: the dump differs from the virtual camera's flash\n");
    ctx.exit_code = 1;
  }
}

}  // namespace

void register_demo(Command app, Context& ctx) {
  auto a = std::make_shared<DemoArgs>();
  Command c =
      app.subcommand("demo",
                     "Run the U-Boot UART route for real against the built-in virtual camera on a slightly noisy\n"
                     "line: stop autoboot, find the flash, crc32 each chunk, skip blank ones, md.l the rest, repair\n"
                     "damaged lines, verify the whole image, and compare it with the camera's flash. A few seconds.");
  c.option("--flash-size", a->flash_size, "Virtual camera flash: 8M, 16M (default) or 32M");
  c.option("--dialect", a->dialect, "Console dialect: ingenic2013 (default) or modern");
  c.option("--noise", a->noise, "Per-character error rate on the line (default 1e-4; 0 for a clean line)");
  c.option("--seed", a->seed, "Seed of the line noise (default 1)");
  c.option("--keep", a->keep, "Keep the dump (fw.bin) in this directory");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
