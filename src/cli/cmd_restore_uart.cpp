// SPDX-License-Identifier: MIT
// `camdump restore uart PORT IMAGE`: write a verified image back to the flash through U-Boot over
// the console alone: the units that differ travel by YMODEM to `loady` (--method loady, the
// portable path: stock Ingenic 2013.07 and modern U-Boot have it); dump/uboot_restore.hpp does
// the work. The backup is read with md (dump uart).
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli/groups.hpp"
#include "cli/restore_uboot_args.hpp"
#include "dump/restore_loader.hpp"

namespace camdump::cli {
namespace {

struct Args {
  RestoreUbootArgs r;
  std::string method = "auto";
};

void run(const Args& a, Context& ctx) {
  if (a.method != "auto" && a.method != "loady" && a.method != "stub")
    fail(ErrorKind::Usage, fmt::format("--method {}: use auto, loady or stub", a.method));
  if (a.method == "stub")
    fail(ErrorKind::Unsupported, "--method stub: the stub's receive mode is not wired into restore yet",
         "use --method loady (YMODEM to U-Boot's loady)");
  auto o = restore_uboot_options(a.r, ctx);
  o.make_backup = [st = o.staging, fs = o.flash_size](uboot::UbootSession& s, const std::filesystem::path& out) {
    backup_by_md(s, out, st, fs);
  };
  dump::YmodemLoader loader;
  run_restore_uboot(a.r, std::move(o), loader, ctx);
}

}  // namespace

void register_restore_uart(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<Args>();
  CLI::App* c = restore_group(app).add_subcommand(
      "uart", "Write IMAGE (a verified dump) to the flash through U-Boot over the console alone: compares by device "
              "crc32, sends only the erase units that differ by YMODEM to loady, sf erase + sf write, checks each by "
              "sf read + crc32 (boot region last), backs the flash up first (md)");
  add_restore_uboot_options(*c, a->r);
  c->add_option("--method", a->method,
                "How the bytes reach RAM: loady (YMODEM, every U-Boot with loady), stub (camdump's binary stub, not "
                "wired yet), auto (default: loady)");
  c->callback([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
