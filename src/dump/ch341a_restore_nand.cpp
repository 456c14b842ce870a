// SPDX-License-Identifier: MIT
// restore_ch341a for SPI NAND. The image is laid out as `dump ch341a` writes it: every page in
// place (bad blocks included, nothing skipped or remapped), data only, or data + spare with
// --nand-oob. Units are erase blocks. Factory-bad blocks (first spare byte of a block's first page
// not 0xFF) are never erased or programmed. Data-only images are written with on-die ECC on, so
// the chip fills its own ECC bytes in the spare; --nand-oob images with ECC off, spare as given.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>

#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "dump/ch341a_restore.hpp"
#include "image/inspect.hpp"
#include "spi/flash_source.hpp"

namespace camdump::dump {
namespace {

struct Geometry {
  uint32_t page = 0, spare = 0, stride = 0, ppb = 0, blocks = 0;
  bool oob = false;
  uint64_t block_bytes() const { return uint64_t(stride) * ppb; }
};

bool all_ff(std::span<const uint8_t> v) {
  return std::all_of(v.begin(), v.end(), [](uint8_t b) { return b == 0xFF; });
}

// Program and read back one block; the compared bytes are the page data, plus the spare with oob.
unsigned write_block(spi::SpiNand& nand, const Geometry& g, uint32_t block, std::span<const uint8_t> want,
                     unsigned tries) {
  std::vector<uint8_t> buf(g.page + g.spare);
  for (unsigned attempt = 1; attempt <= tries; ++attempt) {
    if (!nand.erase_block(block)) continue;
    bool ok = true;
    for (uint32_t p = 0; p < g.ppb && ok; ++p) {
      auto data = want.subspan(uint64_t(p) * g.stride, g.stride);
      if (all_ff(data)) continue;
      ok = nand.program_page(block * g.ppb + p, data);
    }
    for (uint32_t p = 0; p < g.ppb && ok; ++p) {
      nand.read_page(block * g.ppb + p, buf);
      ok = std::memcmp(buf.data(), want.data() + uint64_t(p) * g.stride, g.stride) == 0;
    }
    if (ok) return attempt;
  }
  return 0;
}

// The image's layout on this chip: data only, or data + spare per page (--nand-oob).
Geometry geometry_of(const spi::ChipInfo& chip, const std::vector<uint8_t>& image, const Ch341aRestoreOptions& o) {
  Geometry g;
  g.page = chip.page, g.spare = chip.oob, g.ppb = chip.pages_per_block;
  g.blocks = uint32_t(chip.size / chip.block_size());
  const uint64_t pages = chip.size / chip.page;
  g.oob = image.size() == pages * (g.page + g.spare);
  g.stride = g.oob ? g.page + g.spare : g.page;
  if (image.size() != pages * g.stride)
    fail(ErrorKind::Usage,
         fmt::format("{} is {} bytes; the {} holds {} (data) or {} (data + spare per page): refusing to write it",
                     o.image.string(), image.size(), chip.name(), chip.size, pages * (g.page + g.spare)));
  if (g.oob != o.nand_oob)
    fail(ErrorKind::Usage, g.oob ? "IMAGE holds data + spare per page: add --nand-oob to write the spare area too"
                                 : "--nand-oob needs an image with data + spare per page");
  return g;
}

// The image must pass inspect (its data, as a data-only dump would hold it) and come from this
// chip when its dump left a chip record; --force writes it anyway, with the reasons noted.
void check_image(const spi::ChipInfo& chip, const Geometry& g, const std::vector<uint8_t>& image,
                 const Ch341aRestoreOptions& o, Ch341aRestoreSummary& sum, const CancelFlag* cancel) {
  std::vector<uint8_t> data;
  if (g.oob) {
    data.resize(chip.size);
    for (uint64_t p = 0; p < chip.size / chip.page; ++p)
      std::memcpy(data.data() + p * g.page, image.data() + p * g.stride, g.page);
  }
  image::InspectOptions io;
  io.cancel = cancel;
  const auto ir = image::inspect(g.oob ? std::span<const uint8_t>(data) : std::span<const uint8_t>(image), io);
  for (const auto& p : ir.problems) sum.problems.push_back(p.text());
  if (!ir.ok() && !o.force)
    fail(ErrorKind::Corrupt,
         fmt::format("{} fails inspect ({} problems; first: {}): refusing to write it", o.image.string(),
                     sum.problems.size(), sum.problems.front()),
         "check it with `camdump inspect`; --force writes it anyway");
  const std::string id = spi::id_string(sum.probe.id);
  if (auto rec = ch341a::read_chip_record(o.image); rec && (rec->id != id || rec->size != image.size())) {
    const std::string what =
        fmt::format("{} was dumped from {} (ID {}, {} bytes), this chip is {} (ID {}, {})", o.image.string(), rec->name,
                    rec->id, rec->size, chip.name(), id, image.size());
    if (!o.force) fail(ErrorKind::Usage, what + ": refusing to write it", "--force writes it anyway");
    sum.notes.push_back(what);
  }
}

// Range, in whole blocks of the image layout, and the boot region (Thingino NAND: boot 1 MiB).
void set_range(const Geometry& g, uint64_t image_size, const Ch341aRestoreOptions& o, Ch341aRestoreSummary& sum) {
  const uint64_t bb = g.block_bytes();
  if (!o.part.empty())
    fail(ErrorKind::Usage, "--part is not supported for SPI NAND images (UBI): use --offset/--length");
  sum.begin = o.offset;
  sum.end = o.length ? o.offset + o.length : image_size;
  if (sum.begin % bb || sum.end % bb || sum.end > image_size || sum.begin >= sum.end)
    fail(ErrorKind::Usage, fmt::format("--offset/--length must be whole erase blocks ({} bytes in this layout) "
                                       "inside the image",
                                       bb));
  sum.boot = {0, std::min<uint64_t>(image_size, uint64_t{1024} * 1024 / g.page * g.stride)};
}

// What the flash holds now in the range into `cur`, and its bad blocks: a backup dump of the whole
// chip first unless told otherwise, else a plain read of the range.
std::set<uint32_t> read_current(ch341a::Ch341aSession& s, spi::SpiNand& nand, const Geometry& g,
                                const Ch341aRestoreOptions& o, Ch341aRestoreSummary& sum, std::vector<uint8_t>& cur,
                                Reporter& rep, const CancelFlag* cancel) {
  std::set<uint32_t> bad;
  const bool backup = !o.no_backup && !o.dry_run && o.backup.empty() && !sum.resumed;
  if (backup) {
    sum.backup = o.image.string() + ".before-restore.bin";
    if (std::filesystem::exists(sum.backup))
      fail(ErrorKind::Usage, fmt::format("{} exists already: not overwriting it", sum.backup.string()),
           "move it away, or pass --no-backup");
    ch341a::DumpOptions d;
    d.out = sum.backup;
    d.nand_oob = g.oob;
    auto ds = ch341a::dump_ch341a(s, d, rep, cancel);
    sum.bus_backup = ds.bus;
    bad.insert(ds.bad_blocks.begin(), ds.bad_blocks.end());
    const auto b = read_file(sum.backup);
    std::copy_n(b.begin() + long(sum.begin), cur.size(), cur.begin());
    if (g.oob) nand.set_ecc(false);  // the dump turned ECC on again
  } else {
    spi::NandSource src(nand, g.oob);
    for (uint64_t a = 0; a < cur.size(); a += g.stride) {
      check_cancel(cancel);
      src.read(sum.begin + a, std::span(cur).subspan(a, g.stride));
    }
    bad = src.bad_blocks();
    if (!o.backup.empty()) sum.backup = o.backup;
  }
  return bad;
}

RestorePlanInput plan_input(const Geometry& g, const Ch341aRestoreSummary& sum, const std::vector<uint8_t>& cur,
                            const std::vector<uint8_t>& image, const std::set<uint32_t>& bad) {
  const uint64_t bb = g.block_bytes();
  RestorePlanInput pi;
  pi.begin = sum.begin, pi.end = sum.end;
  pi.sector = uint32_t(bb), pi.block = 0;
  pi.boot_begin = sum.boot.first, pi.boot_end = sum.boot.second;
  for (uint64_t a = sum.begin; a < sum.end; a += bb) {
    const uint32_t block = uint32_t(a / bb);
    pi.differs.push_back(!bad.count(block) && std::memcmp(cur.data() + (a - sum.begin), image.data() + a, bb) != 0);
  }
  return pi;
}

// Each planned block erased, programmed and read back (state saved after each), then the whole
// range read again (bad blocks excepted).
void write_blocks(spi::SpiNand& nand, const Geometry& g, const std::vector<uint8_t>& image,
                  const std::set<uint32_t>& bad, const Ch341aRestoreOptions& o, Ch341aRestoreSummary& sum,
                  RestoreState& st, const std::filesystem::path& state_path, Reporter& rep, const CancelFlag* cancel) {
  const uint64_t bb = g.block_bytes();
  Progress p;
  p.stage = "writing";
  p.total = sum.plan.bytes;
  bool warned = false;
  for (const auto& u : sum.plan.units) {
    check_cancel(cancel);
    if (u.boot && !warned) {
      warned = true;
      rep.log(LogLevel::Warn, boot_region_warning(sum.boot));
    }
    const uint32_t block = uint32_t(u.offset / bb);
    const unsigned used = write_block(nand, g, block, std::span(image).subspan(u.offset, bb), std::max(1u, o.tries));
    if (!used)
      fail(ErrorKind::VerifyMismatch,
           fmt::format("NAND block {} ({}-{} of the image) did not erase, program or verify after {} attempts; "
                       "it may have worn out",
                       block, hex(u.offset), hex(u.offset + bb - 1), o.tries),
           "run again with --resume; if it keeps failing the block has gone bad");
    sum.unit_retries += used - 1;
    ++sum.units_written;
    sum.block_erases += used;
    ++st.units_written;
    st.save(state_path);
    p.done += u.size;
    rep.progress(p);
  }
  spi::NandSource src(nand, g.oob);
  std::vector<uint8_t> blk(bb);
  for (uint64_t a = sum.begin; a < sum.end; a += bb) {
    check_cancel(cancel);
    if (bad.count(uint32_t(a / bb))) continue;
    for (uint64_t q = 0; q < bb; q += g.stride) src.read(a + q, std::span(blk).subspan(q, g.stride));
    if (std::memcmp(blk.data(), image.data() + a, bb) != 0)
      fail(ErrorKind::VerifyMismatch, fmt::format("final check: NAND block {} differs from the image", a / bb));
  }
}

}  // namespace

Ch341aRestoreSummary restore_ch341a_nand(ch341a::Ch341aSession& s, const Ch341aRestoreOptions& o,
                                         Ch341aRestoreSummary sum, std::vector<uint8_t> image, Reporter& rep,
                                         const CancelFlag* cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  const spi::ChipInfo& chip = *sum.probe.chip;
  const Geometry g = geometry_of(chip, image, o);
  check_image(chip, g, image, o, sum, cancel);
  set_range(g, image.size(), o, sum);

  const auto state_path = restore_state_path(o.image);
  RestoreState st;
  st.image_sha256 = sha256_hex(image);
  st.chip_id = spi::id_string(sum.probe.id);
  st.begin = sum.begin, st.end = sum.end;
  auto saved = RestoreState::load(state_path);
  if (saved && !o.resume && !o.dry_run)
    fail(ErrorKind::Usage,
         fmt::format("an earlier restore of {} was interrupted ({})", o.image.string(), state_path.string()),
         "add --resume to continue it");
  if (o.resume && saved) st = *saved, sum.resumed = true;

  spi::SpiNand nand(s.master(), chip);
  nand.init();  // unlocks the protection register (0xA0 = 0), ECC on
  if (g.oob) nand.set_ecc(false);
  std::vector<uint8_t> cur(sum.end - sum.begin);
  const std::set<uint32_t> bad = read_current(s, nand, g, o, sum, cur, rep, cancel);
  sum.bad_blocks.assign(bad.begin(), bad.end());
  sum.plan = plan_restore(plan_input(g, sum, cur, image, bad));
  if (o.dry_run) return sum;
  if (!sum.plan.empty() && o.confirm && !o.confirm(describe_plan(sum, o)))
    fail(ErrorKind::Cancelled, "restore not confirmed: nothing was written");

  st.save(state_path);
  try {
    write_blocks(nand, g, image, bad, o, sum, st, state_path, rep, cancel);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled || e.kind() == ErrorKind::Usb || e.kind() == ErrorKind::Timeout ||
        e.kind() == ErrorKind::VerifyMismatch)
      throw Error(e.kind(),
                  e.what() + fmt::format("; {} of {} blocks written; {} says where it stopped", sum.units_written,
                                         sum.plan.units.size(), state_path.string()),
                  e.hint().empty() ? "run again with --resume to continue" : e.hint());
    throw;
  }
  std::error_code ec;
  std::filesystem::remove(state_path, ec);
  sum.sha256 = sha256_hex(std::span(image).subspan(sum.begin, sum.end - sum.begin));
  sum.bus = s.master().stats();
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace camdump::dump
