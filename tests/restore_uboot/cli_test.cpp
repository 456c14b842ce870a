// SPDX-License-Identifier: MIT
// `camdump restore tftp|uart|sd` and `camdump sdcard` as a user runs them, against the virtual
// camera (sim:OLD,save=FILE keeps what was written): the flash ends equal to IMAGE, the default
// backup is taken and equals the old flash, and every refusal leaves the flash untouched (bad
// image, wrong size, wrong chip, an old backup in the way, no terminal without --yes).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "dump/ch341a_dump.hpp"
#include "dump/sdcard_write.hpp"
#include "image/synth.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kFlash = 8u << 20;

const std::vector<uint8_t>& new_image() {
  static const auto img = image::make_thingino_image({.flash_size = kFlash, .seed = 33});
  return img;
}

std::vector<uint8_t> old_flash() {
  auto f = new_image();
  for (uint64_t a = 0x300000; a < 0x310000; ++a) f[a] ^= 0xa5;
  return f;
}

test::CommandResult cli(const std::vector<std::string>& args, const test::TempDir& dir) {
  return test::run_camdump(args, dir.path());
}

struct Files {
  test::TempDir dir;
  std::string image, old, saved;
  Files() {
    image = (dir / "new.bin").string();
    old = (dir / "old.bin").string();
    saved = (dir / "saved.bin").string();
    write_file_atomic(image, new_image());
    write_file_atomic(old, old_flash());
  }
  std::string port(const std::string& extra = "") const { return "sim:" + old + ",save=" + saved + extra; }
  std::vector<uint8_t> flash_after() const { return read_file(saved); }
};

}  // namespace

TEST(RestoreUbootCli, UartWritesTheImageAndKeepsABackup) {
  Files f;
  auto r = cli({"restore", "uart", f.port(), f.image, "--yes", "--json"}, f.dir);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["units_written"], 1);
  EXPECT_EQ(j["plan_bytes"], 65536);
  EXPECT_EQ(j["route"], "stub");  // --method auto: the T31 sim runs the stub, so the stub carries the unit
  EXPECT_EQ(f.flash_after(), new_image());
  // The backup was dumped by the same console (md) before anything was written, verified.
  EXPECT_EQ(read_file(f.image + ".before-restore.bin"), old_flash());
  EXPECT_FALSE(std::filesystem::exists(f.image + ".restore-state"));
}

TEST(RestoreUbootCli, TftpWritesTheImage) {
  Files f;
  const std::string listen = "127.0.0.1:" + std::to_string(test::free_udp_port());
  auto r = cli({"restore", "tftp", f.port(",dialect=modern,tftpput=1"), f.image, "--server-ip", "127.0.0.1",
                "--camera-ip", "192.168.1.10", "--listen", listen, "--yes"},
               f.dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("now equals"), std::string::npos) << r.out;
  EXPECT_EQ(f.flash_after(), new_image());
  // The backup went by tftpput (the same route).
  EXPECT_EQ(read_file(f.image + ".before-restore.bin"), old_flash());
}

TEST(RestoreUbootCli, SdcardThenRestoreSd) {
  Files f;
  const std::string card = (f.dir / "card.img").string();
  write_file_atomic(card, std::vector<uint8_t>(512, 0));
  auto w = cli({"sdcard", f.image, card, "--yes"}, f.dir);
  ASSERT_EQ(w.status, 0) << w.err;
  const auto c = read_file(card);
  ASSERT_EQ(c.size(), dump::kSdcardImageOffset + kFlash);
  EXPECT_TRUE(std::equal(new_image().begin(), new_image().end(), c.begin() + dump::kSdcardImageOffset));
  auto r = cli({"restore", "sd", f.port(",sd=" + card), f.image, "--yes", "--no-backup"}, f.dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(f.flash_after(), new_image());
}

TEST(RestoreUbootCli, DryRunWritesNothing) {
  Files f;
  auto r = cli({"restore", "uart", f.port(), f.image, "--dry-run"}, f.dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("0x300000-0x30ffff"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dry run: nothing written"), std::string::npos) << r.out;
  EXPECT_EQ(f.flash_after(), old_flash());
}

TEST(RestoreUbootCli, RefusesWithoutATerminalOrYes) {
  Files f;
  auto r = cli({"restore", "uart", f.port(), f.image, "--no-backup"}, f.dir);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("no terminal"), std::string::npos) << r.err;
}

TEST(RestoreUbootCli, RefusesAnImageThatFailsInspect) {
  Files f;
  auto bad = new_image();
  for (uint64_t a = 0x80000; a < 0x80100; ++a) bad[a] ^= 0xff;  // inside the kernel's uImage
  write_file_atomic(f.image, bad);
  auto r = cli({"restore", "uart", f.port(), f.image, "--yes", "--no-backup"}, f.dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("fails inspect"), std::string::npos) << r.err;
  EXPECT_EQ(f.flash_after(), old_flash());
}

TEST(RestoreUbootCli, RefusesTheWrongSize) {
  Files f;
  auto r = cli({"restore", "uart", f.port(",flash=16M"), f.image, "--yes", "--no-backup"}, f.dir);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("refusing to write it"), std::string::npos) << r.err;
}

TEST(RestoreUbootCli, RefusesTheWrongChip) {
  Files f;
  // The dump came from a Winbond part; the sim's thingino U-Boot reports XM25QH64C (20 40 17).
  ch341a::write_chip_record(
      f.image,
      {.id = "EF 40 17", .name = "W25Q64JV", .layout = "bytes", .size = kFlash, .offset = 0, .length = kFlash});
  auto r = cli({"restore", "uart", f.port(), f.image, "--yes", "--no-backup"}, f.dir);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("W25Q64JV"), std::string::npos) << r.err;
  EXPECT_EQ(f.flash_after(), old_flash());
}

TEST(RestoreUbootCli, RefusesWhenAnOldBackupIsInTheWay) {
  Files f;
  write_file_atomic(f.image + ".before-restore.bin", std::vector<uint8_t>(16, 1));
  auto r = cli({"restore", "uart", f.port(), f.image, "--yes"}, f.dir);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("exists already"), std::string::npos) << r.err;
  EXPECT_EQ(f.flash_after(), old_flash());
}

TEST(Sdcard, RefusesWhatIsNotACardOrIsMounted) {
  test::TempDir dir;
  write_file_atomic(dir / "img.bin", std::vector<uint8_t>(4096, 7));
  auto r = cli({"sdcard", (dir / "img.bin").string(), "/dev/null", "--yes"}, dir);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("neither a block device nor a regular file"), std::string::npos) << r.err;
  write_file_atomic(dir / "card.img", std::vector<uint8_t>(512, 0));
  r = cli({"sdcard", (dir / "img.bin").string(), (dir / "card.img").string()}, dir);
  EXPECT_EQ(r.status, 2) << r.err;  // no terminal, no --yes
  // A device counts as mounted when it or one of its partitions is in the mount table.
  write_file_atomic(dir / "mounts", std::string_view("/dev/sdz1 /media/card vfat rw 0 0\nproc /proc proc rw 0 0\n"));
  EXPECT_NE(dump::mounted_as("/dev/sdz", dir / "mounts"), "");
  EXPECT_EQ(dump::mounted_as("/dev/sdy", dir / "mounts"), "");
  EXPECT_EQ(dump::mounted_as("/dev/sdz2x", dir / "mounts"), "");
}
