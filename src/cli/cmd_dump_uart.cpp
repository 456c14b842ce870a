// SPDX-License-Identifier: MIT
// `camdump dump uart PORT -o OUT`: the U-Boot console route (issue 3). Opens PORT, reaches the
// U-Boot prompt, dumps the flash with verified md reads (dump/uart_dump.hpp) and prints a summary
// with SHA-256 and the wire bytes spent. Options are shared with the other U-Boot routes
// (UartCliOptions in cli/uart_options.hpp).
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <map>

#include "cli/inspect_summary.hpp"
#include "cli/json.hpp"

#include "cli/command.hpp"
#include "cli/groups.hpp"
#include "cli/option_groups.hpp"
#include "cli/port.hpp"
#include "cli/reporter.hpp"
#include "cli/uart_options.hpp"
#include "cli/wait_line.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/stub_reader.hpp"  // --method/--soc (binary fast path, issue 8)
#include "dump/uart_dump.hpp"
#include "io/line_meter.hpp"
#include "sim/sim_camera.hpp"  // wire time on sim: (issue 18)

namespace camdump::cli {
namespace {

struct UartArgs {
  ConsoleArgs console;
  OutputArgs output;
  RangeArgs range;
  uint64_t chunk = 64 << 10;
  std::string width = "auto", fast_baud = "auto";
  bool no_skip_blank = false;
  uint32_t retries = 4;
  std::string method = "auto", soc;  // binary fast path (issue 8)
};

// The shared route shape (cli/json.hpp, docs/route-json.md), then what only this route has.
nlohmann::json to_json(const dump::UartDumpResult& r) {
  nlohmann::json j = route_json({.command = "dump uart",
                                 .route = "uart",
                                 .output = r.out.string(),
                                 .offset = r.offset,
                                 .length = r.length,
                                 .flash_size = r.flash_size,
                                 .verified_by = "device crc32 of every chunk and of the whole range",
                                 .crc32 = r.crc32,
                                 .sha256 = r.sha256,
                                 .seconds = r.seconds},
                                uboot_device_json(r.device));
  j["flash_chip"] = r.flash_name;
  j["blank_bytes"] = r.blank_bytes;
  j["read_bytes"] = r.read_bytes;
  j["resumed_bytes"] = r.resumed_bytes;
  j["reread_lines"] = r.reread_lines;
  j["chunk_retries"] = r.chunk_retries;
  j["resets"] = r.resets;
  j["wire"] = {{"rx_bytes", r.rx_bytes}, {"tx_bytes", r.tx_bytes}, {"per_flash_byte", r.wire_per_byte()}};
  j["md_width"] = r.width;
  j["baud"] = r.baud ? nlohmann::json(*r.baud) : nlohmann::json(nullptr);
  j["fast_baud"] = r.baud_note;
  return j;
}

void print_summary(const dump::UartDumpResult& r, bool sim) {
  const auto& d = r.device;
  fmt::print("device:   {} (prompt '{}'{}{})\n", d.version.empty() ? "U-Boot" : d.version, d.prompt,
             d.soc.empty() ? "" : ", SoC " + d.soc, d.console_uart.empty() ? "" : ", console " + d.console_uart);
  fmt::print("flash:    {}{} (dumped 0x{:x} + 0x{:x})\n", r.flash_name.empty() ? "" : r.flash_name + ", ",
             format_size(r.flash_size), r.offset, r.length);
  // Name what really carried the bytes: the binary stub, md, or both (md after a stub fallback).
  const uint64_t md_bytes = r.read_bytes - r.fast_bytes;
  std::string how;
  if (r.fast_bytes) how = format_size(r.fast_bytes) + " by the binary stub";
  if (md_bytes || !r.fast_bytes)
    how += fmt::format("{}{} with md.{}", how.empty() ? "" : ", ", format_size(md_bytes),
                       r.width == 4   ? 'l'
                       : r.width == 2 ? 'w'
                                      : 'b');
  fmt::print("read:     {}, {} blank (skipped by crc32){}\n", how, format_size(r.blank_bytes),
             r.resumed_bytes ? fmt::format(", {} resumed", format_size(r.resumed_bytes)) : "");
  fmt::print("repairs:  {} lines re-read, {} chunk re-reads, {} console resets survived\n", r.reread_lines,
             r.chunk_retries, r.resets);
  double md_b = 79.0 / 16.0;
  fmt::print("wire:     {} bytes ({:.2f} per flash byte; the guide's md.b needs {:.2f}){}\n", r.rx_bytes + r.tx_bytes,
             r.wire_per_byte(), md_b, r.baud ? fmt::format(", {} baud", *r.baud) : "");
  if (!r.baud_note.empty()) fmt::print("baud:     {}\n", r.baud_note);
  if (sim) {
    // The virtual camera's clock is not the wall's: say what this wire traffic costs on a real line.
    const double bps = r.baud ? *r.baud / 10.0 : 11520.0;  // 8N1: 10 bits per character
    fmt::print("time:     {:.1f} s here (virtual camera); {} at {} baud on a real line\n", r.seconds,
               format_duration(double(r.rx_bytes + r.tx_bytes) / bps), r.baud ? *r.baud : 115200);
  } else {
    fmt::print("time:     {:.1f} s\n", r.seconds);
  }
  fmt::print("crc32:    {} (device == file)\n", crc_hex(r.crc32));
  fmt::print("sha256:   {}\n", r.sha256);
  fmt::print("wrote {} ({}, verified)\n", r.out.string(), format_size(r.length));
  if (auto s = dump_inspect_summary(r.out, r.offset); !s.empty()) fmt::print("{}\n", s);
}

// Flash bytes per line rate (issue 18): the stub's runs at their rates, md at the console's.
std::map<uint32_t, uint64_t> line_rate_bytes(const dump::UartDumpResult& r, const dump::UartMethodHook& h) {
  auto m = h.stub_rate_bytes();
  if (r.read_bytes > r.fast_bytes) m[r.baud.value_or(115200)] += r.read_bytes - r.fast_bytes;
  return m;
}

// Issue 18's figures. Wire time: the characters read and written, each at the line rate in effect
// when it passed (io::LineMeter); on ports without a rate (tcp:, exec:) the measured time.
// Elapsed: the virtual camera's clock on sim: (wire time plus `sf read`, `crc32` and waits), the
// measured time elsewhere.
double wire_seconds(const io::LineMeter& m, const dump::UartDumpResult& r) {
  return m.known() ? m.seconds() : r.seconds;
}
double elapsed_seconds(io::LineMeter& m, const dump::UartDumpResult& r) {
  if (auto* sim = dynamic_cast<sim::SimTransport*>(&m.inner())) return sim->camera().virtual_seconds();
  return r.seconds;
}

void run(const UartArgs& a, Context& ctx) {
  check_output_path(a.output.out, a.output.check());  // before the camera is touched
  dump::UartDumpOptions o;
  o.out = a.output.out;
  apply_console_args(a.console, o.staging, o.flash_size);
  o.offset = a.range.offset.value_or(0);
  o.length = a.range.length;
  o.chunk = a.chunk;
  if (o.chunk == 0 || o.chunk % 16 || o.chunk > (1u << 20))
    fail(ErrorKind::Usage, "--chunk must be a multiple of 16 between 16 and 1M");
  if (a.width == "b") o.width = 1;
  else if (a.width == "w") o.width = 2;
  else if (a.width == "l") o.width = 4;            // "auto" otherwise (CLI11 checked the choice)
  auto fast = dump::parse_fast_baud(a.fast_baud);  // issue 18: U-Boot's setenv and/or the stub's switch
  if (!fast) fail(ErrorKind::Usage, "--fast-baud must be auto, off or a rate like 1500000");
  if (fast->mode == dump::FastBaud::Mode::Rate) o.fast_baud = fast->rate;
  o.skip_blank = !a.no_skip_blank;
  o.retries = a.retries;
  o.resume = a.output.resume;
  // The binary fast path: which reader, which SoC, which rate.
  auto method = dump::parse_uart_method(a.method);
  if (!method) fail(ErrorKind::Usage, "--method must be auto, stub or md");
  auto meter = std::make_unique<io::LineMeter>(open_cli_port(a.console.port, a.console.baud, a.console.log, ctx));
  io::LineMeter& line = *meter;
  std::unique_ptr<io::Transport> t = std::move(meter);
  uboot::UbootSession s(*t, ctx.reporter, ctx.cancel,
                        with_wait_line(session_options(a.console), ctx.reporter, t->baud()));
  std::optional<std::string> soc;
  if (!a.soc.empty()) soc = a.soc;
  auto hook = std::make_shared<dump::UartMethodHook>(s, *method, soc, uboot::StubLoaderOptions{}, *fast);
  o.fast_read = dump::UartMethodHook::hook(hook);
  dump::UartDumpResult r = dump::dump_uart(s, o);
  if (a.output.json) {
    auto j = to_json(r);
    // binary fast path (issue 18): what carried the bytes, at which rates, and the wire time
    j["method"] = hook->method_name();
    j["method_detail"] = hook->summary();
    j["stub_bytes"] = r.fast_bytes;
    nlohmann::json rates = nlohmann::json::object();
    for (const auto& [rate, bytes] : line_rate_bytes(r, *hook)) rates[std::to_string(rate)] = bytes;
    j["rates"] = rates;
    j["wire_seconds"] = wire_seconds(line, r);
    j["elapsed_seconds"] = elapsed_seconds(line, r);
    j["inspect"] = dump_inspect_summary(r.out, r.offset);
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("method:   {}\n", hook->summary());  // binary fast path
  std::string rates;
  for (auto it = line_rate_bytes(r, *hook); const auto& [rate, bytes] : it)
    rates += fmt::format("{}{} at {}", rates.empty() ? "" : ", ", format_size(bytes), rate);
  fmt::print("rates:    {}; wire time {:.1f} s, elapsed {:.1f} s{}\n", rates.empty() ? "nothing transferred" : rates,
             wire_seconds(line, r), elapsed_seconds(line, r),
             dynamic_cast<sim::SimTransport*>(&line.inner()) ? " (the virtual camera's clock)" : "");
  if (auto n = hook->rate_note(); !n.empty()) fmt::print("stub:     {}\n", n);
  print_summary(r, a.console.port.rfind("sim:", 0) == 0 || a.console.port == "sim");
}

}  // namespace

void register_dump_uart(Command app, Context& ctx) {
  auto a = std::make_shared<UartArgs>();
  Command c =
      add_command(dump_group(app), "uart",
                  "Dump the flash through the U-Boot console with verified md reads: per-chunk device crc32, "
                  "blank chunks skipped, damaged lines re-read, resumable; OUT appears only when the whole-image "
                  "CRC32 from the device equals the file's");
  add_console_options(c, a->console, {.port = kConsolePortHelp});
  add_output_options(c, a->output,
                     {.resume = "Continue from OUT.part and OUT.part.state (saved chunks are re-checked by crc32)"});
  add_range_options(c, a->range, {.offset = "First flash byte to dump (multiple of 16; default 0)"});
  c.size("--chunk", a->chunk,
         "Bytes per chunk: the unit of staging, crc32 checks, retries and blank-skip (default 64K)");
  c.option("--width", a->width, "md width: auto (widest that works), b, w or l (default auto)")
      .choices({"auto", "b", "w", "l"});
  c.option("--fast-baud", a->fast_baud,
           "Line rate while bytes travel: auto (default: the stub switches the UART to the fastest of "
           "1500000/750000/500000 that the SoC makes exactly and the adapter accepts, proves it with a sync "
           "exchange, steps down when frames keep failing, and restores U-Boot's rate), off, or RATE (U-Boot's "
           "setenv baudrate, never saved; where U-Boot refuses, the stub sets RATE itself). tcp: and exec: "
           "ports cannot change a rate");
  c.flag("--no-skip-blank", a->no_skip_blank, "Transfer chunks even when their crc32 says all 0xff");
  c.option("--retries", a->retries, "Re-reads of a chunk that fails its CRC before giving up (default 4)");
  // The binary fast path: which reader, which SoC, which rate.
  c.option("--method", a->method,
           "How non-blank chunks travel: stub (a small program started with `go` streams raw CRC-checked "
           "binary, ~1 wire byte per flash byte; needs go/mw, an 8-bit-clean port and a known UART), md "
           "(text dump), or auto (stub when possible, else md; the reason is printed). Default auto")
      .choices({"auto", "stub", "md"});
  c.option("--soc", a->soc,
           "SoC whose console UART the stub drives, overriding what U-Boot printed: a1 t10 t20 t21 t23 t30 "
           "t31 t40 t41 (Ingenic; :uartN picks another UART the SoC has, e.g. t31:uart0, t41:uart4), "
           "malta, qemu-virt, ast2500");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
