// SPDX-License-Identifier: MIT
// `camdump restore sd PORT IMAGE`: write a verified image back to the flash through U-Boot, the
// data read by `mmc read` from an SD card that `camdump sdcard IMAGE /dev/sdX` prepared (the image
// at 512-byte block 16, where the dumping guide's `dd skip=16` expects it); each unit's RAM copy is
// checked by crc32 against IMAGE, so a card holding another image is caught before anything is
// erased. dump/uboot_restore.hpp does the work; the backup is read over the console (md).

#include "cli/groups.hpp"
#include "cli/restore_uboot_args.hpp"
#include "dump/restore_loader.hpp"

namespace camdump::cli {
namespace {

struct Args {
  RestoreUbootArgs r;
  unsigned device_number = 0;
};

void run(const Args& a, Context& ctx) {
  auto o = restore_uboot_options(a.r, ctx);
  o.make_backup = [st = o.staging, fs = o.flash_size](uboot::UbootSession& s, const std::filesystem::path& out) {
    backup_by_md(s, out, st, fs);
  };
  dump::MmcLoader loader(a.device_number);
  run_restore_uboot(a.r, o, loader, ctx);
}

}  // namespace

void register_restore_sd(Command app, Context& ctx) {
  auto a = std::make_shared<Args>();
  a->r.command = "restore sd";
  Command c = restore_group(app).subcommand(
      "sd",
      "Write IMAGE (a verified dump) to the flash through U-Boot from an SD card prepared by `camdump sdcard`: "
      "compares by device crc32, mmc reads only the erase units that differ (checked in RAM by crc32), sf "
      "erase + sf write, checks each by sf read + crc32 (boot region last), backs the flash up first (md)");
  add_restore_uboot_options(c, a->r);
  c.option("--device-number", a->device_number, "mmc device number (mmc dev N; default 0)");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
