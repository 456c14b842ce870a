// SPDX-License-Identifier: MIT
// `restore ch341a` against the emulated CH341A and chip (flash physics on: programs only clear
// bits, erases set 0xFF, protected blocks ignore writes, the chip counts erases): only the
// differing units are erased, the boot region goes last, a backup is made first, protection is
// cleared only with consent and put back, a flaky clip still ends exact, a sector that does not
// erase fails verification by name, an interrupted restore resumes, and the refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dump/ch341a_dump.hpp"
#include "ch341a/sim_spec.hpp"
#include "core/error.hpp"
#include "dump/ch341a_restore.hpp"
#include "image/synth.hpp"
#include "support/process.hpp"
#include "support/files.hpp"

using namespace camdump;
using namespace camdump::dump;
namespace fs = std::filesystem;

namespace {

using test::slurp;
using test::write_bytes;

constexpr uint64_t k8M = 8u << 20;

std::vector<uint8_t> thingino(uint64_t size = k8M, uint32_t seed = 1) {
  image::SynthOptions o;
  o.flash_size = size;
  o.seed = seed;
  return image::make_thingino_image(o);
}

struct Logs : Reporter {
  std::vector<std::string> lines;
  void log(LogLevel, std::string_view m) override { lines.emplace_back(m); }
  bool has(std::string_view s) const {
    for (const auto& l : lines)
      if (l.find(s) != std::string::npos) return true;
    return false;
  }
};

// A test bench: IMAGE (what to write), the flash's current content, the emulated programmer.
struct Case {
  test::TempDir dir;
  fs::path image = dir / "fw.bin", flash = dir / "flash.bin";
  std::vector<uint8_t> want, old;
  Case(std::vector<uint8_t> w, std::vector<uint8_t> o) : want(std::move(w)), old(std::move(o)) {
    write_bytes(image, want);
    write_bytes(flash, old);
  }
  std::string sim(const std::string& chip, const std::string& extra = "") const {
    return "image=" + flash.string() + ",chip=" + chip + ",save=" + flash.string() + extra;
  }
  Ch341aRestoreOptions opts() const {
    Ch341aRestoreOptions o;
    o.image = image;
    return o;
  }
};

struct Run {
  Ch341aRestoreSummary sum;
  ch341a::SpiSlave::Counters chip;
};

// One session (the emulator saves the flash when it closes, also when the restore throws).
Run restore(const std::string& sim, const Ch341aRestoreOptions& o, Reporter& rep = null_reporter(),
            const CancelFlag* cancel = nullptr) {
  auto s = ch341a::Ch341aSession::open({"", sim});
  Run r;
  try {
    r.sum = restore_ch341a(*s, o, rep, cancel);
  } catch (...) {
    r.chip = s->emulator()->chip().counters();
    throw;
  }
  r.chip = s->emulator()->chip().counters();
  return r;
}

ErrorKind restore_error(const std::string& sim, const Ch341aRestoreOptions& o, std::string* what = nullptr) {
  try {
    restore(sim, o);
  } catch (const Error& e) {
    if (what) *what = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "restore did not refuse";
  return ErrorKind::Io;
}

// The old flash: `want` with one whole 64 KiB block and three sectors elsewhere different.
std::vector<uint8_t> changed(std::vector<uint8_t> v) {
  for (uint64_t a = 0x60000; a < 0x70000; ++a) v[a] ^= 0x5A;  // "backup" partition (64 KiB)
  for (uint64_t a : {0x100000ull, 0x101000ull, 0x300000ull}) v[a + 17] ^= 0xFF;
  return v;
}

}  // namespace

TEST(RestoreCh341a, WritesOnlyTheUnitsThatDifferAndEndsEqual) {
  auto want = thingino();
  Case c(want, changed(want));
  auto o = c.opts();
  o.no_backup = true;
  auto r = restore(c.sim("W25Q64FV"), o);
  EXPECT_EQ(r.sum.plan.differing_sectors, 16u + 3u);
  EXPECT_EQ(r.chip.block_erases, 1u);   // the whole 64 KiB block
  EXPECT_EQ(r.chip.sector_erases, 3u);  // and three 4 KiB sectors, nothing else
  EXPECT_EQ(r.chip.chip_erases, 0u);
  EXPECT_EQ(r.sum.units_written, 4u);
  EXPECT_EQ(r.sum.plan.boot_units, 0u);
  EXPECT_TRUE(slurp(c.flash) == want);
  EXPECT_FALSE(fs::exists(restore_state_path(c.image)));
  // Nothing differs any more: a second run writes nothing.
  auto again = restore(c.sim("W25Q64FV"), o);
  EXPECT_TRUE(again.sum.plan.empty());
  EXPECT_EQ(again.chip.sector_erases + again.chip.block_erases + again.chip.page_programs, 0u);
}

TEST(RestoreCh341a, BacksUpFirstAndWritesTheBootRegionLastWithAWarning) {
  auto want = thingino();
  auto old = changed(want);
  old[0x2000] ^= 1;  // inside "boot" (SPL + U-Boot, 0x0-0x4ffff)
  Case c(want, old);
  Logs logs;
  auto r = restore(c.sim("W25Q64FV"), c.opts(), logs);
  ASSERT_GE(r.sum.plan.units.size(), 2u);
  EXPECT_TRUE(r.sum.plan.units.back().boot);
  EXPECT_EQ(r.sum.plan.units.back().offset, 0x2000u);
  EXPECT_EQ(r.sum.plan.boot_units, 1u);
  EXPECT_TRUE(logs.has("writing the boot region")) << "no warning before the boot region";
  EXPECT_TRUE(slurp(c.flash) == want);
  const fs::path backup = c.image.string() + ".before-restore.bin";
  EXPECT_EQ(r.sum.backup, backup);
  EXPECT_TRUE(slurp(backup) == old) << "the backup is the flash as it was";
  // A second restore will not overwrite that backup with the new flash.
  c.old = slurp(c.flash);
  EXPECT_EQ(restore_error(c.sim("W25Q64FV"), c.opts()), ErrorKind::Usage);
  // ... but takes it as --backup only if it matches the flash (it does not any more).
  auto o = c.opts();
  o.backup = backup;
  EXPECT_EQ(restore_error(c.sim("W25Q64FV"), o), ErrorKind::VerifyMismatch);
}

TEST(RestoreCh341a, ProtectedChipNeedsConsentAndGetsItsProtectionBack) {
  auto want = thingino();
  Case c(want, changed(want));
  auto o = c.opts();
  o.no_backup = true;
  std::string what;
  EXPECT_EQ(restore_error(c.sim("W25Q64FV", ",wp=0x1c"), o, &what), ErrorKind::Unsupported);
  EXPECT_NE(what.find("protection"), std::string::npos) << what;
  EXPECT_TRUE(slurp(c.flash) == c.old) << "refused, yet something was written";
  o.unprotect = true;
  auto s = ch341a::Ch341aSession::open({"", c.sim("W25Q64FV", ",wp=0x1c")});
  auto r = restore_ch341a(*s, o, null_reporter(), nullptr);
  EXPECT_TRUE(r.protection_cleared);
  const uint8_t rdsr[] = {0x05};
  EXPECT_EQ(s->master().command(rdsr, 1)[0] & 0xFC, 0x1C) << "protection not set back";
  s.reset();
  EXPECT_TRUE(slurp(c.flash) == want);
}

TEST(RestoreCh341a, FlakyClipStillEndsExact) {
  auto want = thingino();
  Case c(want, changed(want));
  auto r = restore(c.sim("W25Q64FV", ",flaky=1e-6,seed=5"), c.opts());
  EXPECT_TRUE(slurp(c.flash) == want);
  EXPECT_GE(r.sum.units_written, 4u);
}

// A sector that no longer erases: the program gives old AND new, which the read-back catches;
// after --tries the restore stops naming the unit and keeps its state for --resume.
TEST(RestoreCh341a, ASkippedEraseFailsVerificationByName) {
  auto want = thingino();
  Case c(want, changed(want));
  auto o = c.opts();
  o.no_backup = true;
  o.tries = 2;
  std::string what;
  EXPECT_EQ(restore_error(c.sim("W25Q64FV", ",worn=0x300000"), o, &what), ErrorKind::VerifyMismatch);
  EXPECT_NE(what.find("0x300000-0x300fff"), std::string::npos) << what;
  EXPECT_TRUE(fs::exists(restore_state_path(c.image)));
}

TEST(RestoreCh341a, InterruptedMidWriteResumesWithWhatStillDiffers) {
  auto want = thingino();
  auto old = want;
  for (uint64_t a = 0x200000; a < 0x280000; a += 4096) old[a] ^= 0xFF;  // 128 sectors (8 blocks)
  Case c(want, old);
  struct CancelAfter : Reporter {
    CancelFlag* flag;
    void progress(const Progress& p) override {
      if (p.stage == "writing" && p.done >= uint64_t{3} * 65536) flag->store(true);
    }
  } rep;
  CancelFlag cancel{false};
  rep.flag = &cancel;
  auto o = c.opts();
  try {
    restore(c.sim("W25Q64FV"), o, rep, &cancel);
    FAIL() << "not interrupted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
    EXPECT_NE(std::string(e.what()).find("3 of 8 units written"), std::string::npos) << e.what();
  }
  ASSERT_TRUE(fs::exists(restore_state_path(c.image)));
  auto mid = slurp(c.flash);
  EXPECT_FALSE(mid == want);
  EXPECT_FALSE(mid == old);
  EXPECT_EQ(restore_error(c.sim("W25Q64FV"), o), ErrorKind::Usage);  // not without --resume
  o.resume = true;
  auto r = restore(c.sim("W25Q64FV"), o);
  EXPECT_TRUE(r.sum.resumed);
  EXPECT_EQ(r.chip.block_erases, 5u) << "the resumed run should write only what still differs";
  EXPECT_TRUE(slurp(c.flash) == want);
  EXPECT_TRUE(slurp(c.image.string() + ".before-restore.bin") == old) << "the backup is of the first run";
  EXPECT_FALSE(fs::exists(restore_state_path(c.image)));
}

TEST(RestoreCh341a, FourByteChipsBothW25Q256Kinds) {
  for (const char* chip : {"W25Q256FV", "W25Q256JV-IQ"}) {
    auto want = ch341a::sim_pattern(32u << 20, 9);
    auto old = want;
    for (uint64_t a : {0x10000ull, 0x1800000ull, 0x1FFF000ull}) old[a + 5] ^= 0x33;
    Case c(want, old);
    auto o = c.opts();
    o.no_backup = true;
    o.force = true;                               // a pattern, not a camera image
    o.offset = 0x1800000, o.offset_given = true;  // above 16 MiB only: 4-byte addresses
    auto r = restore(c.sim(chip), o);
    EXPECT_EQ(r.chip.sector_erases, 2u) << chip;
    auto now = slurp(c.flash);
    EXPECT_TRUE(std::equal(now.begin() + 0x1800000, now.end(), want.begin() + 0x1800000)) << chip;
    EXPECT_NE(now[0x10000 + 5], want[0x10000 + 5]) << chip << ": written below --offset";
  }
}

TEST(RestoreCh341a, Refusals) {
  auto want = thingino();
  Case c(want, changed(want));
  auto o = c.opts();
  o.no_backup = true;
  // An image that fails inspect: a damaged squashfs superblock.
  auto bad = want;
  for (uint64_t a = 0x200000; a < 0x200040; ++a) bad[a] ^= 0xFF;
  write_bytes(c.image, bad);
  std::string what;
  EXPECT_EQ(restore_error(c.sim("W25Q64FV"), o, &what), ErrorKind::Corrupt);
  EXPECT_NE(what.find("fails inspect"), std::string::npos) << what;
  EXPECT_TRUE(slurp(c.flash) == c.old);
  // Wrong size: a 16 MiB image for an 8 MiB chip.
  write_bytes(c.image, thingino(16u << 20));
  EXPECT_EQ(restore_error(c.sim("W25Q64FV"), o, &what), ErrorKind::Usage);
  EXPECT_NE(what.find("refusing"), std::string::npos) << what;
  // Wrong chip: the dump was taken from another part (IMAGE.chip says so).
  write_bytes(c.image, want);
  ch341a::write_chip_record(c.image, {"C8 40 17", "GD25Q64C", "bytes", k8M, 0, k8M});
  EXPECT_EQ(restore_error(c.sim("W25Q64FV"), o, &what), ErrorKind::Usage);
  EXPECT_NE(what.find("GD25Q64C"), std::string::npos) << what;
  EXPECT_TRUE(slurp(c.flash) == c.old) << "a refusal wrote something";
  // --force writes it anyway and says why.
  o.force = true;
  auto r = restore(c.sim("W25Q64FV"), o);
  ASSERT_FALSE(r.sum.notes.empty());
  EXPECT_TRUE(slurp(c.flash) == want);
  // Not confirmed: nothing written.
  Case d(want, changed(want));
  auto od = d.opts();
  od.no_backup = true;
  od.confirm = [](const std::string& plan) { return plan.empty(); };
  EXPECT_EQ(restore_error(d.sim("W25Q64FV"), od), ErrorKind::Cancelled);
  EXPECT_TRUE(slurp(d.flash) == d.old);
}

TEST(RestoreCh341a, PartAndDryRun) {
  auto want = thingino();
  Case c(want, changed(want));
  auto o = c.opts();
  o.no_backup = true;
  o.dry_run = true;
  auto r = restore(c.sim("W25Q64FV"), o);
  EXPECT_EQ(r.sum.plan.units.size(), 4u);
  EXPECT_EQ(r.chip.sector_erases + r.chip.block_erases + r.chip.page_programs, 0u);
  EXPECT_TRUE(slurp(c.flash) == c.old);
  o.dry_run = false;
  o.part = "backup";  // only that partition (0x60000, 64 KiB)
  r = restore(c.sim("W25Q64FV"), o);
  EXPECT_EQ(r.sum.begin, 0x60000u);
  EXPECT_EQ(r.chip.block_erases, 1u);
  EXPECT_EQ(r.chip.sector_erases, 0u);
  auto now = slurp(c.flash);
  EXPECT_TRUE(std::equal(now.begin() + 0x60000, now.begin() + 0x70000, want.begin() + 0x60000));
  EXPECT_NE(now[0x100000 + 17], want[0x100000 + 17]) << "outside --part must stay as it was";
}

TEST(RestoreCh341a, DumpRecordsTheChipForALaterRestore) {
  test::TempDir dir;
  auto s = ch341a::Ch341aSession::open({"", "chip=W25Q64FV,seed=3"});
  ch341a::DumpOptions d;
  d.out = dir / "fw.bin";
  d.length = uint64_t{64} * 1024;
  ch341a::dump_ch341a(*s, d, null_reporter(), nullptr);
  auto rec = ch341a::read_chip_record(d.out);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->id, "EF 40 17");
  EXPECT_EQ(rec->name, "W25Q64FV");
  EXPECT_EQ(rec->size, k8M);
  EXPECT_EQ(rec->length, 64u * 1024);
}

// SPI NAND: blocks are the units; a factory-bad block is left alone where the dump kept it.
TEST(RestoreCh341a, NandWithBadBlocksWritesOnlyGoodDifferingBlocks) {
  const uint64_t bb = uint64_t{64} * 2048;  // W25N01GV block: 64 pages of 2 KiB (data-only layout)
  auto want = ch341a::sim_pattern(128u << 20, 12);
  auto old = want;
  for (uint64_t b : {1u, 2u, 3u}) old[b * bb + 100] ^= 0xFF;  // block 3 carries the bad mark
  Case c(want, old);
  auto o = c.opts();
  o.no_backup = true;
  o.force = true;  // a pattern, not a camera image
  o.offset = 0, o.length = 8 * bb;
  auto r = restore(c.sim("W25N01GV", ",bad=3"), o);
  EXPECT_EQ(r.sum.bad_blocks, (std::vector<uint32_t>{3}));
  EXPECT_EQ(r.sum.units_written, 2u);
  EXPECT_EQ(r.chip.block_erases, 2u);
  EXPECT_EQ(r.chip.ignored_writes, 0u) << "a bad block was erased or programmed";
  auto now = slurp(c.flash);
  EXPECT_TRUE(std::equal(now.begin(), now.begin() + 3 * bb, want.begin()));
  EXPECT_EQ(now[3 * bb + 100], old[3 * bb + 100]) << "the bad block was written";
  // Data + spare images need --nand-oob.
  o.nand_oob = true;
  EXPECT_EQ(restore_error(c.sim("W25N01GV", ",bad=3"), o), ErrorKind::Usage);
}
