// SPDX-License-Identifier: MIT
// `camdump restore uart PORT IMAGE`: write a verified image back to the flash through U-Boot over
// the console alone: the units that differ travel by YMODEM to `loady` (--method loady, the
// portable path: stock Ingenic 2013.07 and modern U-Boot have it); dump/uboot_restore.hpp does
// the work. --method stub|auto: the binary stub's receive mode where it can run. The backup is read
// with md (dump uart).
#include <fmt/core.h>

#include "cli/groups.hpp"
#include "cli/restore_uboot_args.hpp"
#include "dump/restore_loader.hpp"

namespace camdump::cli {
namespace {

struct Args {
  RestoreUbootArgs r;
  std::string method = "auto", soc;
};

void run(const Args& a, Context& ctx) {
  if (a.method != "auto" && a.method != "loady" && a.method != "stub")
    fail(ErrorKind::Usage, fmt::format("--method {}: use auto, loady or stub", a.method));
  auto o = restore_uboot_options(a.r, ctx);
  o.make_backup = [st = o.staging, fs = o.flash_size](uboot::UbootSession& s, const std::filesystem::path& out) {
    backup_by_md(s, out, st, fs);
  };
  if (a.method == "loady") {
    dump::YmodemLoader loader;
    run_restore_uboot(a.r, o, loader, ctx);
    return;
  }
  dump::StubRestoreLoader loader(a.method == "stub", a.soc.empty() ? std::nullopt : std::optional(a.soc));
  run_restore_uboot(a.r, o, loader, ctx);
}

}  // namespace

void register_restore_uart(Command app, Context& ctx) {
  auto a = std::make_shared<Args>();
  a->r.command = "restore uart";
  Command c = restore_group(app).subcommand(
      "uart",
      "Write IMAGE (a verified dump) to the flash through U-Boot over the console alone: compares by device "
      "crc32, sends only the erase units that differ by YMODEM to loady, sf erase + sf write, checks each by "
      "sf read + crc32 (boot region last), backs the flash up first (md)");
  add_restore_uboot_options(c, a->r);
  c.option("--method", a->method,
           "How the bytes reach RAM: loady (YMODEM, every U-Boot with loady), stub (camdump's binary stub in "
           "receive mode, refused where it cannot run), auto (default: the stub where the SoC, port and U-Boot "
           "allow it, else loady)");
  c.option("--soc", a->soc, "SoC for the stub (t31, t31:uart0, ...; default: detected from the banner)");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
