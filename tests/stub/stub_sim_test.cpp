// SPDX-License-Identifier: MIT
// The host side of the binary fast path against the virtual camera's stub (sim/sim_stub.hpp):
// upload with mw.l + crc32 check, frames exact, noise -> damaged frames asked again, a stub that
// never answers -> nullopt with the console usable, the method choice; each camera runs the stub
// installed on it only.
#include <gtest/gtest.h>

#include <thread>

#include "core/crc32.hpp"
#include "core/error.hpp"
#include "dump/stub_reader.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"
#include "uboot/session.hpp"
#include "uboot/stub_loader.hpp"

namespace camdump {
namespace {

struct SimRig {
  explicit SimRig(const std::string& spec)
      : t(sim::parse_sim_spec(spec), null_reporter()), s(t, null_reporter(), nullptr) {
    s.attach();
  }
  sim::SimTransport t;
  uboot::UbootSession s;
};

constexpr uint64_t kBuf = 0x80600000;

std::vector<uint8_t> flash_part(sim::SimTransport& t, uint64_t off, uint64_t len) {
  auto f = t.camera().flash();
  return {f.begin() + static_cast<std::ptrdiff_t>(off), f.begin() + static_cast<std::ptrdiff_t>(off + len)};
}

TEST(StubSim, UploadsOnceAndStreamsExactChunks) {
  SimRig r("state=uboot");
  sim::install_sim_stub(r.t.camera());
  r.s.run("sf probe 0");
  auto soc = uboot::find_soc("t31");
  uboot::StubLoader l(r.s, *soc);
  r.s.run("sf read 80600000 0 40000");
  auto got = l.read(kBuf, 0x40000);
  ASSERT_TRUE(got) << l.last_failure();
  EXPECT_EQ(*got, flash_part(r.t, 0, 0x40000));
  EXPECT_GT(l.stats().upload_words, 100u);
  r.s.run("sf read 80600000 40000 40000");
  got = l.read(kBuf, 0x40000);
  ASSERT_TRUE(got) << l.last_failure();
  EXPECT_EQ(*got, flash_part(r.t, 0x40000, 0x40000));
  EXPECT_EQ(l.stats().runs, 2u);
  // The console is usable afterwards.
  EXPECT_EQ(r.s.crc32(kBuf, 0x40000), crc32(*got));
}

TEST(StubSim, NoisyLineGetsDamagedFramesAgain) {
  SimRig r("state=uboot,noise=2e-5,seed=3");
  sim::install_sim_stub(r.t.camera());
  r.s.run("sf probe 0");
  uboot::StubLoader l(r.s, *uboot::find_soc("t31"));
  r.s.run("sf read 80600000 0 100000");  // boot loader, env, kernel start: mostly data
  std::optional<std::vector<uint8_t>> got;
  for (int i = 0; i < 3 && !got; i++) got = l.read(kBuf, 0x100000);
  ASSERT_TRUE(got) << l.last_failure();
  EXPECT_EQ(*got, flash_part(r.t, 0, 0x100000));
  EXPECT_GT(l.stats().resent_frames, 0u);
  EXPECT_GT(r.t.camera().stats().noise_events, 0u);
}

TEST(StubSim, SilentStubGivesNulloptAndTheConsoleStaysUsable) {
  SimRig r("state=uboot");
  sim::install_sim_stub(r.t.camera(), sim::SimStubMode::Silent);
  r.s.run("sf probe 0");
  uboot::StubLoaderOptions o;
  o.hello_timeout = std::chrono::milliseconds(500);
  uboot::StubLoader l(r.s, *uboot::find_soc("t31"), o);
  r.s.run("sf read 80600000 0 10000");
  EXPECT_FALSE(l.read(kBuf, 0x10000));
  EXPECT_NE(l.last_failure().find("did not answer"), std::string::npos) << l.last_failure();
  EXPECT_TRUE(r.s.crc32(kBuf, 0x10000).has_value());
}

TEST(StubSim, ReaderFallsBackForGoodAfterAFailure) {
  SimRig r("state=uboot");
  sim::install_sim_stub(r.t.camera(), sim::SimStubMode::Silent);
  r.s.run("sf probe 0");
  uboot::StubLoaderOptions o;
  o.hello_timeout = std::chrono::milliseconds(300);
  auto reader = std::make_shared<dump::StubChunkReader>(r.s, *uboot::find_soc("t31"), o);
  auto hook = dump::StubChunkReader::hook(reader);
  r.s.run("sf read 80600000 0 10000");
  EXPECT_FALSE(hook(kBuf, 0x10000));
  EXPECT_TRUE(reader->disabled());
  sim::install_sim_stub(r.t.camera());  // even a working stub is not tried again in this dump
  EXPECT_FALSE(hook(kBuf, 0x10000));
}

TEST(StubSim, TwoCamerasInOneProcessEachRunTheirOwnStub) {
  // The stub belongs to the camera it was installed on: a silent one on one camera and a working
  // one on another, both running at the same time, each behave as installed.
  std::optional<std::vector<uint8_t>> silent_got, normal_got;
  std::string silent_failure;
  std::vector<uint8_t> want;
  std::thread silent([&] {
    SimRig r("state=uboot");
    sim::install_sim_stub(r.t.camera(), sim::SimStubMode::Silent);
    r.s.run("sf probe 0");
    uboot::StubLoaderOptions o;
    o.hello_timeout = std::chrono::milliseconds(500);
    uboot::StubLoader l(r.s, *uboot::find_soc("t31"), o);
    r.s.run("sf read 80600000 0 10000");
    silent_got = l.read(kBuf, 0x10000);
    silent_failure = l.last_failure();
  });
  std::thread normal([&] {
    SimRig r("state=uboot");
    sim::install_sim_stub(r.t.camera());
    r.s.run("sf probe 0");
    uboot::StubLoader l(r.s, *uboot::find_soc("t31"));
    r.s.run("sf read 80600000 0 10000");
    normal_got = l.read(kBuf, 0x10000);
    want = flash_part(r.t, 0, 0x10000);
  });
  silent.join();
  normal.join();
  EXPECT_FALSE(silent_got);
  EXPECT_NE(silent_failure.find("did not answer"), std::string::npos) << silent_failure;
  ASSERT_TRUE(normal_got);
  EXPECT_EQ(*normal_got, want);
}

TEST(StubSim, CameraWithoutTheStubCrashesAtGo) {
  SimRig with("state=uboot"), without("state=uboot");
  sim::install_sim_stub(with.t.camera());
  for (SimRig* r : {&with, &without}) r->s.run("sf probe 0");
  uboot::StubLoaderOptions o;
  o.hello_timeout = std::chrono::milliseconds(500);
  uboot::StubLoader l(without.s, *uboot::find_soc("t31"), o);
  without.s.run("sf read 80600000 0 10000");
  try {
    EXPECT_FALSE(l.read(kBuf, 0x10000));
  } catch (const Error&) {  // the host sees the reboot ("the camera rebooted while the stub was streaming")
  }
  EXPECT_GE(without.t.camera().stats().boots, 1u);  // jumped into code nobody runs: rebooted
  EXPECT_EQ(with.t.camera().stats().boots, 0u);
}

TEST(StubSim, MethodChoice) {
  SimRig r("state=uboot");
  auto c = dump::choose_uart_method(r.s, dump::UartMethod::Auto, std::nullopt);
  EXPECT_TRUE(c.stub) << c.reason;
  ASSERT_TRUE(c.soc);
  EXPECT_EQ(std::string(c.soc->name), "t31");
  EXPECT_FALSE(c.reason.empty());
  c = dump::choose_uart_method(r.s, dump::UartMethod::Md, std::nullopt);
  EXPECT_FALSE(c.stub);
  EXPECT_THROW(dump::choose_uart_method(r.s, dump::UartMethod::Auto, std::string("z80")), Error);
  SimRig m("state=uboot,dialect=modern,prompt=OpenIPC_#_");
  c = dump::choose_uart_method(m.s, dump::UartMethod::Auto, std::nullopt);
  EXPECT_FALSE(c.stub);
  EXPECT_NE(c.reason.find("md"), std::string::npos);
  EXPECT_THROW(dump::choose_uart_method(m.s, dump::UartMethod::Stub, std::nullopt), Error);
  c = dump::choose_uart_method(m.s, dump::UartMethod::Auto, std::string("t31"));
  EXPECT_TRUE(c.stub) << c.reason;
}

}  // namespace
}  // namespace camdump
