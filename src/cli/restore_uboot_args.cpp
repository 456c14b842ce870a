// SPDX-License-Identifier: MIT
#include "cli/restore_uboot_args.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/confirm.hpp"
#include "cli/json.hpp"
#include "cli/port.hpp"
#include "cli/wait_line.hpp"
#include "core/crc32.hpp"
#include "core/error.hpp"
#include "core/size.hpp"
#include "dump/uart_dump.hpp"

namespace camdump::cli {

void add_restore_uboot_options(Command& c, RestoreUbootArgs& a) {
  c.option("PORT", a.port, "Console: /dev/ttyUSB0, tcp:HOST:PORT, rfc2217:HOST:PORT, 'exec:COMMAND ARGS', sim:...")
      .required();
  c.option("IMAGE", a.image, "The image to write (a verified whole-flash dump, or a part of one with --offset)")
      .required();
  c.option("--offset", a.offset,
           "Write only from this flash offset (a multiple of the erase unit); with an image smaller than the "
           "flash: where the image goes");
  c.option("--length", a.length, "Write only this many bytes (a multiple of the erase unit; default: to the end)");
  c.option("--part", a.part, "Write only this partition of the image's layout (e.g. kernel, rootfs)");
  c.flag("--dry-run", a.dry_run, "Compare the flash with the image (device crc32) and show the plan; write nothing");
  c.flag("-y,--yes", a.yes, "Do not ask before writing (without a terminal, restore refuses unless --yes)");
  c.flag("--resume", a.resume,
         "Continue an interrupted restore (IMAGE.restore-state): compares the flash again "
         "and writes what still differs; no new backup");
  c.flag("--force", a.force,
         "Write an image that fails inspect, or whose recorded chip differs (the problems are "
         "listed)");
  c.flag("--no-backup", a.no_backup, "Do not dump the flash to IMAGE.before-restore.bin first");
  c.option("--backup", a.backup,
           "An existing whole-flash dump of this camera as it is now (checked per 64 KiB "
           "against the device's crc32) instead of a new backup");
  c.option("--tries", a.tries, "Erase+write attempts per unit before stopping (default 3)");
  add_console_options(c, a.console);
  c.flag("--json", a.json, "Print only a JSON summary on stdout");
}

dump::UbootRestoreOptions restore_uboot_options(const RestoreUbootArgs& a, Context& ctx) {
  dump::UbootRestoreOptions o;
  o.image = a.image;
  if (!std::filesystem::is_regular_file(o.image))
    fail(ErrorKind::NotFound, fmt::format("{}: no such image file", a.image));
  if (!a.offset.empty()) o.offset = size_arg("--offset", a.offset), o.offset_given = true;
  if (!a.length.empty()) o.length = size_arg("--length", a.length);
  if (!a.part.empty() && (o.offset_given || o.length))
    fail(ErrorKind::Usage, "--part and --offset/--length exclude each other");
  if (!a.backup.empty() && a.no_backup) fail(ErrorKind::Usage, "--backup and --no-backup exclude each other");
  if (a.tries < 1 || a.tries > 10) fail(ErrorKind::Usage, "--tries must be 1..10");
  if (!a.console.load.empty())
    fail(ErrorKind::Usage, "--load does not apply to restore (it reads the flash with sf read, writes with sf write)");
  apply_console_args(a.console, o.staging, o.flash_size);
  o.part = a.part;
  o.force = a.force;
  o.no_backup = a.no_backup;
  o.backup = a.backup;
  o.resume = a.resume;
  o.dry_run = a.dry_run;
  o.tries = a.tries;
  o.confirm = ask_before_writing(a.yes, a.dry_run, ctx);
  return o;
}

void backup_by_md(uboot::UbootSession& s, const std::filesystem::path& out, const dump::StagingOptions& staging,
                  std::optional<uint64_t> flash_size) {
  dump::UartDumpOptions d;
  d.out = out;
  d.flash_size = flash_size;
  d.staging.buffer = staging.buffer;
  d.staging.mapped = staging.mapped;
  dump::dump_uart(s, d);
}

namespace {

// The shape every restore prints (cli/json.hpp, docs/route-json.md) and the U-Boot route's own keys.
nlohmann::json summary_json(const RestoreUbootArgs& a, const dump::UbootRestoreSummary& r,
                            const uboot::DeviceInfo& device) {
  std::optional<uint32_t> crc;
  if (!r.dry_run) crc = r.crc32;
  nlohmann::json j =
      restore_json({.command = a.command,
                    .route = r.loader,
                    .offset = r.begin,
                    .length = r.end - r.begin,
                    .flash_size = r.flash_size,
                    .verified = !r.dry_run,
                    .verified_by = r.dry_run ? "nothing written (--dry-run)"
                                             : "device crc32 of every unit written (sf read), then of the whole range",
                    .crc32 = crc,
                    .seconds = r.seconds},
                   uboot_device_json(device), {.image = a.image, .chip = r.chip, .id = r.chip_id, .outcome = r});
  j["erase_unit"] = r.erase_unit;
  j["load_retries"] = r.load_retries;
  j["resets"] = r.resets;
  j["sf_erase_commands"] = r.erases;
  j["bytes_written"] = r.bytes_written;
  j["loaded_bytes"] = r.loaded_bytes;
  j["load_wire_chars"] = r.load_wire_chars;
  j["wire_chars"] = r.wire_chars;
  return j;
}

// What the session learned about the device (staging asked already unless --buffer/--mapped were
// given; then `version` is asked now). The flash is written and verified by now: a console that
// fails here leaves `device` empty rather than failing the restore.
uboot::DeviceInfo device_facts(uboot::UbootSession& s, Reporter& rep) {
  try {
    return s.device_info();
  } catch (const Error& e) {
    rep.log(LogLevel::Warn, fmt::format("device facts for --json: {}", e.what()));
    return {};
  }
}

void print_summary(const RestoreUbootArgs& a, const dump::UbootRestoreSummary& r, const dump::UbootRestoreOptions& o,
                   Context& ctx) {
  if (r.dry_run) {
    fmt::print("{}", dump::describe_plan(r, o));
    fmt::print("dry run: nothing written ({} to erase and write)\n", format_size(r.plan.bytes));
    return;
  }
  for (const auto& n : r.notes) ctx.reporter.log(LogLevel::Warn, n);
  fmt::print("flash:    {} ({}{}, erase unit {})\n", r.chip.empty() ? "?" : r.chip, format_size(r.flash_size),
             r.chip_id.empty() ? "" : ", ID " + r.chip_id, format_size(r.erase_unit));
  if (!r.backup.empty()) fmt::print("backup:   {}\n", r.backup.string());
  fmt::print(
      "written:  {} units ({}) by {}: {} bytes moved over {} console characters, {} redone, {} reloaded, {} "
      "camera resets survived{}\n",
      r.units_written, format_size(r.plan.bytes), r.loader, r.loaded_bytes, r.load_wire_chars, r.unit_retries,
      r.load_retries, r.resets, r.plan.boot_units ? "; boot region written last" : "");
  fmt::print("{}-{} now equals {} (device crc32 per chunk), crc32 {}\n", hex(r.begin), hex(r.end - 1), a.image,
             crc_hex(r.crc32));
}

}  // namespace

void run_restore_uboot(const RestoreUbootArgs& a, const dump::UbootRestoreOptions& o, dump::RestoreLoader& loader,
                       Context& ctx) {
  auto t = open_cli_port(a.port, a.console.baud, a.console.log, ctx);
  SerializedReporter rep(ctx.reporter);  // the TFTP server may report from its own thread
  uboot::UbootSession s(*t, rep, ctx.cancel, with_wait_line(session_options(a.console), ctx.reporter, t->baud()));
  const dump::UbootRestoreSummary r = dump::restore_uboot(s, loader, o, rep, ctx.cancel);
  if (a.json) fmt::print("{}\n", summary_json(a, r, device_facts(s, rep)).dump(2));
  else print_summary(a, r, o, ctx);
}

}  // namespace camdump::cli
