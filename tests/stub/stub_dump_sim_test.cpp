// SPDX-License-Identifier: MIT
// The whole UART dump with the binary fast path on the virtual camera: exact with noise (damaged
// frames asked again, chunks verified against U-Boot's crc32), and a stub that never answers makes
// the dump finish with md without losing anything.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "core/crc32.hpp"
#include "dump/stub_reader.hpp"
#include "dump/uart_dump.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"
#include "support/process.hpp"

namespace camdump {
namespace {

struct Result {
  dump::UartDumpResult r;
  std::string summary;
  uint64_t runs = 0;  ///< stub runs (`go`)
  bool exact = false;
};

struct ErrReporter : Reporter {
  void log(LogLevel, std::string_view m) override {
    if (std::getenv("STUB_TEST_LOG")) fprintf(stderr, "log: %.*s\n", int(m.size()), m.data());
  }
};

Result run(const std::string& spec, sim::SimStubMode mode, dump::UartMethod method) {
  test::TempDir dir("camdump-stubdump");
  sim::SimTransport t(sim::parse_sim_spec(spec), null_reporter());
  sim::install_sim_stub(t.camera(), mode);
  static ErrReporter rep;
  uboot::UbootSession s(t, rep, nullptr);
  dump::UartDumpOptions o;
  o.out = dir / "out.bin";
  o.length = 1u << 20;  // the first MiB: boot loader, env, blank, kernel start
  uboot::StubLoaderOptions lo;
  lo.hello_timeout = std::chrono::milliseconds(500);
  auto hook = std::make_shared<dump::UartMethodHook>(s, method, std::nullopt, lo);
  o.fast_read = dump::UartMethodHook::hook(hook);
  Result res;
  res.r = dump::dump_uart(s, o);
  res.summary = hook->summary();
  if (hook->reader()) res.runs = hook->reader()->stats().runs;
  auto f = t.camera().flash();
  std::string want(f.begin(), f.begin() + (1 << 20));
  res.exact = test::read_file(o.out) == want;
  return res;
}

TEST(StubDumpSim, NoisyLineExactAndMostlyThroughTheStub) {
  auto res = run("noise=1e-4,seed=5", sim::SimStubMode::Normal, dump::UartMethod::Auto);
  EXPECT_TRUE(res.exact);
  EXPECT_GT(res.r.read_bytes, 0u);
  EXPECT_GE(res.r.fast_bytes * 10, res.r.read_bytes * 9) << res.summary;  // >= 90 % via the stub
  EXPECT_NE(res.summary.find("binary stub on t31"), std::string::npos) << res.summary;
  // Below half of md.l's 4.2 characters per transferred byte even at 1e-4 errors per character,
  // where a third of the 4 KiB frames arrive damaged and are sent again.
  EXPECT_LT(static_cast<double>(res.r.rx_bytes + res.r.tx_bytes), 2.0 * static_cast<double>(res.r.read_bytes));
}

// Issue 13 item 8 with the stub: at one damaged character per 1000 a 4 KiB frame almost never
// arrives intact; the host shrinks the frames (4096 -> 1024 -> 256) instead of leaving the range
// to md, so the stub itself carries the dump.
TEST(StubDumpSim, VeryNoisyLineShrinksFramesAndTheStubCarriesTheDump) {
  auto res = run("noise=1e-3,seed=3", sim::SimStubMode::Normal, dump::UartMethod::Stub);
  EXPECT_TRUE(res.exact);
  EXPECT_GT(res.r.read_bytes, 0u);
  EXPECT_GE(res.r.fast_bytes * 100, res.r.read_bytes * 95) << res.summary;  // >= 95 % via the stub
  EXPECT_NE(res.summary.find("frames of 256 bytes"), std::string::npos) << res.summary;
  EXPECT_EQ(res.summary.find("then md"), std::string::npos) << res.summary;
  const double wire = static_cast<double>(res.r.rx_bytes + res.r.tx_bytes);
  fprintf(stderr, "1e-3: %.2f wire chars per flash byte, %.2f per transferred byte (%s)\n",
          wire / static_cast<double>(res.r.length), wire / static_cast<double>(res.r.read_bytes), res.summary.c_str());
  // md.l costs 4.2 characters per byte on a clean line; here about 2 (the first chunk pays for the
  // 4 KiB and 1 KiB frames that fail before the 256-byte ones).
  EXPECT_LT(wire, 3.0 * static_cast<double>(res.r.read_bytes));
}

// Issue 18: once the stub carries the dump, many 64 KiB chunks go through one `sf read`, `crc32`
// and `go` (the first MiB: the first chunk alone, then the other 15 at once).
TEST(StubDumpSim, CleanLineTakesManyChunksPerGo) {
  auto res = run("", sim::SimStubMode::Normal, dump::UartMethod::Stub);
  EXPECT_TRUE(res.exact);
  EXPECT_GT(res.r.fast_bytes, 0u);
  EXPECT_EQ(res.r.fast_bytes, res.r.read_bytes) << res.summary;
  EXPECT_EQ(res.runs, 2u) << res.summary;
  EXPECT_EQ(res.summary.find("frames of"), std::string::npos) << res.summary;  // a clean line keeps 4 KiB frames
}

TEST(StubDumpSim, SilentStubFallsBackToMdAndIsExact) {
  auto res = run("", sim::SimStubMode::Silent, dump::UartMethod::Stub);
  EXPECT_TRUE(res.exact);
  EXPECT_EQ(res.r.fast_bytes, 0u);
  EXPECT_GT(res.r.read_bytes, 0u);
  EXPECT_NE(res.summary.find("then md"), std::string::npos) << res.summary;
}

TEST(StubDumpSim, MethodMdNeverRunsTheStub) {
  auto res = run("", sim::SimStubMode::Normal, dump::UartMethod::Md);
  EXPECT_TRUE(res.exact);
  EXPECT_EQ(res.r.fast_bytes, 0u);
  EXPECT_EQ(res.summary, "md (--method md)");
}

}  // namespace
}  // namespace camdump
