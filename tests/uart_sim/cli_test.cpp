// SPDX-License-Identifier: MIT
// `camdump dump uart` and `camdump demo` as a user runs them: exit codes, JSON, the file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "sim/sim_camera.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace std::chrono_literals;

namespace {

test::CommandResult camdump_run(const std::vector<std::string>& args, const test::TempDir& dir) {
  return test::run_camdump(args, dir.path(), 120s);
}

}  // namespace

TEST(UartCli, DumpUartSimJsonMatchesTheCameraFlash) {
  test::TempDir dir;
  auto r = camdump_run({"dump", "uart", "sim:flash=8M,dialect=modern,noise=1e-4", "-o", (dir / "fw.bin").string(),
                        "--method", "md", "--json"},
                       dir);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  auto t = sim::open_sim("flash=8M,dialect=modern", null_reporter());
  auto flash = dynamic_cast<sim::SimTransport&>(*t).camera().flash();
  EXPECT_EQ(j["sha256"], sha256_hex(flash));
  EXPECT_EQ(j["length"], 8u << 20);
  EXPECT_EQ(j["device"]["prompt"], "=> ");
  EXPECT_GT(j["blank_bytes"].get<uint64_t>(), 0u);
  EXPECT_LT(j["wire"]["per_flash_byte"].get<double>(), 2.0);
  EXPECT_EQ(test::read_file(dir / "fw.bin").size(), 8u << 20);
}

TEST(UartCli, UsageErrorsExitTwo) {
  test::TempDir dir;
  EXPECT_EQ(camdump_run({"dump", "uart", "sim:", "-o", (dir / "x").string(), "--width", "q"}, dir).status, 2);
  EXPECT_EQ(camdump_run({"dump", "uart", "sim:", "-o", (dir / "x").string(), "--load", "sf read {bogus}"}, dir).status,
            2);
  EXPECT_EQ(camdump_run({"dump", "uart", "sim:", "-o", (dir / "x").string(), "--chunk", "100"}, dir).status, 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "x"));
}

TEST(UartCli, DemoDumpsTheVirtualCameraAndVerifies) {
  test::TempDir dir;
  auto r = camdump_run({"demo", "--flash-size", "8M"}, dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("demo ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verified: device crc32"), std::string::npos);
}

// Issue 18: `wire_seconds` is the characters' time on the line at the rates used (md at 115200:
// every character read or written costs 10 bit times), `elapsed_seconds` the virtual camera's
// clock, which adds the modelled `sf read`/`crc32` time and the waits.
TEST(UartCli, WireTimeIsTheCharactersAtTheirRateAndElapsedAddsDeviceTime) {
  test::TempDir dir;
  auto r = camdump_run({"dump", "uart", "sim:flash=8M,baud-timing=1", "-o", (dir / "fw.bin").string(), "--method", "md",
                        "--fast-baud", "off", "--json"},
                       dir);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const double chars = double(j["wire"]["rx_bytes"].get<uint64_t>() + j["wire"]["tx_bytes"].get<uint64_t>());
  EXPECT_NEAR(j["wire_seconds"].get<double>(), chars * 10.0 / 115200.0, 1e-6 * chars);
  EXPECT_GT(j["elapsed_seconds"].get<double>(), j["wire_seconds"].get<double>() + 1.0)
      << "8 MiB of sf read at the modelled 3.1 MB/s alone take over two seconds";
}
