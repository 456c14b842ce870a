// SPDX-License-Identifier: MIT
// The commands as users run them (`camdump ... --sim` from the build under test), and the faithfulness
// check: Debian's flashrom, with its libusb calls routed by libcamdump-usbsim.so to the same
// emulator, must identify the chip as camdump does and read the same bytes. camdump itself also
// runs through the shim, so its real libusb transport is exercised against the emulator.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "ch341a/sim_spec.hpp"
#include <sys/wait.h>
#include "core/hash.hpp"
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

}  // namespace

TEST(Ch341aCli, ProbeJsonAndText) {
  test::TempDir dir;
  auto r = run_command({kCamdump, "probe", "ch341a", "--sim", "chip=xm25qh128c", "--json"}, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["id"], "20 40 18");
  EXPECT_EQ(j["part"], "XM25QH128C");
  EXPECT_EQ(j["size"], 16u << 20);
  EXPECT_EQ(j["type"], "SPI NOR");
  r = run_command({kCamdump, "probe", "ch341a", "--sim", "chip=W25N01GV"}, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("EF AA 21"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2048 + 64 OOB"), std::string::npos) << r.out;
}

TEST(Ch341aCli, DumpWritesVerifiedFileAndSummary) {
  test::TempDir dir;
  auto img = ch341a::sim_pattern(8u << 20, 21);
  write_bytes(dir / "img.bin", img);
  std::string sim = "image=" + (dir / "img.bin").string() + ",chip=W25Q64FV";
  auto r =
      run_command({kCamdump, "dump", "ch341a", "-o", (dir / "fw.bin").string(), "--sim", sim, "--json"}, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sha256"], sha256_hex(img));
  EXPECT_EQ(j["bytes"], img.size());
  EXPECT_EQ(slurp(dir / "fw.bin"), img);
  // Text mode: the last line is the result.
  r = run_command({kCamdump, "dump", "ch341a", "-o", (dir / "fw2.bin").string(), "--sim", sim, "--offset", "0x10000",
                   "--length", "64K"},
                  dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("sha256 " + sha256_hex(std::span(img).subspan(0x10000, 0x10000))), std::string::npos) << r.out;
  // Usage errors exit 2; a chip that never reads the same twice exits 1 and leaves no OUT.
  EXPECT_EQ(run_command({kCamdump, "dump", "ch341a", "-o", (dir / "x.bin").string(), "--sim", sim, "--reads", "0"},
                        dir.path())
                .status,
            2);
  EXPECT_EQ(
      run_command({kCamdump, "dump", "ch341a", "-o", (dir / "x.bin").string(), "--sim", "chip=nosuch"}, dir.path())
          .status,
      2);
  r = run_command({kCamdump, "dump", "ch341a", "-o", (dir / "x.bin").string(), "--sim", sim + ",flaky=3e-3", "--chip",
                   "W25Q64FV", "--length", "128K"},
                  dir.path());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("never agreed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "x.bin"));
}

TEST(Ch341aCli, UnpluggedDumpResumes) {
  test::TempDir dir;
  auto img = ch341a::sim_pattern(8u << 20, 22);
  write_bytes(dir / "img.bin", img);
  const std::string sim = "image=" + (dir / "img.bin").string() + ",chip=W25Q64FV";
  const std::string out = (dir / "fw.bin").string();
  auto r = run_command({kCamdump, "dump", "ch341a", "-o", out, "--sim", sim + ",unplug=4000000"}, dir.path());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("run again with --resume"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out + ".part.state"));
  r = run_command({kCamdump, "dump", "ch341a", "-o", out, "--sim", sim, "--resume", "--json"}, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["resumed_bytes"].get<uint64_t>(), 3000000u);
  EXPECT_EQ(j["usb"]["flash_bytes_read"].get<uint64_t>(), 2 * img.size() - j["resumed_bytes"].get<uint64_t>());
  EXPECT_EQ(j["sha256"], sha256_hex(img));
  EXPECT_EQ(slurp(out), img);
  EXPECT_FALSE(fs::exists(out + ".part.state"));
}

TEST(Ch341aCli, NoProgrammerIsExplained) {
  test::TempDir dir;
  // Through the shim with no CAMDUMP_SIM there is no device at all.
  auto r = run_command({"env", "-u", "CAMDUMP_SIM", "LD_PRELOAD=" + kShim, kCamdump, "probe", "ch341a"}, dir.path());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no CH341A programmer (1a86:5512) found"), std::string::npos) << r.err;
}

// Debian's flashrom through the shim reads the same bytes and names the same chip as camdump.
TEST(Ch341aFlashrom, SameBytesAndSameChipAsCamdump) {
  test::TempDir dir;
  auto img = ch341a::sim_pattern(16u << 20, 77);
  write_bytes(dir / "img.bin", img);
  std::string sim = "CAMDUMP_SIM=image=" + (dir / "img.bin").string() + ",chip=W25Q128FV";
  auto fr = run_command({"env", sim, "LD_PRELOAD=" + kShim, test::flashrom_path(), "-V", "-p", "ch341a_spi", "-r",
                         (dir / "flashrom.bin").string()},
                        dir.path());
  ASSERT_EQ(fr.status, 0) << fr.out << fr.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(fr.out, m, std::regex(R"(Found (\w+) flash chip \"([^\"]+)\" \((\d+) kB)"))) << fr.out;
  std::string fr_vendor = m[1], fr_name = m[2];
  uint64_t fr_kb = std::stoull(m[3]);
  std::smatch idm;
  ASSERT_TRUE(std::regex_search(fr.out, idm, std::regex(R"(id1 0x([0-9a-f]{2}), id2 0x([0-9a-f]{4}))"))) << fr.out;

  // camdump, also through the shim (its real libusb transport), probe + dump.
  auto cp = run_command({"env", sim, "LD_PRELOAD=" + kShim, kCamdump, "probe", "ch341a", "--json"}, dir.path());
  ASSERT_EQ(cp.status, 0) << cp.err;
  auto j = nlohmann::json::parse(cp.out);
  EXPECT_EQ(j["vendor"], fr_vendor);
  std::string name = j["part"];
  EXPECT_TRUE(std::regex_match(name, std::regex(fr_name))) << name << " vs flashrom " << fr_name;
  EXPECT_EQ(uint64_t(j["size"]) / 1024, fr_kb);
  std::string id = j["id"];  // "EF 40 18"
  std::string fr_id = idm[1].str() + idm[2].str();
  std::string ours;
  for (char c : id)
    if (c != ' ') ours += char(std::tolower(c));
  EXPECT_EQ(ours, fr_id);

  auto cd = run_command({"env", sim, "LD_PRELOAD=" + kShim, kCamdump, "dump", "ch341a", "-o",
                         (dir / "camdump.bin").string(), "--reads", "1"},
                        dir.path());
  ASSERT_EQ(cd.status, 0) << cd.err;
  auto a = slurp(dir / "flashrom.bin"), b = slurp(dir / "camdump.bin");
  EXPECT_EQ(a.size(), img.size());
  EXPECT_TRUE(a == img) << "flashrom read differs from the image";
  EXPECT_TRUE(b == a) << "camdump and flashrom read different bytes";
}

// 32 MiB: flashrom needs -c (two definitions share EF 40 19); it reads with 4-byte addressing.
TEST(Ch341aFlashrom, FourByteChipReadsTheSame) {
  test::TempDir dir;
  auto img = ch341a::sim_pattern(32u << 20, 78);
  write_bytes(dir / "img.bin", img);
  std::string sim = "CAMDUMP_SIM=image=" + (dir / "img.bin").string() + ",chip=W25Q256FV";
  auto fr = run_command({"env", sim, "LD_PRELOAD=" + kShim, test::flashrom_path(), "-p", "ch341a_spi", "-c",
                         "W25Q256FV", "-r", (dir / "flashrom.bin").string()},
                        dir.path());
  ASSERT_EQ(fr.status, 0) << fr.out << fr.err;
  EXPECT_TRUE(slurp(dir / "flashrom.bin") == img);
}
