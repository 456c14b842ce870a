// SPDX-License-Identifier: MIT
// The SD-card route against the virtual camera (sim: with sd=CARD): `camdump dump sd` in both
// console dialects, then `camdump extract` on the card image must give back the flash and match the
// recorded CRC32; a wrong --expect-crc32 is refused. Library-level: a camera reset mid-dump is
// survived, a missing card and a card too small fail with clear errors, the MBR area is untouched.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "dump/sd_dump.hpp"
#include "image/synth.hpp"
#include "sim/sim_camera.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

constexpr uint64_t kFlash = 8u << 20;
constexpr std::ptrdiff_t kBlock = 512;  // bytes in an SD block

ct::CommandResult run_cli(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  return ct::run_camdump(args, dir);
}

// A card image: 32 MiB, blocks 0..15 filled with a pattern that must survive (the MBR area).
std::filesystem::path make_card(const std::filesystem::path& dir, uint64_t size = 32u << 20) {
  auto card = dir / "card.img";
  std::vector<uint8_t> head(16 * kBlock);
  for (size_t i = 0; i < head.size(); ++i) head[i] = static_cast<uint8_t>(i * 7 + 1);
  write_file_atomic(card, head);
  std::filesystem::resize_file(card, size);
  return card;
}

std::vector<uint8_t> card_head(const std::filesystem::path& card) {
  auto all = camdump::read_file(card);
  return {all.begin(), all.begin() + 16 * kBlock};
}

uboot::SessionOptions sopt() {
  uboot::SessionOptions o;
  o.attach_timeout = 60s;
  o.idle_timeout = 2s;
  return o;
}

class SdCli : public ::testing::TestWithParam<std::string> {};

TEST_P(SdCli, DumpThenExtractGivesBackTheFlash) {
  ct::TempDir dir;
  const auto img = image::make_thingino_image({.flash_size = kFlash, .seed = 5});
  write_file_atomic(dir / "img.bin", img);
  const auto card = make_card(dir.path());
  const auto head = card_head(card);
  const std::string port = "sim:" + (dir / "img.bin").string() + ",sd=" + card.string() + ",dialect=" + GetParam();
  auto d = run_cli({"-q", "dump", "sd", "--yes", port, "--json"}, dir.path());
  ASSERT_EQ(d.status, 0) << d.out << d.err;
  auto j = nlohmann::json::parse(d.out);  // only JSON on stdout
  const uint32_t crc = crc32(img);
  EXPECT_EQ(j["crc32"], fmt::format("{:08x}", crc));
  EXPECT_EQ(j["flash_size"], kFlash);
  EXPECT_EQ(j["start_block"], 16u);
  EXPECT_EQ(j["block_count"], kFlash / 512);
  const std::string extract = j["extract_command"];
  EXPECT_NE(extract.find("--size 8M --offset-blocks 16 --expect-crc32 0x" + fmt::format("{:08x}", crc)),
            std::string::npos)
      << extract;
  EXPECT_NE(std::string(j["dd_command"]).find("bs=512 skip=16 count=16384"), std::string::npos);
  EXPECT_EQ(card_head(card), head);  // blocks 0..15 untouched

  auto x = run_cli({"extract", card.string(), "-o", (dir / "fw.bin").string(), "--size", "8M", "--offset-blocks", "16",
                    "--expect-crc32", fmt::format("0x{:08x}", crc)},
                   dir.path());
  ASSERT_EQ(x.status, 0) << x.out;
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), img);

  auto bad = run_cli({"extract", card.string(), "-o", (dir / "bad.bin").string(), "--size", "8M", "--expect-crc32",
                      fmt::format("{:08x}", crc ^ 1)},
                     dir.path());
  EXPECT_EQ(bad.status, 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.bin"));
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.bin.part"));
}

INSTANTIATE_TEST_SUITE_P(Dialects, SdCli, ::testing::Values("ingenic2013", "modern"));

TEST(SdCli, HumanOutputPrintsTheExtractCommand) {
  ct::TempDir dir;
  const auto card = make_card(dir.path());
  auto d =
      run_cli({"-q", "dump", "sd", "--yes", "sim:flash=8M,sd=" + card.string(), "--card", "/dev/sdb", "-o", "cam.bin"},
              dir.path());
  ASSERT_EQ(d.status, 0) << d.err;
  EXPECT_NE(d.out.find("camdump extract /dev/sdb -o cam.bin --size 8M --offset-blocks 16 --expect-crc32 0x"),
            std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("dd if=/dev/sdb of=cam.bin bs=512 skip=16 count=16384"), std::string::npos) << d.out;
}

TEST(SdCli, UsageErrorsExitTwo) {
  ct::TempDir dir;
  EXPECT_EQ(run_cli({"dump", "sd", "--yes", "sim:", "--device", "floppy"}, dir.path()).status, 2);
  EXPECT_EQ(run_cli({"dump", "sd", "--yes", "sim:", "--chunk", "1000"}, dir.path()).status, 2);
}

TEST(SdLib, NoCardFailsWithTheDeviceMessage) {
  auto t = sim::open_sim("flash=8M", null_reporter());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  dump::SdDumpOptions o;
  try {
    dump::dump_sd(s, o);
    FAIL() << "no card must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("Card did not respond"), std::string::npos) << e.what();
  }
}

TEST(SdLib, CardTooSmallFailsAtErase) {
  ct::TempDir dir;
  const auto card = make_card(dir.path(), 2u << 20);
  auto t = sim::open_sim("flash=8M,sd=" + card.string(), null_reporter());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  try {
    dump::dump_sd(s, {});
    FAIL() << "a 2 MiB card cannot take 8 MiB";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("erasing"), std::string::npos) << e.what();
  }
}

TEST(SdLib, ResetMidDumpIsSurvived) {
  ct::TempDir dir;
  const auto card = make_card(dir.path());
  auto t = sim::open_sim("flash=8M,sd=" + card.string() + ",reset-after=6000", null_reporter());
  auto& st = dynamic_cast<sim::SimTransport&>(*t);
  const auto f = st.camera().flash();
  const std::vector<uint8_t> flash(f.begin(), f.end());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  dump::SdDumpOptions o;
  o.chunk = uint64_t{512} * 1024;
  auto r = dump::dump_sd(s, o);
  EXPECT_GE(r.resets, 1u);
  EXPECT_EQ(r.crc32, crc32(flash));
  auto all = camdump::read_file(card);
  EXPECT_EQ(std::vector<uint8_t>(all.begin() + 8192, all.begin() + 8192 + static_cast<long>(flash.size())), flash);
}

TEST(SdLib, MappedFlashChecksTheWholeCrcAndCustomStartBlock) {
  ct::TempDir dir;
  const auto card = make_card(dir.path());
  auto t = sim::open_sim("flash=8M,mapped=0x90000000,dialect=modern,sd=" + card.string(), null_reporter());
  auto& st = dynamic_cast<sim::SimTransport&>(*t);
  const auto f = st.camera().flash();
  const std::vector<uint8_t> flash(f.begin(), f.end());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  dump::SdDumpOptions o;
  o.staging.mapped = 0x90000000;
  o.flash_size = 8u << 20;
  o.start_block = 0x800;
  auto r = dump::dump_sd(s, o);
  EXPECT_TRUE(r.whole_crc_from_device);
  EXPECT_EQ(r.crc32, crc32(flash));
  EXPECT_EQ(r.start_block, 0x800u);
  auto all = camdump::read_file(card);
  EXPECT_EQ(std::vector<uint8_t>(all.begin() + 0x800 * kBlock,
                                 all.begin() + 0x800 * kBlock + static_cast<long>(flash.size())),
            flash);
}

}  // namespace
