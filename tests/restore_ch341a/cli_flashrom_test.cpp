// SPDX-License-Identifier: MIT
// `camdump restore ch341a` as users run it, and the other programs as witnesses: what camdump
// wrote (save=FILE) is read back by Debian's flashrom through the usbsim shim, and what flashrom
// writes through the shim is read back by `camdump dump ch341a`. Also the refusal without a
// terminal and without --yes, and an unplug mid-write continued with --resume.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "image/synth.hpp"
#include "support/process.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"

using namespace camdump;
namespace fs = std::filesystem;

namespace {

using test::slurp;
using test::write_bytes;

using test::run_command;

const std::string kCamdump = camdump::test::camdump_exe();
const std::string kShim = camdump::test::binary_dir() + "/libcamdump-usbsim.so";
// EF 40 17 matches two flashrom 1.3 definitions; -c picks the one the emulated W25Q64FV is.
const std::string kFlashromChip = "W25Q64BV/W25Q64CV/W25Q64FV";

std::vector<uint8_t> thingino(uint32_t seed) {
  image::SynthOptions o;
  o.flash_size = 8u << 20;
  o.seed = seed;
  return image::make_thingino_image(o);
}

}  // namespace

TEST(RestoreCh341aCli, RestoredFlashReadBackByFlashromEqualsTheImage) {
  test::TempDir dir;
  auto want = thingino(1), other = thingino(2);  // the chip holds another camera's firmware
  write_bytes(dir / "fw.bin", want);
  write_bytes(dir / "flash.bin", other);
  const std::string sim =
      "image=" + (dir / "flash.bin").string() + ",chip=W25Q64FV,save=" + (dir / "flash.bin").string();
  auto r = run_command({kCamdump, "restore", "ch341a", (dir / "fw.bin").string(), "--sim", sim, "--yes", "--json"},
                       dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["units_written"].get<uint64_t>(), 0u);
  EXPECT_TRUE(slurp(dir / "fw.bin.before-restore.bin") == other);
  // flashrom, through the shim, reads the chip camdump wrote.
  auto fr = run_command(
      {"env", "CAMDUMP_SIM=image=" + (dir / "flash.bin").string() + ",chip=W25Q64FV", "LD_PRELOAD=" + kShim,
       test::flashrom_path(), "-p", "ch341a_spi", "-c", kFlashromChip, "-r", (dir / "flashrom.bin").string()},
      dir.path());
  ASSERT_EQ(fr.status, 0) << fr.out << fr.err;
  EXPECT_TRUE(slurp(dir / "flashrom.bin") == want) << "flashrom reads something else than IMAGE";
}

TEST(RestoreCh341aCli, FlashromWritesCamdumpReadsBack) {
  test::TempDir dir;
  auto want = thingino(3);
  write_bytes(dir / "fw.bin", want);
  write_bytes(dir / "flash.bin", thingino(4));
  auto fr = run_command(
      {"env",
       "CAMDUMP_SIM=image=" + (dir / "flash.bin").string() + ",chip=W25Q64FV,save=" + (dir / "flash.bin").string(),
       "CAMDUMP_SIM_STATS=" + (dir / "stats.json").string(), "LD_PRELOAD=" + kShim, test::flashrom_path(), "-p",
       "ch341a_spi", "-c", kFlashromChip, "-w", (dir / "fw.bin").string()},
      dir.path());
  ASSERT_EQ(fr.status, 0) << fr.out << fr.err;
  auto stats = nlohmann::json::parse(test::read_file(dir / "stats.json"));
  EXPECT_GT(stats["page_programs"].get<uint64_t>(), 0u);
  auto r = run_command({kCamdump, "dump", "ch341a", "-o", (dir / "back.bin").string(), "--sim",
                        "image=" + (dir / "flash.bin").string() + ",chip=W25Q64FV"},
                       dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(slurp(dir / "back.bin") == want);
}

TEST(RestoreCh341aCli, AsksOrRefusesWithoutATerminal) {
  test::TempDir dir;
  auto want = thingino(1);
  write_bytes(dir / "fw.bin", want);
  write_bytes(dir / "flash.bin", thingino(2));
  const std::string sim =
      "image=" + (dir / "flash.bin").string() + ",chip=W25Q64FV,save=" + (dir / "flash.bin").string();
  auto r = run_command({kCamdump, "restore", "ch341a", (dir / "fw.bin").string(), "--sim", sim}, dir.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no terminal"), std::string::npos) << r.err;
  EXPECT_TRUE(slurp(dir / "flash.bin") == thingino(2));
  EXPECT_FALSE(fs::exists(dir / "fw.bin.before-restore.bin"));
  // --dry-run needs no terminal and writes nothing.
  r = run_command({kCamdump, "restore", "ch341a", (dir / "fw.bin").string(), "--sim", sim, "--dry-run"}, dir.path());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("dry run: nothing written"), std::string::npos) << r.out;
  EXPECT_TRUE(slurp(dir / "flash.bin") == thingino(2));
}

TEST(RestoreCh341aCli, UnplugMidWriteThenResume) {
  test::TempDir dir;
  auto want = thingino(5), old = thingino(6);
  write_bytes(dir / "fw.bin", want);
  write_bytes(dir / "flash.bin", old);
  const std::string sim =
      "image=" + (dir / "flash.bin").string() + ",chip=W25Q64FV,save=" + (dir / "flash.bin").string();
  // --no-backup: the plan read is 8 MiB of SPI bytes, then the writes begin.
  auto r = run_command({kCamdump, "restore", "ch341a", (dir / "fw.bin").string(), "--sim", sim + ",unplug=9500000",
                        "--yes", "--no-backup"},
                       dir.path());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("restore-state"), std::string::npos) << r.err;
  ASSERT_TRUE(fs::exists(dir / "fw.bin.restore-state"));
  EXPECT_FALSE(slurp(dir / "flash.bin") == want);
  r = run_command(
      {kCamdump, "restore", "ch341a", (dir / "fw.bin").string(), "--sim", sim, "--yes", "--no-backup", "--resume"},
      dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(slurp(dir / "flash.bin") == want);
  EXPECT_FALSE(fs::exists(dir / "fw.bin.restore-state"));
}
