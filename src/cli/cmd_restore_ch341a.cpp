// SPDX-License-Identifier: MIT
// `camdump restore ch341a IMAGE`: write a verified dump back to a SPI NOR chip through a CH341A
// (dump/ch341a_restore.hpp does the work). Without --yes the plan is shown and a terminal asked;
// with no terminal it refuses.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/confirm.hpp"
#include "cli/context.hpp"
#include "cli/groups.hpp"
#include "cli/json.hpp"
#include "cli/option_groups.hpp"
#include "core/error.hpp"
#include "core/size.hpp"
#include "dump/ch341a_restore.hpp"

namespace camdump::cli {
namespace {

struct RestoreArgs {
  std::string image, backup;
  RangeArgs range;
  ProgrammerArgs programmer;
  uint32_t tries = 3;
  bool dry_run = false, yes = false, resume = false, json = false, force = false, no_backup = false, unprotect = false,
       nand_oob = false;
};

nlohmann::json to_json(const RestoreArgs& a, const dump::Ch341aRestoreSummary& r, ch341a::Ch341aSession& s) {
  const auto* emu = s.emulator();
  const bool nand = r.probe.kind == spi::ChipKind::Nand;
  nlohmann::json j =
      restore_json({.command = "restore ch341a",
                    .route = "ch341a",
                    .offset = r.begin,
                    .length = r.end - r.begin,
                    .flash_size = r.probe.size,
                    .verified = !r.dry_run,
                    .verified_by = r.dry_run ? "nothing written (--dry-run)"
                                             : "every unit read back, the whole range compared with IMAGE at the end",
                    .sha256 = r.sha256,
                    .seconds = r.seconds},
                   programmer_device_json(s.describe(), r.probe.name, r.probe.vendor, spi::id_string(r.probe.id),
                                          nand ? "SPI NAND" : "SPI NOR"),
                   {.image = a.image, .chip = r.probe.name, .id = spi::id_string(r.probe.id), .outcome = r});
  j["protection_cleared"] = r.protection_cleared;
  j["bad_blocks"] = r.bad_blocks;
  j["erases"] = {{"sector", r.sector_erases}, {"block", r.block_erases}};
  j["pages_programmed"] = r.pages;
  j["bytes_programmed"] = r.bytes_programmed;
  j["usb"] = {{"bytes_out", r.bus.bytes_out},
              {"bytes_in", r.bus.bytes_in},
              {"backup_bytes", r.bus_backup.bytes_out + r.bus_backup.bytes_in}};
  if (emu) {
    auto c = emu->chip().counters();
    j["emulator"] = {{"sector_erases", c.sector_erases},
                     {"block_erases", c.block_erases},
                     {"page_programs", c.page_programs},
                     {"ignored_writes", c.ignored_writes}};
  }
  return j;
}

void run(const RestoreArgs& a, Context& ctx) {
  dump::Ch341aRestoreOptions o;
  o.image = a.image;
  if (a.range.offset) o.offset = *a.range.offset, o.offset_given = true;
  o.length = a.range.length.value_or(0);
  o.part = a.range.part;  // CLI11 refused --part with --offset/--length, --backup with --no-backup
  o.chip = a.programmer.chip;
  o.force = a.force;
  o.no_backup = a.no_backup;
  o.backup = a.backup;
  o.resume = a.resume;
  o.unprotect = a.unprotect;
  o.dry_run = a.dry_run;
  o.tries = a.tries;
  o.nand_oob = a.nand_oob;
  o.confirm = ask_before_writing(a.yes, a.dry_run, ctx);
  auto s = ch341a::Ch341aSession::open({a.programmer.device, a.programmer.sim, a.programmer.in_flight});
  dump::Ch341aRestoreSummary r = dump::restore_ch341a(*s, o, ctx.reporter, ctx.cancel);
  if (a.json) {
    fmt::print("{}\n", to_json(a, r, *s).dump(2));
    return;
  }
  if (r.dry_run) {
    fmt::print("{}", dump::describe_plan(r, o));
    fmt::print("dry run: nothing written ({} to erase and write)\n", format_size(r.plan.bytes));
    return;
  }
  for (const auto& n : r.notes) ctx.reporter.log(LogLevel::Warn, n);
  fmt::print("chip:     {} {} ({}, ID {})\n", r.probe.vendor, r.probe.name, format_size(r.probe.size),
             spi::id_string(r.probe.id));
  if (!r.backup.empty()) fmt::print("backup:   {}\n", r.backup.string());
  fmt::print(
      "written:  {} units ({}: {} sector + {} block erases, {} pages), {} redone, {} rewritten at the final "
      "check{}\n",
      r.units_written, format_size(r.plan.bytes), r.sector_erases, r.block_erases, r.pages, r.unit_retries,
      r.final_rewrites, r.plan.boot_units ? "; boot region written last" : "");
  if (r.protection_cleared) fmt::print("protection: cleared for the restore and set back\n");
  if (!r.bad_blocks.empty())
    fmt::print("bad blocks: {} left alone (factory marks), their image bytes not written\n", r.bad_blocks.size());
  fmt::print("{}-{} now equals {} (read back), sha256 {}\n", hex(r.begin), hex(r.end - 1), a.image, r.sha256);
}

}  // namespace

void register_restore_ch341a(Command app, Context& ctx) {
  auto a = std::make_shared<RestoreArgs>();
  Command c =
      add_command(restore_group(app), "ch341a",
                  "Write IMAGE (a verified dump) to the SPI NOR chip on a CH341A: checks the image, size and chip, "
                  "backs the flash up, erases and writes only the 4 KiB sectors / 64 KiB blocks that differ (boot "
                  "region last), reads every unit back, checks the whole range at the end");
  c.option("IMAGE", a->image, "The image to write (a whole-chip dump, or a part of one with --offset)").required();
  add_range_options(
      c, a->range,
      {.offset = "Write only from this flash offset (multiple of 4K); with an image smaller than the chip: "
                 "where the image goes",
       .length = "Write only this many bytes (multiple of 4K; default: to the end)",
       .part = "Write only this partition of the image's layout (e.g. kernel, rootfs)"});
  c.flag("--dry-run", a->dry_run, "Show what would be erased and written; write nothing");
  c.flag("-y,--yes", a->yes, "Do not ask before writing (without a terminal, restore refuses unless --yes)");
  c.flag("--resume", a->resume,
         "Continue an interrupted restore (IMAGE.restore-state): re-reads the flash "
         "and writes what still differs; no new backup");
  c.flag("--force", a->force,
         "Write an image that fails inspect, or whose recorded chip ID differs (the "
         "problems are listed)");
  Opt no_backup = c.flag("--no-backup", a->no_backup, "Do not dump the flash to IMAGE.before-restore.bin first");
  c.option("--backup", a->backup,
           "An existing dump of this flash as it is now (checked against the flash) "
           "instead of a new backup")
      .excludes(no_backup);
  c.flag("--unprotect", a->unprotect,
         "Clear the chip's block protection (status register BP bits) for the "
         "restore; it is set back at the end");
  c.flag("--nand-oob", a->nand_oob,
         "SPI NAND: IMAGE holds data + spare per page (dump ch341a --nand-oob); "
         "write the spare area too (on-die ECC off while writing)");
  c.option("--tries", a->tries, "Erase+write attempts per unit before stopping (default 3)").range(1, 10);
  add_programmer_options(c, a->programmer,
                         {.sim = "Use the emulated CH341A: image=FILE,chip=NAME[,save=FILE,wp=0x1c,flaky=RATE,"
                                 "seed=N,unplug=N,...] (save=FILE keeps what was written)",
                          .chip = "Part by package marking instead of identifying it by its ID",
                          .in_flight = "USB IN transfers kept queued (default 32)"});
  add_json_flag(c, a->json);
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
