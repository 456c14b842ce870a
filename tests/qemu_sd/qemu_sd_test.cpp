// SPDX-License-Identifier: MIT
// The SD-card route against Debian's stock qemu_arm U-Boot under QEMU (docs/reference/qemu-test-cameras.md#block-device): a
// virtio disk image stands in for the card (`--device virtio`; qemu_arm has no mmc), the flash
// image sits in RAM at 0x42000000 (-device loader). `camdump dump sd` (the CLI, over exec:) with
// --mapped, and the library with a `cp.b` --load template; then `camdump extract` on the disk
// image must equal the original and match the recorded CRC32. A 4 MiB image keeps it short.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <sys/wait.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "dump/sd_dump.hpp"
#include "image/synth.hpp"
#include "io/open_port.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"

using namespace camdump;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

constexpr uint64_t kImageSize = 4u << 20;

std::vector<uint8_t> image4m() {
  auto img = image::make_thingino_image({.flash_size = 8u << 20, .seed = 11});
  img.resize(kImageSize);
  return img;
}

int run_cli(const std::vector<std::string>& args, const std::filesystem::path& dir, std::string& out) {
  auto r = ct::run_camdump(args, dir, 180s);
  out = r.out;
  return r.status;
}

std::filesystem::path make_disk(const std::filesystem::path& dir) {
  auto disk = dir / "sd.img";
  write_file_atomic(disk, std::vector<uint8_t>(512, 0));
  std::filesystem::resize_file(disk, 16u << 20);
  return disk;
}

void expect_extract_matches(const std::filesystem::path& dir, const std::filesystem::path& disk, uint32_t crc,
                            const std::vector<uint8_t>& img) {
  std::string out;
  ASSERT_EQ(run_cli({"extract", disk.string(), "-o", (dir / "fw.bin").string(), "--size", "4M", "--offset-blocks", "16",
                     "--expect-crc32", fmt::format("0x{:08x}", crc)},
                    dir, out),
            0)
      << out << ct::read_file(dir / "stderr.txt");
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), img);
}

}  // namespace

TEST(QemuSd, CliVirtioMappedDumpExtractsExact) {
  if (!ct::qemu_available()) GTEST_SKIP() << "u-boot-qemu not installed";
  ct::TempDir dir;
  const auto img = image4m();
  write_file_atomic(dir / "img.bin", img);
  const auto disk = make_disk(dir.path());
  ct::QemuConfig cfg{.board = ct::Board::QemuArm, .ram_image = (dir / "img.bin").string(), .sd_image = disk.string()};
  const std::string port = ct::exec_port(ct::qemu_argv(cfg, ct::console_stdio_args(), dir.path()));
  std::string out;
  ASSERT_EQ(run_cli({"-q", "dump", "sd", "--yes", port, "--device", "virtio", "--mapped", "0x42000000", "--flash-size",
                     "4M", "--json"},
                    dir.path(), out),
            0)
      << out << ct::read_file(dir / "stderr.txt");
  auto j = nlohmann::json::parse(out);
  const uint32_t crc = crc32(img);
  EXPECT_EQ(j["crc32"], fmt::format("{:08x}", crc));
  EXPECT_EQ(j["card_device"], "virtio");
  EXPECT_TRUE(j["whole_crc_from_device"]);
  EXPECT_EQ(j["block_count"], kImageSize / 512);
  expect_extract_matches(dir.path(), disk, crc, img);
}

TEST(QemuSd, LibraryVirtioCpLoadTemplateExtractsExact) {
  if (!ct::qemu_available()) GTEST_SKIP() << "u-boot-qemu not installed";
  ct::TempDir dir;
  const auto img = image4m();
  write_file_atomic(dir / "img.bin", img);
  const auto disk = make_disk(dir.path());
  ct::QemuConfig cfg{.board = ct::Board::QemuArm, .ram_image = (dir / "img.bin").string(), .sd_image = disk.string()};
  auto t = io::open_port(ct::exec_port(ct::qemu_argv(cfg, ct::console_stdio_args(), dir.path())));
  uboot::SessionOptions so;
  so.attach_timeout = 30s;
  so.idle_timeout = 5s;
  uboot::UbootSession s(*t, null_reporter(), nullptr, so);
  dump::SdDumpOptions o;
  o.device = dump::SdDevice::Virtio;
  o.staging.load = "cp.b {offset+42000000} {addr} {len}";
  o.flash_size = kImageSize;
  o.chunk = uint64_t{512} * 1024;
  auto r = dump::dump_sd(s, o);
  EXPECT_EQ(r.crc32, crc32(img));
  EXPECT_TRUE(r.whole_crc_from_device);  // cp.b of the whole 4 MiB, one crc32
  EXPECT_EQ(r.device.prompt, "=> ");
  t.reset();  // stop QEMU (the exec: transport owns it) before reading the disk
  expect_extract_matches(dir.path(), disk, r.crc32, img);
}
