// SPDX-License-Identifier: MIT
// The U-Boot restore engine (see uboot_restore.hpp): preflight, backup, plan by device CRC.
// Writing the units and the final check are in uboot_restore_write.cpp.
#include "dump/uboot_restore.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "core/crc32.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "dump/ch341a_dump.hpp"
#include "dump/uboot_restore_engine.hpp"
#include "image/inspect.hpp"

namespace camdump::dump {

std::string describe_plan(const UbootRestoreSummary& s, const UbootRestoreOptions& o) {
  std::string t = fmt::format("restore {} to the flash {} ({}{}, erase unit {}) through U-Boot ({}), range {}-{}\n",
                              o.image.string(), s.chip.empty() ? "?" : s.chip, format_size(s.flash_size),
                              s.chip_id.empty() ? "" : ", ID " + s.chip_id, format_size(s.erase_unit), s.loader,
                              hex(s.begin), hex(s.end - 1));
  for (const auto& p : s.problems) t += "  inspect problem (--force): " + p + "\n";
  for (const auto& n : s.notes) t += "  note: " + n + "\n";
  t += fmt::format("  {} of {} erase units differ: erase and write {} in {} units: {}\n", s.plan.differing_sectors,
                   (s.end - s.begin) / std::max<uint64_t>(s.erase_unit, 1), format_size(s.plan.bytes),
                   s.plan.units.size(), s.plan.units.empty() ? "none" : format_units(s.plan.units));
  if (s.plan.boot_units)
    t += fmt::format(
        "  the boot region {}-{} (SPL + U-Boot) differs: its {} units go last; a power cut while they "
        "are written leaves a camera that only a programmer can bring back\n",
        hex(s.boot.first), hex(s.boot.second - 1), s.plan.boot_units);
  t += s.backup.empty() ? "  backup: none (--no-backup)\n" : "  backup of the flash: " + s.backup.string() + "\n";
  return t;
}

void UbootRestorer::setup() {
  s_.attach();
  s_.disable_watchdog();
  stager_.prepare();
  probe_ = s_.sf_probe();
  loader_.prepare(s_);
}

// A reset loses RAM and the environment: re-attach and set up again (a setup that is itself cut
// short by noise or another reset is redone). A silent console that answers Ctrl-C needs nothing.
void UbootRestorer::recover(const uboot::ConsoleLost& first) {
  uboot::ConsoleLost e = first;
  for (bool need_setup = false;;) {
    if (++recoveries_ > kMaxRecoveries)
      fail(ErrorKind::Io, fmt::format("the console was lost {} times; giving up ({})", recoveries_, e.what()),
           "check the wiring, power supply and watchdog; then run again with --resume");
    sum_.resets += e.why() == uboot::ConsoleLost::Why::Reset;
    if (e.why() == uboot::ConsoleLost::Why::Silent) {
      rep_.log(LogLevel::Info, fmt::format("{}; sending Ctrl-C to bring the prompt back", e.what()));
      if (s_.resync() && !need_setup) return;
    } else {
      rep_.log(LogLevel::Warn, fmt::format("{}: re-attaching, probing the flash and loading again", e.what()));
    }
    loaded_.reset();
    need_setup = true;
    try {
      setup();
      return;
    } catch (const uboot::ConsoleLost& again) {
      e = again;
    }
  }
}

// Flash [off, off+len) where crc32 can see it: in place with --mapped, else `sf read` into the
// read area (never over the unit being written).
uint64_t UbootRestorer::flash_in_ram(uint64_t off, uint64_t len) {
  if (stager_.mapped()) return *o_.staging.mapped + off;
  auto lines = s_.run(fmt::format("sf read {:x} {:x} {:x}", read_area_, off, len), std::chrono::seconds(120));
  if (auto ok = uboot::parse_sf_read(lines); ok && !*ok)
    fail(ErrorKind::Protocol,
         fmt::format("sf read of {}+{} failed: {}", hex(off), hex(len), lines.empty() ? "" : lines.back()));
  return read_area_;
}

uint32_t UbootRestorer::device_crc(uint64_t addr, uint64_t len) {
  for (int k = 0; k < 4; ++k)
    if (auto c = s_.crc32(addr, len)) return *c;
  fail(ErrorKind::Protocol, fmt::format("no readable crc32 reply for {}+{}", hex(addr), hex(len)));
}

// Device CRC per 64 KiB (then per erase unit where a 64 KiB differs): which units differ from the
// image; `backup` (when given) must equal the flash chunk by chunk.
std::vector<bool> UbootRestorer::plan_by_crc(const std::vector<uint8_t>* backup) {
  const uint64_t unit = sum_.erase_unit, span = std::max<uint64_t>(unit, 65536);
  std::vector<bool> differs((sum_.end - sum_.begin) / unit);
  Progress p;
  p.stage = "comparing by device crc32";
  p.total = sum_.end - sum_.begin;
  for (uint64_t at = sum_.begin; at < sum_.end;) {
    const uint64_t len = std::min(read_chunk_, sum_.end - at);
    guarded([&] {
      const uint64_t ram = flash_in_ram(at, len);
      for (uint64_t o = 0; o < len; o += span) {
        check_cancel(cancel_);
        const uint64_t n = std::min(span, len - o), off = at + o;
        const uint32_t dev = device_crc(ram + o, n);
        if (backup && dev != crc32(std::span(*backup).subspan(off, n)))
          fail(ErrorKind::VerifyMismatch,
               fmt::format("--backup {} differs from the flash at {}+{} (device crc32 {}): it is not a backup of this "
                           "flash as it is now",
                           o_.backup.string(), hex(off), hex(n), crc_hex(dev)),
               "leave out --backup to dump the flash first");
        if (dev == crc32(image_at(off, n))) continue;
        if (n == unit) {
          differs[(off - sum_.begin) / unit] = true;
          continue;
        }
        for (uint64_t u = 0; u < n; u += unit)
          differs[(off + u - sum_.begin) / unit] = device_crc(ram + o + u, unit) != crc32(image_at(off + u, unit));
      }
    });
    at += len;
    p.done = at - sum_.begin;
    p.finished = at == sum_.end;
    rep_.progress(p);
  }
  return differs;
}

void UbootRestorer::choose_range(const image::InspectReport& ir) {
  const uint64_t chip = sum_.flash_size, isz = image_.size();
  if (!o_.part.empty()) {
    if (isz != chip)
      fail(ErrorKind::Usage, fmt::format("--part needs a whole-flash image: {} is {}, the flash {}", o_.image.string(),
                                         format_size(isz), format_size(chip)));
    bool found = false;
    std::string names;
    for (const auto& p : ir.parts) {
      names += (names.empty() ? "" : ", ") + p.name;
      if (p.name == o_.part && !p.whole_chip && !found) {
        sum_.begin = p.offset, sum_.end = std::min(chip, p.offset + p.size);
        found = true;
      }
    }
    if (!found)
      fail(ErrorKind::Usage, fmt::format("--part {}: the image's layout has no such partition", o_.part),
           names.empty() ? "the image has no layout: use --offset/--length" : "partitions: " + names);
  } else if (isz == chip) {
    sum_.begin = o_.offset;
    sum_.end = o_.length ? o_.offset + o_.length : chip;
  } else if (isz < chip && o_.offset_given) {
    if (o_.length && o_.length != isz)
      fail(ErrorKind::Usage, fmt::format("--length {} but the image holds {} bytes", o_.length, isz));
    base_ = o_.offset;
    sum_.begin = o_.offset, sum_.end = o_.offset + isz;
  } else {
    fail(ErrorKind::Usage,
         fmt::format("{} is {} but the flash ({}) holds {}: refusing to write it", o_.image.string(), format_size(isz),
                     sum_.chip.empty() ? "sf probe" : sum_.chip, format_size(chip)),
         isz < chip ? "to write a part of the flash, give --offset where the image belongs"
                    : "is this the right camera?");
  }
  if (sum_.end > chip || sum_.begin >= sum_.end)
    fail(ErrorKind::Usage,
         fmt::format("range {}-{} does not fit the {} flash", hex(sum_.begin), hex(sum_.end - 1), format_size(chip)));
  if (sum_.begin % sum_.erase_unit || sum_.end % sum_.erase_unit)
    fail(ErrorKind::Usage, fmt::format("--offset and --length must be multiples of the erase unit ({}; `sf erase` "
                                       "refuses anything else)",
                                       format_size(sum_.erase_unit)));
}

void UbootRestorer::preflight() {
  image::InspectOptions io;
  io.cancel = cancel_;
  const image::InspectReport ir = image::inspect(image_, io);
  for (const auto& p : ir.problems) sum_.problems.push_back(p.text());
  if (!ir.ok() && !o_.force) {
    std::string list;
    for (size_t i = 0; i < sum_.problems.size() && i < 6; ++i) list += "; " + sum_.problems[i];
    fail(ErrorKind::Corrupt,
         fmt::format("{} fails inspect ({} problems{}): refusing to write it", o_.image.string(), sum_.problems.size(),
                     list),
         "check it with `camdump inspect`; --force writes it anyway");
  }
  sum_.flash_size = probe_.size.value_or(0);
  if (o_.flash_size) sum_.flash_size = *o_.flash_size;
  if (!sum_.flash_size) fail(ErrorKind::Usage, "sf probe did not say how large the flash is", "pass --flash-size SIZE");
  sum_.erase_unit = probe_.erase_size.value_or(65536);
  if (sum_.erase_unit < 4096 || sum_.erase_unit > 262144 || (sum_.erase_unit & (sum_.erase_unit - 1)))
    sum_.erase_unit = 65536;
  sum_.chip = probe_.name;
  if (probe_.jedec)
    sum_.chip_id = fmt::format("{:02X} {:02X} {:02X}", *probe_.jedec >> 16 & 0xff, *probe_.jedec >> 8 & 0xff,
                               *probe_.jedec & 0xff);
  if (auto rec = ch341a::read_chip_record(o_.image)) {
    const bool id_differs = !sum_.chip_id.empty() && rec->id != sum_.chip_id;
    if (id_differs || (rec->size && rec->size != sum_.flash_size)) {
      const std::string what =
          fmt::format("{} was dumped from {} (ID {}, {}), this flash is {} ({}{})", o_.image.string(), rec->name,
                      rec->id, format_size(rec->size), sum_.chip.empty() ? "?" : sum_.chip,
                      sum_.chip_id.empty() ? "" : "ID " + sum_.chip_id + ", ", format_size(sum_.flash_size));
      if (!o_.force) fail(ErrorKind::Usage, what + ": refusing to write it", "--force writes it anyway");
      sum_.notes.push_back(what);
    } else if (sum_.chip_id.empty()) {
      sum_.notes.push_back(
          fmt::format("sf probe printed no JEDEC ID: the chip recorded at dump time ({}, ID {}) "
                      "is checked by size only",
                      rec->name, rec->id));
    }
  } else {
    sum_.notes.push_back(
        fmt::format("no chip record ({}): the chip ID cannot be checked", ch341a::chip_record_path(o_.image).string()));
  }
  choose_range(ir);
  sum_.boot = boot_region(ir);
}

// RAM: the unit area (64 KiB at the buffer), then the read area for sf read chunks; both below
// U-Boot's reserved area.
void UbootRestorer::lay_out_ram() {
  unit_area_ = stager_.buffer();
  read_area_ = unit_area_ + kMaxUnit;
  read_chunk_ = 1 << 20;
  if (!stager_.mapped())
    while (read_chunk_ > 65536 && !stager_.fits(unit_area_, kMaxUnit + read_chunk_)) read_chunk_ /= 2;
  stager_.check_area(unit_area_, kMaxUnit + (stager_.mapped() ? 0 : read_chunk_), "the restore's RAM areas");
}

// The state to write as units land: a new one, or with --resume the interrupted run's (which
// must be of the same image, chip and range).
RestoreState UbootRestorer::load_state(const std::filesystem::path& state_path) {
  RestoreState st;
  st.image_sha256 = sha256_hex(image_);
  st.chip_id = sum_.chip_id.empty() ? sum_.chip : sum_.chip_id;
  st.begin = sum_.begin, st.end = sum_.end;
  std::optional<RestoreState> saved = RestoreState::load(state_path);
  if (saved && !o_.resume && !o_.dry_run)
    fail(ErrorKind::Usage,
         fmt::format("an earlier restore of {} was interrupted ({})", o_.image.string(), state_path.string()),
         "add --resume to continue it (it compares the flash again and writes what still differs)");
  if (o_.resume && saved) {
    if (saved->image_sha256 != st.image_sha256 || saved->chip_id != st.chip_id || saved->begin != st.begin ||
        saved->end != st.end)
      fail(ErrorKind::Usage, fmt::format("{} belongs to another image, chip or range", state_path.string()),
           "give the same IMAGE and range as the interrupted run, or delete the state file to start over");
    st = *saved;
    sum_.resumed = true;
  }
  return st;
}

// A way back: a fresh verified dump by this route, or --backup FILE (returned, to be checked
// against the flash), or the interrupted run's backup.
std::vector<uint8_t> UbootRestorer::take_backup(RestoreState& st) {
  std::vector<uint8_t> backup;
  const bool reuse = sum_.resumed && !st.backup.empty() && o_.backup.empty();
  const bool need_backup = !o_.no_backup && !o_.dry_run && o_.backup.empty() && !reuse;
  if (!o_.backup.empty()) {
    sum_.backup = o_.backup;
    backup = read_file(o_.backup);
    if (backup.size() != sum_.flash_size)
      fail(ErrorKind::Usage, fmt::format("--backup {} is {}, not the flash's {}", o_.backup.string(),
                                         format_size(backup.size()), format_size(sum_.flash_size)));
  } else if (reuse) {
    sum_.backup = st.backup;
  } else if (need_backup) {
    sum_.backup = o_.image.string() + ".before-restore.bin";
    if (std::filesystem::exists(sum_.backup))
      fail(ErrorKind::Usage,
           fmt::format("{} exists already (from an earlier restore?): not overwriting it", sum_.backup.string()),
           "pass it as --backup FILE (it is checked against the flash), or move it away");
    if (!o_.make_backup)
      fail(ErrorKind::Unsupported, "this route cannot take a backup", "use --no-backup or --backup FILE");
    rep_.log(LogLevel::Info, fmt::format("backing up the flash to {} first (verified)", sum_.backup.string()));
    o_.make_backup(s_, sum_.backup);
    guarded([&] { setup(); });  // the dump may have changed the console's state
  }
  if (!sum_.backup.empty()) st.backup = sum_.backup.string();
  return backup;
}

UbootRestoreSummary UbootRestorer::run() {
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t wire0 = s_.wire_bytes();
  sum_.dry_run = o_.dry_run;
  sum_.loader = loader_.name();
  image_ = read_file(o_.image);
  guarded([&] { setup(); });
  if (!probe_.ok()) fail(ErrorKind::Protocol, "sf probe found no flash: " + probe_.error);
  preflight();
  lay_out_ram();
  sum_.loader = loader_.name();

  const auto state_path = restore_state_path(o_.image);
  RestoreState st = load_state(state_path);
  const std::vector<uint8_t> backup = take_backup(st);

  // Plan by device CRC: only the units that differ, the boot region last.
  RestorePlanInput pi;
  pi.begin = sum_.begin, pi.end = sum_.end;
  pi.sector = static_cast<uint32_t>(sum_.erase_unit);
  pi.block = sum_.erase_unit < 65536 ? 65536 : 0;
  pi.boot_begin = sum_.boot.first, pi.boot_end = sum_.boot.second;
  pi.differs = plan_by_crc(backup.empty() || sum_.resumed ? nullptr : &backup);
  sum_.plan = plan_restore(pi);
  if (o_.dry_run) return finish(t0, wire0);
  if (!sum_.plan.empty() && o_.confirm && !o_.confirm(describe_plan(sum_, o_)))
    fail(ErrorKind::Cancelled, "restore not confirmed: nothing was written");

  st.save(state_path);
  try {
    write_units(st, state_path);
    final_check();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled || e.kind() == ErrorKind::Io || e.kind() == ErrorKind::Timeout ||
        e.kind() == ErrorKind::VerifyMismatch || e.kind() == ErrorKind::Protocol)
      throw Error(e.kind(),
                  e.what() + fmt::format("; {} of {} units written; {} says where it stopped", sum_.units_written,
                                         sum_.plan.units.size(), state_path.string()),
                  e.hint().empty() ? "run again with --resume to continue" : e.hint());
    throw;
  }
  std::error_code ec;
  std::filesystem::remove(state_path, ec);
  return finish(t0, wire0);
}

UbootRestoreSummary UbootRestorer::finish(std::chrono::steady_clock::time_point t0, uint64_t wire0) {
  sum_.loader = loader_.name();  // a loader may have chosen its way at prepare()
  sum_.loaded_bytes = loader_.payload;
  sum_.load_wire_chars = loader_.wire_chars;
  sum_.wire_chars = s_.wire_bytes() - wire0;
  sum_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum_;
}

UbootRestoreSummary restore_uboot(uboot::UbootSession& s, RestoreLoader& loader, const UbootRestoreOptions& o,
                                  Reporter& rep, const CancelFlag* cancel) {
  UbootRestorer r(s, loader, o, rep, cancel);
  return r.run();
}

}  // namespace camdump::dump
