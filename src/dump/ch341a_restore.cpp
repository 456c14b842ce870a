// SPDX-License-Identifier: MIT
#include "dump/ch341a_restore.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "image/inspect.hpp"
#include "spi/nor_writer.hpp"

namespace camdump::dump {
namespace {

constexpr uint32_t kSector = 4096, kBlock = 65536, kPage = 256;

struct Target {
  std::vector<uint8_t> image;
  uint64_t base = 0;  ///< flash address of image[0]
  std::span<const uint8_t> at(uint64_t addr, uint64_t n) const { return std::span(image).subspan(addr - base, n); }
};

// Which range of the flash to write, and where the image's bytes go.
void choose_range(Ch341aRestoreSummary& sum, const Ch341aRestoreOptions& o, const image::InspectReport& rep,
                  Target& t) {
  const uint64_t chip = sum.probe.size, isz = t.image.size();
  if (!o.part.empty()) {
    if (isz != chip)
      fail(ErrorKind::Usage, fmt::format("--part needs a whole-chip image: {} is {}, the chip {}", o.image.string(),
                                         format_size(isz), format_size(chip)));
    for (const auto& p : rep.parts)
      if (p.name == o.part && !p.whole_chip) {
        sum.begin = p.offset, sum.end = std::min(chip, p.offset + p.size);
        return;
      }
    std::string names;
    for (const auto& p : rep.parts) names += (names.empty() ? "" : ", ") + p.name;
    fail(ErrorKind::Usage, fmt::format("--part {}: the image's layout has no such partition", o.part),
         names.empty() ? "the image has no layout: use --offset/--length" : "partitions: " + names);
  }
  if (isz == chip) {
    sum.begin = o.offset;
    sum.end = o.length ? o.offset + o.length : chip;
  } else if (isz < chip && o.offset_given) {
    if (o.length && o.length != isz)
      fail(ErrorKind::Usage, fmt::format("--length {} but the image holds {} bytes", o.length, isz));
    t.base = o.offset;
    sum.begin = o.offset, sum.end = o.offset + isz;
  } else {
    fail(ErrorKind::Usage,
         fmt::format("{} is {} but the chip ({} {}) holds {}: refusing to write it", o.image.string(), format_size(isz),
                     sum.probe.vendor, sum.probe.name, format_size(chip)),
         isz < chip ? "to write a part of the flash, give --offset where the image belongs" : "is this the right chip?");
  }
  if (sum.end > chip || sum.begin >= sum.end)
    fail(ErrorKind::Usage, fmt::format("range {}-{} does not fit the {} chip", hex(sum.begin), hex(sum.end - 1),
                                       format_size(chip)));
  if (sum.begin % kSector || sum.end % kSector)
    fail(ErrorKind::Usage, "--offset and --length must be multiples of 4 KiB (the smallest erase unit)");
}

std::vector<bool> diff_sectors(const Target& t, uint64_t begin, uint64_t end, std::span<const uint8_t> cur) {
  std::vector<bool> d((end - begin) / kSector);
  for (size_t i = 0; i < d.size(); ++i)
    d[i] = std::memcmp(cur.data() + i * kSector, t.at(begin + i * kSector, kSector).data(), kSector) != 0;
  return d;
}

void read_range(ch341a::Ch341aSession& s, uint64_t size, uint64_t addr, std::span<uint8_t> out, Reporter& rep,
                const CancelFlag* cancel, const char* stage) {
  spi::SpiNor nor(s.master(), size);
  Progress p;
  p.stage = stage;
  p.total = out.size();
  for (size_t done = 0; done < out.size();) {
    check_cancel(cancel);
    size_t n = std::min<size_t>(out.size() - done, 64 * 1024);
    nor.read(addr + done, out.subspan(done, n));
    done += n;
    p.done = done;
    p.finished = done == out.size();
    rep.progress(p);
  }
}

// Erase, program and read back one unit until it verifies. A 4 KiB sector that reads back wrong
// is read up to twice more before the unit counts as bad: a flaky clip garbles reads, not the
// flash. Returns the attempts used; 0 = never verified.
unsigned write_unit(spi::NorWriter& w, const RestoreUnit& u, std::span<const uint8_t> want, unsigned tries) {
  std::vector<uint8_t> got(u.size);
  for (unsigned attempt = 1; attempt <= tries; ++attempt) {
    w.erase(u.offset, u.size);
    for (uint32_t p = 0; p < u.size; p += kPage) {
      auto page = want.subspan(p, kPage);
      if (std::all_of(page.begin(), page.end(), [](uint8_t b) { return b == 0xFF; })) continue;  // erased already
      w.program_page(u.offset + p, page);
    }
    w.read(u.offset, got);
    bool ok = true;
    for (uint32_t sec = 0; sec < u.size && ok; sec += kSector) {
      auto g = std::span(got).subspan(sec, kSector);
      for (int again = 0; !std::equal(g.begin(), g.end(), want.begin() + sec); ++again) {
        if (again == 2) {
          ok = false;
          break;
        }
        w.read(u.offset + sec, g);
      }
    }
    if (ok) return attempt;
  }
  return 0;
}

}  // namespace

std::string describe_plan(const Ch341aRestoreSummary& s, const Ch341aRestoreOptions& o) {
  std::string t = fmt::format("restore {} to {} {} ({}, ID {}), range {}-{}\n", o.image.string(), s.probe.vendor,
                              s.probe.name, format_size(s.probe.size), spi::id_string(s.probe.id), hex(s.begin),
                              hex(s.end - 1));
  for (const auto& p : s.problems) t += "  inspect problem (--force): " + p + "\n";
  for (const auto& n : s.notes) t += "  note: " + n + "\n";
  t += fmt::format("  {} of {} sectors differ: erase and write {} in {} units: {}\n", s.plan.differing_sectors,
                   (s.end - s.begin) / kSector, format_size(s.plan.bytes), s.plan.units.size(),
                   s.plan.units.empty() ? "none" : format_units(s.plan.units));
  if (s.plan.boot_units)
    t += fmt::format("  the boot region {}-{} (SPL + U-Boot) differs: its {} units go last\n", hex(s.boot.first),
                     hex(s.boot.second - 1), s.plan.boot_units);
  t += s.backup.empty() ? "  backup: none (--no-backup)\n" : "  backup of the flash: " + s.backup.string() + "\n";
  return t;
}

Ch341aRestoreSummary restore_ch341a(ch341a::Ch341aSession& s, const Ch341aRestoreOptions& o, Reporter& rep,
                                    const CancelFlag* cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  Ch341aRestoreSummary sum;
  sum.dry_run = o.dry_run;
  Target t;
  t.image = read_file(o.image);
  sum.probe = ch341a::probe_ch341a(s, o.chip);
  for (const auto& w : sum.probe.warnings) rep.log(LogLevel::Warn, w);
  if (sum.probe.kind == spi::ChipKind::Nand) return restore_ch341a_nand(s, o, std::move(sum), std::move(t.image), rep, cancel);
  if (o.nand_oob) fail(ErrorKind::Usage, fmt::format("--nand-oob: {} is a SPI NOR chip", sum.probe.name));

  // 1. Refuse what would brick: an image that is not whole, the wrong size, the wrong chip.
  image::InspectOptions io;
  io.cancel = cancel;
  const image::InspectReport ir = image::inspect(t.image, io);
  for (const auto& p : ir.problems) sum.problems.push_back(p.text());
  if (!ir.ok() && !o.force) {
    std::string list;
    for (size_t i = 0; i < sum.problems.size() && i < 6; ++i) list += "; " + sum.problems[i];
    fail(ErrorKind::Corrupt,
         fmt::format("{} fails inspect ({} problems{}): refusing to write it", o.image.string(), sum.problems.size(), list),
         "check it with `camdump inspect`; --force writes it anyway");
  }
  const std::string id = spi::id_string(sum.probe.id);
  if (auto rec = ch341a::read_chip_record(o.image)) {
    if (rec->id != id || rec->size != sum.probe.size) {
      const std::string what = fmt::format("{} was dumped from {} (ID {}, {}), this chip is {} (ID {}, {})",
                                           o.image.string(), rec->name, rec->id, format_size(rec->size),
                                           sum.probe.name, id, format_size(sum.probe.size));
      if (!o.force) fail(ErrorKind::Usage, what + ": refusing to write it", "--force writes it anyway");
      sum.notes.push_back(what);
    }
  } else {
    sum.notes.push_back(fmt::format("no chip record ({}): the chip ID cannot be checked",
                                    ch341a::chip_record_path(o.image).string()));
  }
  choose_range(sum, o, ir, t);
  sum.boot = boot_region(ir);

  // 2. State of an earlier, interrupted run.
  const auto state_path = restore_state_path(o.image);
  RestoreState st;
  st.image_sha256 = sha256_hex(t.image);
  st.chip_id = id;
  st.begin = sum.begin, st.end = sum.end;
  std::optional<RestoreState> saved = RestoreState::load(state_path);
  if (saved && !o.resume && !o.dry_run)
    fail(ErrorKind::Usage, fmt::format("an earlier restore of {} was interrupted ({})", o.image.string(),
                                       state_path.string()),
         "add --resume to continue it (it re-reads the flash and writes what still differs)");
  if (o.resume && saved) {
    if (saved->image_sha256 != st.image_sha256 || saved->chip_id != id || saved->begin != st.begin ||
        saved->end != st.end)
      fail(ErrorKind::Usage, fmt::format("{} belongs to another image, chip or range", state_path.string()),
           "give the same IMAGE and range as the interrupted run, or delete the state file to start over");
    st = *saved;
    sum.resumed = true;
  }

  spi::NorWriter w(s.master(), sum.probe.size, sum.probe.id.empty() ? 0 : sum.probe.id[0]);
  const uint8_t sr1 = w.read_status();
  const bool protected_now = w.protection_bits(sr1) != 0;
  if (protected_now && !o.unprotect && st.saved_sr1 < 0 && !o.dry_run)
    fail(ErrorKind::Unsupported,
         fmt::format("the chip's block protection is on (status register 1 = 0x{:02X}): writes to protected blocks "
                     "would be ignored", sr1),
         "--unprotect clears it for the restore and sets it back afterwards");

  // 3. Keep a way back, and learn what the flash holds now.
  std::vector<uint8_t> cur(sum.end - sum.begin);
  const bool need_backup = !o.no_backup && !o.dry_run && o.backup.empty() && !(sum.resumed && !st.backup.empty());
  if (!o.backup.empty() || (sum.resumed && !st.backup.empty() && o.backup.empty())) {
    sum.backup = o.backup.empty() ? std::filesystem::path(st.backup) : o.backup;
  } else if (need_backup) {
    sum.backup = o.image.string() + ".before-restore.bin";
  }
  if (need_backup) {
    if (std::filesystem::exists(sum.backup))
      fail(ErrorKind::Usage, fmt::format("{} exists already (from an earlier restore?): not overwriting it",
                                         sum.backup.string()),
           "pass it as --backup FILE (it is checked against the flash), or move it away");
    rep.log(LogLevel::Info, fmt::format("backing up the flash to {} (read twice, verified)", sum.backup.string()));
    ch341a::DumpOptions d;
    d.out = sum.backup;
    d.chip = o.chip;
    auto ds = ch341a::dump_ch341a(s, d, rep, cancel);
    sum.bus_backup = ds.bus;
    const auto b = read_file(sum.backup);
    std::copy_n(b.begin() + long(sum.begin), cur.size(), cur.begin());
  } else {
    read_range(s, sum.probe.size, sum.begin, cur, rep, cancel, "reading the flash");
    if (!sum.backup.empty() && !sum.resumed) {  // --backup FILE must be this flash as it is now
      const auto b = read_file(sum.backup);
      if (b.size() != sum.probe.size)
        fail(ErrorKind::Usage, fmt::format("--backup {} is {}, not the chip's {}", sum.backup.string(),
                                           format_size(b.size()), format_size(sum.probe.size)));
      for (uint64_t a = 0; a < cur.size(); a += kSector)
        if (std::memcmp(cur.data() + a, b.data() + sum.begin + a, kSector) != 0)
          fail(ErrorKind::VerifyMismatch,
               fmt::format("--backup {} differs from the flash at {}: it is not a backup of this flash as it is now",
                           sum.backup.string(), hex(sum.begin + a)),
               "dump the flash first (leave out --backup), or reseat the clip if the dump is right");
    }
  }
  if (!sum.backup.empty()) st.backup = sum.backup.string();

  // 4. Plan: only the units that differ, the boot region last.
  RestorePlanInput pi;
  pi.begin = sum.begin, pi.end = sum.end;
  pi.sector = kSector, pi.block = kBlock;
  pi.boot_begin = sum.boot.first, pi.boot_end = sum.boot.second;
  pi.differs = diff_sectors(t, sum.begin, sum.end, cur);
  sum.plan = plan_restore(pi);
  if (o.dry_run) return sum;
  if (!sum.plan.empty() && o.confirm && !o.confirm(describe_plan(sum, o)))
    fail(ErrorKind::Cancelled, "restore not confirmed: nothing was written");

  // 5. Write.
  st.save(state_path);
  auto note = [&](const Error& e, const std::string& extra) {
    return Error(e.kind(), e.what() + extra, e.hint().empty() ? "run again with --resume to continue" : e.hint());
  };
  try {
    if (protected_now) {
      if (st.saved_sr1 < 0) st.saved_sr1 = sr1;
      st.save(state_path);
      rep.log(LogLevel::Warn, fmt::format("clearing block protection (status register 1 0x{:02X})", sr1));
      w.write_status(uint8_t(sr1 & ~w.protection_bits(0xFF)));
      sum.protection_cleared = true;
    }
    if (sum.probe.size > (uint64_t(1) << 24) && !sum.plan.empty()) {
      uint64_t check = sum.begin;  // a place whose bytes are not all the same
      for (uint64_t a = 0; a + 65 <= cur.size(); a += 64)
        if (!std::all_of(cur.begin() + long(a), cur.begin() + long(a + 65), [&](uint8_t b) { return b == cur[a]; })) {
          check = sum.begin + a;
          break;
        }
      if (!w.enter_4b(check))
        fail(ErrorKind::Protocol, "the chip did not enter 4-byte address mode (B7): nothing was written",
             "name the part with --chip, or write it with flashrom");
    }
    Progress p;
    p.stage = "writing";
    p.total = sum.plan.bytes;
    bool warned = false;
    for (const auto& u : sum.plan.units) {
      check_cancel(cancel);
      if (u.boot && !warned) {
        warned = true;
        rep.log(LogLevel::Warn, fmt::format("writing the boot region {}-{} (SPL + U-Boot) now: if this is cut "
                                            "short, the camera will not boot until it is written again",
                                            hex(sum.boot.first), hex(sum.boot.second - 1)));
      }
      unsigned used = write_unit(w, u, t.at(u.offset, u.size), std::max(1u, o.tries));
      if (!used)
        fail(ErrorKind::VerifyMismatch,
             fmt::format("{}-{} did not verify after {} erase+write attempts; it holds neither the old nor the new "
                         "content", hex(u.offset), hex(u.offset + u.size - 1), o.tries),
             "reseat the clip and run again with --resume (the backup is " +
                 (sum.backup.empty() ? std::string("not there: --no-backup") : sum.backup.string()) + ")");
      sum.unit_retries += used - 1;
      ++sum.units_written;
      ++st.units_written;
      st.save(state_path);
      p.done += u.size;
      rep.progress(p);
    }
    p.finished = true;
    rep.progress(p);

    // 6. The whole range once more; a unit that differs is read again, then rewritten once.
    read_range(s, sum.probe.size, sum.begin, cur, rep, cancel, "final check");
    auto bad = diff_sectors(t, sum.begin, sum.end, cur);
    for (size_t i = 0; i < bad.size(); ++i) {
      if (!bad[i]) continue;
      const RestoreUnit u{sum.begin + i * kSector, kSector, false};
      std::vector<uint8_t> again(kSector);
      w.read(u.offset, again);
      if (std::equal(again.begin(), again.end(), t.at(u.offset, kSector).begin())) {
        std::copy(again.begin(), again.end(), cur.begin() + long(i * kSector));
        continue;
      }
      if (!write_unit(w, u, t.at(u.offset, kSector), std::max(1u, o.tries)))
        fail(ErrorKind::VerifyMismatch, fmt::format("final check: {}-{} differs from the image and did not verify "
                                                    "when written again", hex(u.offset), hex(u.offset + kSector - 1)));
      ++sum.final_rewrites;
      w.read(u.offset, again);
      std::copy(again.begin(), again.end(), cur.begin() + long(i * kSector));
    }
    if (st.saved_sr1 >= 0) {
      w.write_status(uint8_t(st.saved_sr1));
      rep.log(LogLevel::Info, fmt::format("block protection set back (status register 1 0x{:02X})", st.saved_sr1));
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled || e.kind() == ErrorKind::Usb || e.kind() == ErrorKind::Timeout ||
        e.kind() == ErrorKind::VerifyMismatch)
      throw note(e, fmt::format("; {} of {} units written; {} says where it stopped", sum.units_written,
                                sum.plan.units.size(), state_path.string()));
    throw;
  }
  std::error_code ec;
  std::filesystem::remove(state_path, ec);
  const auto c = w.counts();
  sum.sector_erases = c.sector_erases, sum.block_erases = c.block_erases;
  sum.pages = c.pages, sum.bytes_programmed = c.bytes;
  sum.sha256 = sha256_hex(cur);
  sum.bus = s.master().stats();
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace camdump::dump
