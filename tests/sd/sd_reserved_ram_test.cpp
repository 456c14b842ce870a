// SPDX-License-Identifier: MIT
// Issue 13 item 3 on the SD route: the staging buffer and the read-back buffer (buffer + 2 chunks)
// stay below U-Boot's reserved area. On a 64 MiB T31 sim (whose U-Boot hangs when its stack, heap
// or code is written), `--chunk 16M` used to put the read-back at 0x81600000..0x82600000, through
// the stack: now the chunk is made smaller with a warning, the card gets the exact flash and the
// sim's U-Boot still answers. A --buffer or --readback inside the reserved area is refused before
// anything is written.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "dump/sd_dump.hpp"
#include "image/synth.hpp"
#include "sim/sim_camera.hpp"
#include "support/process.hpp"
#include "support/paths.hpp"

using namespace camdump;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

constexpr uint64_t kFlash = 32u << 20;
constexpr uint64_t kCeiling = 0x81e00000;  // 1 MiB below the sim's stack pointer 0x81f6bf48

std::filesystem::path make_card(const std::filesystem::path& dir) {
  auto card = dir / "card.img";
  write_file_atomic(card, std::vector<uint8_t>(512, 0));
  std::filesystem::resize_file(card, 48u << 20);
  return card;
}

std::vector<uint8_t> card_range(const std::filesystem::path& card, uint64_t size) {
  auto all = camdump::read_file(card);
  return {all.begin() + std::ptrdiff_t{16} * 512, all.begin() + std::ptrdiff_t{16} * 512 + static_cast<long>(size)};
}

uboot::SessionOptions sopt() {
  uboot::SessionOptions o;
  o.attach_timeout = 60s;
  o.idle_timeout = 2s;
  return o;
}

}  // namespace

TEST(SdReservedRam, Chunk16MOnA64MiBT31IsSplitAndUbootSurvives) {
  ct::TempDir dir;
  const auto img = image::make_thingino_image({.flash_size = kFlash, .seed = 9});
  write_file_atomic(dir / "img.bin", img);
  const auto card = make_card(dir.path());
  const std::string camdump = camdump::test::camdump_exe();
  auto p =
      ct::Process::spawn({camdump, "dump", "sd", "--yes", "sim:" + (dir / "img.bin").string() + ",sd=" + card.string(),
                          "--chunk", "16M", "--json"},
                         {.stdout_file = (dir / "out.json").string(), .stderr_file = (dir / "err.txt").string()});
  auto st = p.wait_exit(600s);
  ASSERT_TRUE(st && WIFEXITED(*st));
  const std::string err = ct::read_file(dir / "err.txt");
  ASSERT_EQ(WEXITSTATUS(*st), 0) << err;
  auto j = nlohmann::json::parse(ct::read_file(dir / "out.json"));
  const uint64_t chunk = j["chunk"], readback = j["readback"];
  EXPECT_LT(chunk, 16u << 20);
  EXPECT_GE(chunk, 8u << 20);  // not needlessly small: 0x80600000 + 2 x 12 MiB fits
  EXPECT_LE(readback + chunk, kCeiling);
  EXPECT_NE(err.find("does not fit"), std::string::npos) << err;
  EXPECT_NE(err.find("Stack Pointer at: 81f6bf48"), std::string::npos) << err;  // learned from the boot log
  EXPECT_EQ(j["crc32"], fmt::format("{:08x}", crc32(img)));
  EXPECT_EQ(card_range(card, kFlash), img);
}

TEST(SdReservedRam, LibraryRunLeavesTheSimUbootIntact) {
  ct::TempDir dir;
  const auto card = make_card(dir.path());
  auto t = sim::open_sim("flash=32M,state=uboot,sd=" + card.string(), null_reporter());  // no boot log: bdinfo
  auto& cam = dynamic_cast<sim::SimTransport&>(*t).camera();
  const std::vector<uint8_t> flash(cam.flash().begin(), cam.flash().end());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  dump::SdDumpOptions o;
  o.chunk = 16u << 20;
  auto r = dump::dump_sd(s, o);
  EXPECT_LE(r.readback + r.chunk, kCeiling);
  EXPECT_EQ(r.crc32, crc32(flash));
  EXPECT_EQ(cam.stats().uboot_corrupted, 0u);
  EXPECT_FALSE(s.run("version").empty());  // the console still answers
  EXPECT_EQ(card_range(card, kFlash), flash);
}

TEST(SdReservedRam, BufferOrReadbackInsideTheReservedAreaIsRefused) {
  ct::TempDir dir;
  const auto card = make_card(dir.path());
  for (int which = 0; which < 2; ++which) {
    auto t = sim::open_sim("flash=8M,state=uboot,sd=" + card.string(), null_reporter());
    auto& cam = dynamic_cast<sim::SimTransport&>(*t).camera();
    uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
    dump::SdDumpOptions o;
    if (which == 0) o.staging.buffer = 0x82000000;  // Thingino's load address: inside the malloc arena
    else o.readback = 0x81f00000;                   // the stack
    try {
      dump::dump_sd(s, o);
      ADD_FAILURE() << "must be refused (" << which << ")";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage) << e.what();
      EXPECT_NE(std::string(e.what()).find("reserved area"), std::string::npos) << e.what();
    }
    EXPECT_EQ(cam.stats().uboot_corrupted, 0u);
    EXPECT_FALSE(s.run("version").empty());
  }
}
