// SPDX-License-Identifier: MIT
// `camdump dump sd PORT`: the U-Boot side of the SD-card route (issue 7, dump/sd_dump.hpp). Opens
// PORT, reaches the U-Boot prompt, writes the whole flash to the card with verified read-backs and
// prints the exact PC-side command (`camdump extract ... --expect-crc32`, and the dd equivalent).
// Console options are shared with the other U-Boot routes (cli/uart_options.hpp).
#include <fmt/core.h>

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/groups.hpp"
#include "cli/json.hpp"
#include "cli/option_groups.hpp"
#include "cli/uart_options.hpp"
#include "core/size.hpp"
#include "dump/sd_dump.hpp"

namespace camdump::cli {
namespace {

struct SdArgs {
  ConsoleArgs console;
  std::string device = "mmc", card = "/dev/sdX", out = "fw.bin";
  uint64_t start_block = 0x10, chunk = 1u << 20;
  std::optional<uint64_t> readback;
  uint32_t device_number = 0, retries = 3;
  bool no_erase = false, json = false, yes = false;
};

// The question before the card is written: what lies in the blocks (dump/sd_survey.hpp), then
// "y" from the terminal, or --yes. On stderr: stdout stays for the result (and JSON).
void confirm_overwrite(const dump::SdSurvey& v, bool yes, Context& ctx) {
  for (const auto& l : dump::describe(v)) ctx.reporter.log(LogLevel::Warn, l);
  if (yes) {
    ctx.reporter.log(LogLevel::Info, "--yes: writing to the card");
    return;
  }
  std::fprintf(stderr, "Overwrite these blocks of the card in the camera? [y/N] ");
  std::fflush(stderr);
  char line[64] = {};
  const bool got = std::fgets(line, sizeof line, stdin) != nullptr;
  const std::string answer = got ? std::string(line) : std::string();
  if (answer.rfind('y', 0) != 0 && answer.rfind('Y', 0) != 0)
    fail(ErrorKind::Cancelled, "not confirmed: nothing was written to the card",
         "use a card without data you need (or --sd-start-block past its partitions), then run again");
}

nlohmann::json to_json(const dump::SdDumpResult& r, const std::string& extract, const std::string& dd) {
  // No file on this PC yet: the image is on the card (output null, no sha256); its CRC-32 is
  // what `extract --expect-crc32` checks.
  nlohmann::json j =
      route_json({.command = "dump sd",
                  .route = "sd",
                  .length = r.flash_size,
                  .flash_size = r.flash_size,
                  .verified_by = r.whole_crc_from_device ? "card read back per chunk by device crc32; device crc32 of "
                                                           "the whole flash agrees"
                                                         : "card read back per chunk by device crc32",
                  .crc32 = r.crc32,
                  .seconds = r.seconds},
                 uboot_device_json(r.device));
  j["card_device"] = r.device_name;
  j["flash_chip"] = r.flash_name;
  j["start_block"] = r.start_block;
  j["block_count"] = r.block_count;
  j["chunk"] = r.chunk;
  j["readback"] = r.readback;
  j["whole_crc_from_device"] = r.whole_crc_from_device;
  j["chunk_retries"] = r.chunk_retries;
  j["resets"] = r.resets;
  j["extract_command"] = extract;
  j["dd_command"] = dd;
  return j;
}

void run(const SdArgs& a, Context& ctx) {
  // Refused before the camera is touched: the question needs a terminal.
  if (!a.yes && ::isatty(STDIN_FILENO) != 1)
    fail(ErrorKind::Usage,
         "dump sd overwrites blocks of the camera's SD card and asks first, but stdin is not a terminal",
         "pass --yes to confirm in advance (scripts)");
  dump::SdDumpOptions o;
  o.confirm = [&a, &ctx](const dump::SdSurvey& v) { confirm_overwrite(v, a.yes, ctx); };
  apply_console_args(a.console, o.staging, o.flash_size);
  o.device = *dump::parse_sd_device(a.device);  // one of the choices CLI11 checked
  o.device_number = a.device_number;
  o.start_block = a.start_block;
  o.chunk = a.chunk;
  if (o.chunk == 0 || o.chunk % 512 || o.chunk > (64u << 20))
    fail(ErrorKind::Usage, "--chunk must be a multiple of 512 between 512 and 64M");
  o.readback = a.readback;
  o.erase = !a.no_erase;
  o.retries = a.retries;
  Console con = open_console(a.console, ctx, ctx.reporter);
  const dump::SdDumpResult r = dump::dump_sd(*con.session, o);
  const std::string extract = dump::extract_command(r, a.card, a.out);
  const std::string dd = dump::dd_command(r, a.card, a.out);
  if (a.json) {
    fmt::print("{}\n", to_json(r, extract, dd).dump(2));
    return;
  }
  const auto& d = r.device;
  fmt::print("device:   {} (prompt '{}'{})\n", d.version.empty() ? "U-Boot" : d.version, d.prompt,
             d.soc.empty() ? "" : ", SoC " + d.soc);
  fmt::print("flash:    {}{}\n", r.flash_name.empty() ? "" : r.flash_name + ", ", format_size(r.flash_size));
  fmt::print("card:     {} blocks 0x{:x}..0x{:x} ({} blocks of 512), every chunk read back and checked\n",
             r.device_name, r.start_block, r.start_block + r.block_count - 1, r.block_count);
  fmt::print("chunks:   {} each, read back at 0x{:x}\n", format_size(r.chunk), r.readback);
  fmt::print("repairs:  {} chunk re-writes, {} console resets survived\n", r.chunk_retries, r.resets);
  fmt::print("time:     {:.1f} s\n", r.seconds);
  fmt::print("crc32:    {}{}\n", crc_hex(r.crc32),
             r.whole_crc_from_device ? " (device crc32 of the whole flash agrees)" : " (device chunk CRCs combined)");
  fmt::print("\nNow power the camera off, move the card to this PC and run (replace {} with the card):\n", a.card);
  fmt::print("  {}\n", extract);
  fmt::print("or, without camdump:\n  {}\n", dd);
  fmt::print("written to the card: {} at block {}, crc32 {}\n", format_size(r.flash_size), r.start_block,
             crc_hex(r.crc32));
}

}  // namespace

void register_dump_sd(Command app, Context& ctx) {
  auto a = std::make_shared<SdArgs>();
  Command c =
      add_command(dump_group(app), "sd",
                  "Have U-Boot copy the flash to an SD card (mmc write from block 0x10), every chunk read back and "
                  "checked by crc32; prints the 'camdump extract ... --expect-crc32' command to run on the PC");
  add_console_options(c, a->console,
                      {.port = "Console: /dev/ttyUSB0, tcp:HOST:PORT (ser2net raw), rfc2217:HOST:PORT, "
                               "'exec:COMMAND ARGS' (program on a pty), sim: or sim:IMAGE[,sd=CARD.img,...] (virtual "
                               "camera)"});
  c.number("--sd-start-block", a->start_block,
           "First card block to write (512 bytes each; default 0x10 = 16, which leaves the MBR alone)");
  c.option("--device", a->device,
           "U-Boot block device command: mmc (SD card, default), virtio (QEMU disk) or usb (USB stick)")
      .choices({"mmc", "virtio", "usb"});
  c.option("--device-number", a->device_number, "Device number for '<device> dev N' (default 0)");
  c.size("--chunk", a->chunk,
         "Bytes per write + read-back check (multiple of 512; default 1M); made smaller, with a warning, "
         "when the staging buffer + 2 chunks would reach U-Boot's reserved area (boot log, bdinfo or SoC)");
  c.number("--readback", a->readback,
           "RAM address the card is read back to for checking (default: 1 MiB-aligned after the staging "
           "buffer, or --buffer / the SoC default with --mapped)");
  c.flag("--no-erase", a->no_erase, "Skip 'mmc erase' of the range before writing");
  c.flag("-y,--yes", a->yes,
         "Do not ask before writing to the card (the range and what the card holds there are still shown); "
         "without a terminal on stdin, dump sd refuses to run unless --yes is given");
  c.option("--retries", a->retries, "Re-writes of a chunk whose read-back differs before giving up (default 3)");
  c.option("--card", a->card, "Card device name to put into the printed PC command (default /dev/sdX)");
  c.option("-o,--output", a->out, "Output file name to put into the printed PC command (default fw.bin)");
  add_json_flag(c, a->json);
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
