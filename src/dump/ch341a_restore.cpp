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
    fail(
        ErrorKind::Usage,
        fmt::format("{} is {} but the chip ({} {}) holds {}: refusing to write it", o.image.string(), format_size(isz),
                    sum.probe.vendor, sum.probe.name, format_size(chip)),
        isz < chip ? "to write a part of the flash, give --offset where the image belongs" : "is this the right chip?");
  }
  if (sum.end > chip || sum.begin >= sum.end)
    fail(ErrorKind::Usage,
         fmt::format("range {}-{} does not fit the {} chip", hex(sum.begin), hex(sum.end - 1), format_size(chip)));
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
    size_t n = std::min<size_t>(out.size() - done, size_t{64} * 1024);
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
  std::string t =
      fmt::format("restore {} to {} {} ({}, ID {}), range {}-{}\n", o.image.string(), s.probe.vendor, s.probe.name,
                  format_size(s.probe.size), spi::id_string(s.probe.id), hex(s.begin), hex(s.end - 1));
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

namespace {

// One NOR restore, step by step (the steps of issue 14's "What it must do").
class NorRestore {
 public:
  NorRestore(ch341a::Ch341aSession& s, const Ch341aRestoreOptions& o, Reporter& rep, const CancelFlag* cancel,
             Ch341aRestoreSummary sum, std::vector<uint8_t> image)
      : s_(s), o_(o), rep_(rep), cancel_(cancel), sum_(std::move(sum)), state_path_(restore_state_path(o.image)) {
    t_.image = std::move(image);
  }

  Ch341aRestoreSummary run(std::chrono::steady_clock::time_point t0) {
    refuse_what_would_brick();
    load_state();
    spi::NorWriter w(s_.master(), sum_.probe.size, sum_.probe.id.empty() ? 0 : sum_.probe.id[0]);
    check_protection(w);
    keep_a_way_back();
    plan();
    if (o_.dry_run) return std::move(sum_);
    if (!sum_.plan.empty() && o_.confirm && !o_.confirm(describe_plan(sum_, o_)))
      fail(ErrorKind::Cancelled, "restore not confirmed: nothing was written");
    st_.save(state_path_);
    try {
      write(w);
      final_check(w);
      if (st_.saved_sr1 >= 0) {
        w.write_status(uint8_t(st_.saved_sr1));
        rep_.log(LogLevel::Info, fmt::format("block protection set back (status register 1 0x{:02X})", st_.saved_sr1));
      }
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Cancelled || e.kind() == ErrorKind::Usb || e.kind() == ErrorKind::Timeout ||
          e.kind() == ErrorKind::VerifyMismatch)
        throw Error(e.kind(),
                    e.what() + fmt::format("; {} of {} units written; {} says where it stopped", sum_.units_written,
                                           sum_.plan.units.size(), state_path_.string()),
                    e.hint().empty() ? "run again with --resume to continue" : e.hint());
      throw;
    }
    std::error_code ec;
    std::filesystem::remove(state_path_, ec);
    const auto c = w.counts();
    sum_.sector_erases = c.sector_erases, sum_.block_erases = c.block_erases;
    sum_.pages = c.pages, sum_.bytes_programmed = c.bytes;
    sum_.sha256 = sha256_hex(cur_);
    sum_.bus = s_.master().stats();
    sum_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::move(sum_);
  }

 private:
  // 1. Refuse what would brick: an image that is not whole, the wrong size, the wrong chip.
  void refuse_what_would_brick() {
    image::InspectOptions io;
    io.cancel = cancel_;
    const image::InspectReport ir = image::inspect(t_.image, io);
    for (const auto& p : ir.problems) sum_.problems.push_back(p.text());
    if (!ir.ok() && !o_.force) {
      std::string list;
      for (size_t i = 0; i < sum_.problems.size() && i < 6; ++i) list += "; " + sum_.problems[i];
      fail(ErrorKind::Corrupt,
           fmt::format("{} fails inspect ({} problems{}): refusing to write it", o_.image.string(),
                       sum_.problems.size(), list),
           "check it with `camdump inspect`; --force writes it anyway");
    }
    id_ = spi::id_string(sum_.probe.id);
    if (auto rec = ch341a::read_chip_record(o_.image)) {
      if (rec->id != id_ || rec->size != sum_.probe.size) {
        const std::string what =
            fmt::format("{} was dumped from {} (ID {}, {}), this chip is {} (ID {}, {})", o_.image.string(), rec->name,
                        rec->id, format_size(rec->size), sum_.probe.name, id_, format_size(sum_.probe.size));
        if (!o_.force) fail(ErrorKind::Usage, what + ": refusing to write it", "--force writes it anyway");
        sum_.notes.push_back(what);
      }
    } else {
      sum_.notes.push_back(fmt::format("no chip record ({}): the chip ID cannot be checked",
                                       ch341a::chip_record_path(o_.image).string()));
    }
    choose_range(sum_, o_, ir, t_);
    sum_.boot = boot_region(ir);
  }

  // 2. State of an earlier, interrupted run.
  void load_state() {
    st_.image_sha256 = sha256_hex(t_.image);
    st_.chip_id = id_;
    st_.begin = sum_.begin, st_.end = sum_.end;
    std::optional<RestoreState> saved = RestoreState::load(state_path_);
    if (saved && !o_.resume && !o_.dry_run)
      fail(ErrorKind::Usage,
           fmt::format("an earlier restore of {} was interrupted ({})", o_.image.string(), state_path_.string()),
           "add --resume to continue it (it re-reads the flash and writes what still differs)");
    if (o_.resume && saved) {
      if (saved->image_sha256 != st_.image_sha256 || saved->chip_id != id_ || saved->begin != st_.begin ||
          saved->end != st_.end)
        fail(ErrorKind::Usage, fmt::format("{} belongs to another image, chip or range", state_path_.string()),
             "give the same IMAGE and range as the interrupted run, or delete the state file to start over");
      st_ = *saved;
      sum_.resumed = true;
    }
  }

  void check_protection(spi::NorWriter& w) {
    sr1_ = w.read_status();
    protected_now_ = w.protection_bits(sr1_) != 0;
    if (protected_now_ && !o_.unprotect && st_.saved_sr1 < 0 && !o_.dry_run)
      fail(ErrorKind::Unsupported,
           fmt::format("the chip's block protection is on (status register 1 = 0x{:02X}): writes to protected "
                       "blocks would be ignored",
                       sr1_),
           "--unprotect clears it for the restore and sets it back afterwards");
  }

  // 3. Keep a way back, and learn what the flash holds now.
  void keep_a_way_back() {
    cur_.resize(sum_.end - sum_.begin);
    const bool need_backup =
        !o_.no_backup && !o_.dry_run && o_.backup.empty() && !(sum_.resumed && !st_.backup.empty());
    if (!o_.backup.empty() || (sum_.resumed && !st_.backup.empty() && o_.backup.empty())) {
      sum_.backup = o_.backup.empty() ? std::filesystem::path(st_.backup) : o_.backup;
    } else if (need_backup) {
      sum_.backup = o_.image.string() + ".before-restore.bin";
    }
    if (need_backup) {
      make_backup();
    } else {
      read_range(s_, sum_.probe.size, sum_.begin, cur_, rep_, cancel_, "reading the flash");
      if (!sum_.backup.empty() && !sum_.resumed) check_given_backup();
    }
    if (!sum_.backup.empty()) st_.backup = sum_.backup.string();
  }

  void make_backup() {
    if (std::filesystem::exists(sum_.backup))
      fail(ErrorKind::Usage,
           fmt::format("{} exists already (from an earlier restore?): not overwriting it", sum_.backup.string()),
           "pass it as --backup FILE (it is checked against the flash), or move it away");
    rep_.log(LogLevel::Info, fmt::format("backing up the flash to {} (read twice, verified)", sum_.backup.string()));
    ch341a::DumpOptions d;
    d.out = sum_.backup;
    d.chip = o_.chip;
    auto ds = ch341a::dump_ch341a(s_, d, rep_, cancel_);
    sum_.bus_backup = ds.bus;
    const auto b = read_file(sum_.backup);
    std::copy_n(b.begin() + long(sum_.begin), cur_.size(), cur_.begin());
  }

  // --backup FILE must be this flash as it is now.
  void check_given_backup() {
    const auto b = read_file(sum_.backup);
    if (b.size() != sum_.probe.size)
      fail(ErrorKind::Usage, fmt::format("--backup {} is {}, not the chip's {}", sum_.backup.string(),
                                         format_size(b.size()), format_size(sum_.probe.size)));
    for (uint64_t a = 0; a < cur_.size(); a += kSector)
      if (std::memcmp(cur_.data() + a, b.data() + sum_.begin + a, kSector) != 0)
        fail(ErrorKind::VerifyMismatch,
             fmt::format("--backup {} differs from the flash at {}: it is not a backup of this flash as it is now",
                         sum_.backup.string(), hex(sum_.begin + a)),
             "dump the flash first (leave out --backup), or reseat the clip if the dump is right");
  }

  // 4. Plan: only the units that differ, the boot region last.
  void plan() {
    RestorePlanInput pi;
    pi.begin = sum_.begin, pi.end = sum_.end;
    pi.sector = kSector, pi.block = kBlock;
    pi.boot_begin = sum_.boot.first, pi.boot_end = sum_.boot.second;
    pi.differs = diff_sectors(t_, sum_.begin, sum_.end, cur_);
    sum_.plan = plan_restore(pi);
  }

  void clear_protection(spi::NorWriter& w) {
    if (st_.saved_sr1 < 0) st_.saved_sr1 = sr1_;
    st_.save(state_path_);
    rep_.log(LogLevel::Warn, fmt::format("clearing block protection (status register 1 0x{:02X})", sr1_));
    w.write_status(uint8_t(sr1_ & ~w.protection_bits(0xFF)));
    sum_.protection_cleared = true;
  }

  // Above 16 MiB: 4-byte addresses, checked at a place whose bytes are not all the same.
  void enter_4byte_mode(spi::NorWriter& w) {
    uint64_t check = sum_.begin;
    for (uint64_t a = 0; a + 65 <= cur_.size(); a += 64)
      if (!std::all_of(cur_.begin() + long(a), cur_.begin() + long(a + 65), [&](uint8_t b) { return b == cur_[a]; })) {
        check = sum_.begin + a;
        break;
      }
    if (!w.enter_4b(check))
      fail(ErrorKind::Protocol, "the chip did not enter 4-byte address mode (B7): nothing was written",
           "name the part with --chip, or write it with flashrom");
  }

  // 5. Write the differing units, each read back; the state file counts them.
  void write(spi::NorWriter& w) {
    if (protected_now_) clear_protection(w);
    if (sum_.probe.size > (uint64_t(1) << 24) && !sum_.plan.empty()) enter_4byte_mode(w);
    Progress p;
    p.stage = "writing";
    p.total = sum_.plan.bytes;
    bool warned = false;
    for (const auto& u : sum_.plan.units) {
      check_cancel(cancel_);
      if (u.boot && !warned) {
        warned = true;
        rep_.log(LogLevel::Warn, boot_region_warning(sum_.boot));
      }
      unsigned used = write_unit(w, u, t_.at(u.offset, u.size), std::max(1u, o_.tries));
      if (!used)
        fail(ErrorKind::VerifyMismatch,
             fmt::format("{}-{} did not verify after {} erase+write attempts; it holds neither the old nor the new "
                         "content",
                         hex(u.offset), hex(u.offset + u.size - 1), o_.tries),
             "reseat the clip and run again with --resume (the backup is " +
                 (sum_.backup.empty() ? std::string("not there: --no-backup") : sum_.backup.string()) + ")");
      sum_.unit_retries += used - 1;
      ++sum_.units_written;
      ++st_.units_written;
      st_.save(state_path_);
      p.done += u.size;
      rep_.progress(p);
    }
    p.finished = true;
    rep_.progress(p);
  }

  // 6. The whole range once more; a unit that differs is read again, then rewritten once.
  void final_check(spi::NorWriter& w) {
    read_range(s_, sum_.probe.size, sum_.begin, cur_, rep_, cancel_, "final check");
    auto bad = diff_sectors(t_, sum_.begin, sum_.end, cur_);
    for (size_t i = 0; i < bad.size(); ++i) {
      if (!bad[i]) continue;
      const RestoreUnit u{sum_.begin + i * kSector, kSector, false};
      std::vector<uint8_t> again(kSector);
      w.read(u.offset, again);
      if (std::equal(again.begin(), again.end(), t_.at(u.offset, kSector).begin())) {
        std::copy(again.begin(), again.end(), cur_.begin() + long(i * kSector));
        continue;
      }
      if (!write_unit(w, u, t_.at(u.offset, kSector), std::max(1u, o_.tries)))
        fail(ErrorKind::VerifyMismatch, fmt::format("final check: {}-{} differs from the image and did not verify "
                                                    "when written again",
                                                    hex(u.offset), hex(u.offset + kSector - 1)));
      ++sum_.final_rewrites;
      w.read(u.offset, again);
      std::copy(again.begin(), again.end(), cur_.begin() + long(i * kSector));
    }
  }

  ch341a::Ch341aSession& s_;
  const Ch341aRestoreOptions& o_;
  Reporter& rep_;
  const CancelFlag* cancel_;
  Ch341aRestoreSummary sum_;
  Target t_;
  std::filesystem::path state_path_;
  RestoreState st_;
  std::string id_;
  std::vector<uint8_t> cur_;  ///< the range as the flash holds it (before, then after)
  uint8_t sr1_ = 0;
  bool protected_now_ = false;
};

}  // namespace

Ch341aRestoreSummary restore_ch341a(ch341a::Ch341aSession& s, const Ch341aRestoreOptions& o, Reporter& rep,
                                    const CancelFlag* cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  Ch341aRestoreSummary sum;
  sum.dry_run = o.dry_run;
  auto image = read_file(o.image);
  sum.probe = ch341a::probe_ch341a(s, o.chip);
  for (const auto& w : sum.probe.warnings) rep.log(LogLevel::Warn, w);
  if (sum.probe.kind == spi::ChipKind::Nand)
    return restore_ch341a_nand(s, o, std::move(sum), std::move(image), rep, cancel);
  if (o.nand_oob) fail(ErrorKind::Usage, fmt::format("--nand-oob: {} is a SPI NOR chip", sum.probe.name));
  return NorRestore(s, o, rep, cancel, std::move(sum), std::move(image)).run(t0);
}

}  // namespace camdump::dump
