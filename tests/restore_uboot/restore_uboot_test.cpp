// SPDX-License-Identifier: MIT
// The U-Boot restore (issue 14) against the virtual camera, in process: the sim's flash holds an
// older image (a 64 KiB rootfs block, a kernel sector and a boot sector differ); the restore
// through each route (tftpboot, loady, mmc read) in each console dialect must leave the flash
// equal to IMAGE, erasing and programming only the differing units (sim counters); with line noise
// and a camera reboot in the middle of a write; a skipped erase must fail verification; an
// interrupted restore continues with --resume.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "dump/restore_loader.hpp"
#include "dump/uboot_restore.hpp"
#include "image/synth.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kFlash = 8u << 20;  // the smallest synthetic image; mostly blank

const std::vector<uint8_t>& new_image() {
  static const auto img = image::make_thingino_image({.flash_size = kFlash, .seed = 21});
  return img;
}

// The "old" flash: IMAGE with a 64 KiB block of the rootfs, one kernel sector and one sector of
// the boot region changed (bits both ways, so programming without an erase cannot produce IMAGE).
std::vector<uint8_t> old_flash() {
  auto f = new_image();
  for (uint64_t a = 0x300000; a < 0x310000; ++a) f[a] ^= 0x5a;
  for (uint64_t a = 0x151000; a < 0x152000; ++a) f[a] = static_cast<uint8_t>(a * 7);
  for (uint64_t a = 0x8000; a < 0x8010; ++a) f[a] ^= 0xff;
  return f;
}

struct Rig {
  test::TempDir dir;
  std::filesystem::path image_path, flash_path, card_path;
  std::unique_ptr<io::Transport> t;
  Rig(const std::string& dialect, const std::string& extra, bool card = false) {
    image_path = dir / "new.bin";
    flash_path = dir / "old.bin";
    write_file_atomic(image_path, new_image());
    write_file_atomic(flash_path, old_flash());
    std::string spec = flash_path.string() + ",dialect=" + dialect + extra;
    if (card) {
      card_path = dir / "card.img";
      std::vector<uint8_t> c(8192, 0);  // `camdump sdcard`: the image from block 16
      c.insert(c.end(), new_image().begin(), new_image().end());
      write_file_atomic(card_path, c);
      spec += ",sd=" + card_path.string();
    }
    t = sim::open_sim(spec, null_reporter(), sim::with_sim_stub());
  }
  sim::SimCamera& cam() { return dynamic_cast<sim::SimTransport&>(*t).camera(); }
  std::vector<uint8_t> flash() {
    auto f = cam().flash();
    return {f.begin(), f.end()};
  }
  dump::UbootRestoreOptions opt() {
    dump::UbootRestoreOptions o;
    o.image = image_path;
    o.no_backup = true;
    return o;
  }
};

// CAMDUMP_TEST_VERBOSE=1 shows the engine's log lines and the console transcript.
class DebugReporter : public Reporter {
 public:
  void log(LogLevel, std::string_view m) override {
    if (std::getenv("CAMDUMP_TEST_VERBOSE")) fmt::print(stderr, "log: {}\n", m);
  }
};
DebugReporter& rep() {
  static DebugReporter r;
  return r;
}

uboot::SessionOptions sopt() {
  uboot::SessionOptions o;
  o.attach_timeout = 60s;
  o.idle_timeout = 3s;
  if (std::getenv("CAMDUMP_TEST_VERBOSE") && std::string(std::getenv("CAMDUMP_TEST_VERBOSE")) == "2")
    o.transcript = [](bool tx, std::string_view b) {
      fmt::print(stderr, "{} {:?}\n", tx ? "TX" : "RX", std::string(b));
    };
  return o;
}

std::unique_ptr<dump::RestoreLoader> make_loader(const std::string& route) {
  if (route == "tftp") {
    dump::TftpLoaderOptions t;
    t.server_ip = "127.0.0.1";
    t.camera_ip = "192.168.1.10";
    t.listen = "127.0.0.1:" + std::to_string(test::free_udp_port());
    return std::make_unique<dump::TftpbootLoader>(t, nullptr);
  }
  if (route == "uart") return std::make_unique<dump::YmodemLoader>();
  return std::make_unique<dump::MmcLoader>(0);
}

struct Param {
  std::string dialect, route;
};

class RestoreRoutes : public ::testing::TestWithParam<Param> {};

std::string name(const ::testing::TestParamInfo<Param>& i) { return i.param.dialect + "_" + i.param.route; }

}  // namespace

// Only the differing units are erased and written; the flash ends equal to IMAGE.
TEST_P(RestoreRoutes, WritesOnlyWhatDiffers) {
  const Param& p = GetParam();
  Rig rig(p.dialect, "", p.route == "sd");
  auto loader = make_loader(p.route);
  uboot::UbootSession s(*rig.t, rep(), nullptr, sopt());
  auto r = dump::restore_uboot(s, *loader, rig.opt(), rep(), nullptr);
  EXPECT_EQ(rig.flash(), new_image());
  const uint64_t unit = r.erase_unit;
  // Three places differ: one unit each, the 64 KiB rootfs block as one 64 KiB unit.
  EXPECT_EQ(r.plan.units.size(), 3u);
  EXPECT_EQ(r.plan.bytes, 65536 + 2 * unit);
  EXPECT_EQ(r.units_written, 3u);
  EXPECT_EQ(r.plan.boot_units, 1u);
  EXPECT_TRUE(r.plan.units.back().boot);  // the boot region last
  const auto& st = rig.cam().stats();
  EXPECT_EQ(st.sf_erase_units * rig.cam().options().erase_unit(), r.plan.bytes);
  EXPECT_LE(st.sf_program_bytes, r.plan.bytes);
  EXPECT_EQ(r.loaded_bytes, r.plan.bytes);
  EXPECT_EQ(r.crc32, crc32(new_image()));
}

INSTANTIATE_TEST_SUITE_P(Dialects, RestoreRoutes,
                         ::testing::Values(Param{"thingino", "tftp"}, Param{"thingino", "uart"},
                                           Param{"thingino", "sd"}, Param{"ingenic2013", "tftp"},
                                           Param{"ingenic2013", "uart"}, Param{"ingenic2013", "sd"},
                                           Param{"openipc", "tftp"}, Param{"openipc", "uart"}, Param{"openipc", "sd"},
                                           Param{"modern", "tftp"}, Param{"modern", "uart"}, Param{"modern", "sd"}),
                         name);

// Line noise and a camera reboot in the middle of a unit's erase/write: recovered, exact.
TEST(RestoreUboot, NoiseAndRebootMidWriteUart) {
  Rig rig("thingino", ",noise=2e-4,seed=5,reset-after-flash=40000");
  dump::YmodemLoader loader;
  uboot::UbootSession s(*rig.t, rep(), nullptr, sopt());
  auto r = dump::restore_uboot(s, loader, rig.opt(), rep(), nullptr);
  EXPECT_EQ(rig.flash(), new_image());
  EXPECT_GE(r.resets, 1u);
  EXPECT_GE(rig.cam().stats().boots, 2u);
}

TEST(RestoreUboot, NoiseAndRebootMidWriteTftp) {
  Rig rig("modern", ",noise=2e-4,seed=9,reset-after-flash=6000");
  auto loader = make_loader("tftp");
  uboot::UbootSession s(*rig.t, rep(), nullptr, sopt());
  auto r = dump::restore_uboot(s, *loader, rig.opt(), rep(), nullptr);
  EXPECT_EQ(rig.flash(), new_image());
  EXPECT_GE(r.resets, 1u);
}

// The NOR physics of the sim: programming without an erase ANDs old and new, which the per-unit
// read-back catches; the restore names the unit and stops.
TEST(RestoreUboot, SkippedEraseFailsVerification) {
  Rig rig("thingino", "");
  dump::YmodemLoader loader;
  uboot::UbootSession s(*rig.t, rep(), nullptr, sopt());
  auto o = rig.opt();
  o.erase = false;
  o.tries = 2;
  try {
    dump::restore_uboot(s, loader, o, rep(), nullptr);
    FAIL() << "a restore without erase verified";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::VerifyMismatch) << e.what();
    EXPECT_NE(std::string(e.what()).find("did not verify"), std::string::npos) << e.what();
  }
  EXPECT_NE(rig.flash(), new_image());
  EXPECT_TRUE(std::filesystem::exists(dump::restore_state_path(rig.image_path)));
}

namespace {
// Cancels once `after` units have been written.
class CancelAfter : public Reporter {
 public:
  CancelAfter(CancelFlag& f, uint64_t after) : f_(f), after_(after) {}
  void progress(const Progress& p) override {
    if (p.stage == "writing" && p.done > 0 && ++seen_ >= after_) f_ = true;
  }

 private:
  CancelFlag& f_;
  uint64_t after_, seen_ = 0;
};
}  // namespace

TEST(RestoreUboot, ResumeAfterInterruption) {
  Rig rig("modern", "");
  dump::YmodemLoader loader;
  CancelFlag cancel{false};
  CancelAfter stopper(cancel, 1);
  {
    uboot::UbootSession s(*rig.t, stopper, &cancel, sopt());
    EXPECT_THROW(dump::restore_uboot(s, loader, rig.opt(), stopper, &cancel), Error);
  }
  EXPECT_TRUE(std::filesystem::exists(dump::restore_state_path(rig.image_path)));
  EXPECT_NE(rig.flash(), new_image());
  cancel = false;
  uboot::UbootSession s(*rig.t, rep(), nullptr, sopt());
  // Without --resume the state file is not ignored.
  try {
    dump::restore_uboot(s, loader, rig.opt(), rep(), nullptr);
    FAIL() << "a second run ignored the interrupted one";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
  auto o = rig.opt();
  o.resume = true;
  auto r = dump::restore_uboot(s, loader, o, rep(), nullptr);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.plan.units.size(), 2u);  // re-planned from the flash: one unit was already written
  EXPECT_EQ(rig.flash(), new_image());
  EXPECT_FALSE(std::filesystem::exists(dump::restore_state_path(rig.image_path)));
}

// --backup FILE must be this flash as it is now (device crc32 per 64 KiB).
TEST(RestoreUboot, BackupThatIsNotThisFlashIsRefused) {
  Rig rig("thingino", "");
  write_file_atomic(rig.dir / "stale.bin", new_image());  // not what the flash holds
  dump::YmodemLoader loader;
  uboot::UbootSession s(*rig.t, rep(), nullptr, sopt());
  auto o = rig.opt();
  o.no_backup = false;
  o.backup = rig.dir / "stale.bin";
  try {
    dump::restore_uboot(s, loader, o, rep(), nullptr);
    FAIL() << "a wrong backup was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::VerifyMismatch) << e.what();
  }
  EXPECT_EQ(rig.cam().stats().sf_erase_units, 0u);
  write_file_atomic(rig.dir / "right.bin", old_flash());
  o.backup = rig.dir / "right.bin";
  auto r = dump::restore_uboot(s, loader, o, rep(), nullptr);
  EXPECT_EQ(r.backup, rig.dir / "right.bin");
  EXPECT_EQ(rig.flash(), new_image());
}

// The image must match the flash in size.
TEST(RestoreUboot, WrongSizeIsRefused) {
  Rig rig("thingino", ",flash=16M");
  dump::YmodemLoader loader;
  uboot::UbootSession s(*rig.t, rep(), nullptr, sopt());
  try {
    dump::restore_uboot(s, loader, rig.opt(), rep(), nullptr);
    FAIL() << "an 8 MiB image was written to a 16 MiB flash";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("refusing"), std::string::npos) << e.what();
  }
  EXPECT_EQ(rig.cam().stats().sf_erase_units, 0u);
}

// restore uart --method stub: the binary stub's receive mode carries the units (the sim runs it).
TEST(RestoreUboot, UartStubCarriesTheUnits) {
  for (const std::string extra : {"", ",noise=1e-4,seed=3,reset-after-flash=40000"}) {
    Rig rig("thingino", extra);
    dump::StubRestoreLoader loader(true, std::nullopt);
    uboot::UbootSession s(*rig.t, rep(), nullptr, sopt());
    auto r = dump::restore_uboot(s, loader, rig.opt(), rep(), nullptr);
    EXPECT_EQ(rig.flash(), new_image()) << extra;
    EXPECT_EQ(r.loader, "stub");
    EXPECT_GT(loader.stub_bytes, 0u) << loader.reason;
    if (!loader.fallbacks) {
      EXPECT_EQ(loader.stub_bytes, r.loaded_bytes);
    }
  }
}
