// SPDX-License-Identifier: MIT
// `camdump script sd|tftp|uart`: print the U-Boot and PC commands of a manual dump.
#include <fmt/core.h>

#include <memory>

#include "cli/command.hpp"
#include "cli/commands.hpp"
#include "core/size.hpp"
#include "uboot/script.hpp"

namespace camdump::cli {
namespace {

struct ScriptArgs {
  std::string route, flash_size, baseaddr = "0x80600000", sd_start = "0x10";
  uboot::ScriptOptions opt;
};

void run(ScriptArgs& a, Context& ctx) {
  auto& o = a.opt;
  o.route = a.route == "sd"     ? uboot::ScriptRoute::Sd
            : a.route == "tftp" ? uboot::ScriptRoute::Tftp
                                : uboot::ScriptRoute::Uart;
  o.flash_size = size_arg("--flash-size", a.flash_size);
  o.baseaddr = number_arg("--baseaddr", a.baseaddr);
  o.sd_start_block = number_arg("--sd-start-block", a.sd_start);
  if (o.route == uboot::ScriptRoute::Sd && o.sd_start_block == 0)
    ctx.reporter.log(LogLevel::Warn, "--sd-start-block 0 overwrites the card's partition table (MBR)");
  const uboot::Script s = uboot::make_script(o);
  for (const auto& w : s.plan.warnings) ctx.reporter.log(LogLevel::Warn, w);
  fmt::print("# --- U-Boot: paste at the prompt ({} flash, {} route) ---\n", format_size(o.flash_size), a.route);
  for (const auto& l : s.uboot) fmt::print("{}\n", l);
  fmt::print("# --- PC ---\n");
  for (const auto& l : s.pc) fmt::print("{}\n", l);
}

}  // namespace

void register_script(Command app, Context& ctx) {
  auto a = std::make_shared<ScriptArgs>();
  Command c =
      add_command(app, "script",
                  "Print the commands for a manual dump, ready to paste: the U-Boot side (watchdog off, pre-fill the\n"
                  "RAM buffer with 0xff, sf probe/read, crc32, then mmc erase/write, tftpput or md.b) and the PC side\n"
                  "(camdump extract / dd with the same block counts, camdump tftpd, camdump hexlog). Warns when the\n"
                  "RAM buffer would overlap U-Boot's heap on a 64 MiB Ingenic T31 and then reads in chunks.");
  c.option("ROUTE", a->route,
           "sd (U-Boot writes to the SD card), tftp (tftpput to the PC) or uart (md.b to the console log)")
      .required()
      .choices({"sd", "tftp", "uart"});
  c.option("--flash-size", a->flash_size, "Flash chip size: 8M, 16M, 32M, 0x1000000 ...").required();
  c.option("--baseaddr", a->baseaddr,
           "RAM buffer address (default 0x80600000: below the T31 U-Boot heap; the guide's 0x82000000 lies in it)");
  c.option("--sd-start-block", a->sd_start, "First SD block to write (default 0x10 = 8 KiB, keeps the MBR)");
  c.option("--server-ip", a->opt.server_ip, "tftp: the PC's IP address (default 192.168.1.254)");
  c.option("--camera-ip", a->opt.camera_ip, "tftp: an unused IP address for the camera (default 192.168.1.10)");
  c.option("--file", a->opt.file, "Name of the dump file (default firmware.bin)");
  c.option("--card-device", a->opt.card_device, "sd: the card reader's device on the PC (default /dev/sdX)");
  c.option("--log", a->opt.log_file, "uart: the console log file (default session.log)");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
