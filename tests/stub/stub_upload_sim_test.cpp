// SPDX-License-Identifier: MIT
// The stub's receive mode (issue 14 item 6) against the virtual camera: the host writes a file
// into RAM through the stub; the RAM must then hold exactly the file, checked by the sim's own
// U-Boot `crc32` at U-Boot's rate afterwards (the console answers) and byte by byte. At 1.5 Mbaud
// and back, with noise on the line both ways, an adapter that cannot go faster, a lost sync (both
// ends fall back), heavy noise at the fast rate (steps down), and refusals.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "core/crc32.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"
#include "uboot/session.hpp"
#include "uboot/stub_upload.hpp"

namespace camdump {
namespace {

struct LogReporter : Reporter {
  std::vector<std::string> lines;
  void log(LogLevel, std::string_view m) override {
    if (std::getenv("STUB_TEST_LOG")) fprintf(stderr, "log: %.*s\n", int(m.size()), m.data());
    lines.emplace_back(m);
  }
};

constexpr uint64_t kBuf = 0x80600000;

std::vector<uint8_t> file_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(g());
  for (size_t i = n / 2; i < n / 2 + n / 8 && i < n; i++) v[i] = 0xff;  // a blank stretch, like flash
  return v;
}

struct Upload {
  uboot::UploadResult res;
  bool ram_exact = false;
  std::optional<uint32_t> uboot_crc;  ///< U-Boot's `crc32` of the RAM afterwards
  uint32_t file_crc = 0;
  uint32_t console_after = 0, host_after = 0;
  bool answers_after = false;
  double virtual_seconds = 0;
  uboot::StubStats stats;
};

Upload upload(const std::string& spec, size_t len,
              const std::vector<uint32_t>& rates = {std::begin(uboot::kFastRates), std::end(uboot::kFastRates)},
              uboot::StubUploadOptions opt = {}, uint64_t addr = kBuf) {
  LogReporter rep;
  sim::SimTransport t(sim::parse_sim_spec("state=uboot," + spec), rep);
  sim::install_sim_stub(t.camera());
  uboot::UbootSession s(t, rep, nullptr);
  s.attach();
  const auto file = file_bytes(len, 7);
  uboot::StubLoader loader(s, *uboot::find_soc("t31"));
  loader.set_rates(rates);
  Upload u;
  u.res = uboot::stub_upload(loader, addr, file, opt);
  u.stats = loader.stats();
  u.file_crc = crc32(file);
  auto ram = t.camera().ram(addr, len);
  u.ram_exact = std::equal(ram.begin(), ram.end(), file.begin(), file.end());
  u.console_after = t.camera().console_baud();
  u.host_after = *t.baud();
  for (int i = 0; i < 3 && !u.uboot_crc; i++) u.uboot_crc = s.crc32(addr, len);
  for (const auto& l : s.run("version")) u.answers_after |= l.find("U-Boot") != std::string::npos;
  u.virtual_seconds = t.camera().virtual_seconds();
  return u;
}

TEST(StubUploadSim, CleanLineAt1500000IsExactAndBackAtUbootsRate) {
  auto u = upload("", 1u << 20);
  ASSERT_TRUE(u.res.ok) << u.res.failure;
  EXPECT_TRUE(u.ram_exact);
  EXPECT_EQ(u.uboot_crc, u.file_crc);
  EXPECT_EQ(u.res.crc, u.file_crc);
  EXPECT_EQ(u.res.bytes, 1u << 20);
  EXPECT_EQ(u.res.rates.size(), 1u);
  EXPECT_EQ(u.res.rates[1500000], 1u << 20);
  EXPECT_EQ(u.res.resent_frames, 0u);
  EXPECT_EQ(u.res.frames, 256u);  // 4 KiB frames
  // Host frames cost 19 characters each; answers 15 back; plus go, sync, end, Q, prompt.
  EXPECT_LT(double(u.res.wire_chars) / (1u << 20), 1.02) << u.res.wire_chars;
  EXPECT_GT(double(u.res.tx_chars) / (1u << 20), 1.0);
  EXPECT_EQ(u.console_after, 115200u);
  EXPECT_EQ(u.host_after, 115200u);
  EXPECT_TRUE(u.answers_after);
}

TEST(StubUploadSim, UnalignedLengthAndKseg1AddressExact) {
  // 100001 bytes (the last frame is short and not a multiple of 4), written through KSEG1.
  auto u = upload("", 100001, {}, {}, 0xa0700000);
  ASSERT_TRUE(u.res.ok) << u.res.failure;
  EXPECT_TRUE(u.ram_exact);
  EXPECT_EQ(u.uboot_crc, u.file_crc);
  EXPECT_EQ(u.res.rates.count(115200), 1u);  // no ladder: U-Boot's rate
}

TEST(StubUploadSim, NoisyLineBothWaysResendsAndIsExact) {
  // 1e-4 per character in both directions: about a third of the 4 KiB frames arrive damaged.
  auto u = upload("noise=1e-4,seed=5", 1u << 20);
  ASSERT_TRUE(u.res.ok) << u.res.failure;
  EXPECT_TRUE(u.ram_exact);
  EXPECT_EQ(u.uboot_crc, u.file_crc);
  EXPECT_GT(u.res.resent_frames, 10u);
  EXPECT_EQ(u.console_after, 115200u);
  EXPECT_TRUE(u.answers_after);
}

TEST(StubUploadSim, VeryNoisyLineShrinksFramesAndIsExact) {
  // 2e-3 per character: a 4 KiB frame almost never arrives whole, 256-byte frames mostly do.
  auto u = upload("noise=2e-3,seed=11", 128u << 10, {});
  ASSERT_TRUE(u.res.ok) << u.res.failure;
  EXPECT_TRUE(u.ram_exact);
  EXPECT_EQ(u.uboot_crc, u.file_crc);
  EXPECT_GT(u.res.runs, 1u);
  bool shrank = false;
  for (const auto& n : u.res.notes) shrank |= n.find("frames of") != std::string::npos;
  EXPECT_TRUE(shrank);
}

TEST(StubUploadSim, AdapterLimitedTo115200StaysThereExact) {
  auto u = upload("adapter-max=115200", 256u << 10);
  ASSERT_TRUE(u.res.ok) << u.res.failure;
  EXPECT_TRUE(u.ram_exact);
  EXPECT_EQ(u.uboot_crc, u.file_crc);
  EXPECT_EQ(u.res.rates.size(), 1u);
  EXPECT_EQ(u.res.rates[115200], 256u << 10);
  bool refused = false;
  for (const auto& n : u.res.notes) refused |= n.find("refused 1500000") != std::string::npos;
  EXPECT_TRUE(refused);
}

TEST(StubUploadSim, LostSyncBothEndsFallBackExact) {
  auto u = upload("noise-fast=0.5,seed=4", 64u << 10);
  ASSERT_TRUE(u.res.ok) << u.res.failure;
  EXPECT_TRUE(u.ram_exact);
  EXPECT_EQ(u.uboot_crc, u.file_crc);
  EXPECT_GT(u.stats.rate_fallbacks, 0u);
  EXPECT_EQ(u.res.rates.count(1500000), 0u);
  EXPECT_EQ(u.res.rates[115200], 64u << 10);
  EXPECT_EQ(u.console_after, 115200u);
  EXPECT_TRUE(u.answers_after);
}

TEST(StubUploadSim, HeavyNoiseAtTheFastRateStepsDownExact) {
  auto u = upload("noise-fast=2e-3,seed=6", 256u << 10);
  ASSERT_TRUE(u.res.ok) << u.res.failure;
  EXPECT_TRUE(u.ram_exact);
  EXPECT_EQ(u.uboot_crc, u.file_crc);
  EXPECT_GT(u.stats.step_downs, 0u);
  EXPECT_EQ(u.console_after, 115200u);
  EXPECT_TRUE(u.answers_after);
}

TEST(StubUploadSim, FastRateCutsTheVirtualWireTime) {
  auto fast = upload("", 512u << 10);
  auto slow = upload("", 512u << 10, {});
  ASSERT_TRUE(fast.res.ok && slow.res.ok);
  EXPECT_LT(fast.virtual_seconds * 4, slow.virtual_seconds);
}

TEST(StubUploadSim, RangeOverTheStubIsRefused) {
  auto u = upload("", 4096, {}, {}, 0xa0400000);  // where the MIPS stub lives
  EXPECT_FALSE(u.res.ok);
  EXPECT_NE(u.res.failure.find("overlaps the stub"), std::string::npos) << u.res.failure;
  EXPECT_TRUE(u.answers_after);
}

}  // namespace
}  // namespace camdump
