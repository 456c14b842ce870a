// SPDX-License-Identifier: MIT
// Whole UART dumps against the virtual camera (sim:): clean, noisy, reset mid-dump, a chunk that
// can never verify, cancel + resume, and the fast-baud dialogue in both dialects.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "dump/chunk_plan.hpp"
#include "dump/uart_dump.hpp"
#include "sim/sim_camera.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace std::chrono_literals;

namespace {

struct Sim {
  std::unique_ptr<io::Transport> t;
  sim::SimTransport& st() { return dynamic_cast<sim::SimTransport&>(*t); }
  std::vector<uint8_t> flash() {
    auto f = st().camera().flash();
    return {f.begin(), f.end()};
  }
};

Sim open(const std::string& spec) { return {sim::open_sim(spec, null_reporter())}; }

uboot::SessionOptions sopt() {
  uboot::SessionOptions o;
  o.attach_timeout = 60s;
  o.idle_timeout = 2s;
  return o;
}

dump::UartDumpOptions dopt(const std::filesystem::path& out) {
  dump::UartDumpOptions o;
  o.out = out;
  return o;
}

}  // namespace

TEST(UartSim, CleanIngenicDumpIsExactAndSkipsBlank) {
  test::TempDir dir;
  Sim sim = open("flash=8M");
  uboot::UbootSession s(*sim.t, null_reporter(), nullptr, sopt());
  auto r = dump::dump_uart(s, dopt(dir / "fw.bin"));
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), sim.flash());
  EXPECT_EQ(r.length, 8u << 20);
  EXPECT_GT(r.blank_bytes, 0u);
  EXPECT_EQ(r.width, 4u);
  EXPECT_EQ(r.device.prompt, "isvp_t31# ");
  EXPECT_EQ(std::filesystem::status(dir / "fw.bin").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_FALSE(std::filesystem::exists(state_path_for(dir / "fw.bin")));
  EXPECT_EQ(sim.st().camera().stats().saveenv, 0u);
}

TEST(UartSim, NoisyModernDumpIsExact) {
  test::TempDir dir;
  Sim sim = open("flash=8M,dialect=modern,noise=1e-4,seed=5");
  uboot::UbootSession s(*sim.t, null_reporter(), nullptr, sopt());
  auto r = dump::dump_uart(s, dopt(dir / "fw.bin"));
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), sim.flash());
  EXPECT_GT(r.reread_lines, 0u);  // noise was repaired, not ignored
  EXPECT_GT(sim.st().camera().stats().noise_events, 0u);
}

TEST(UartSim, ResetMidDumpIsSurvived) {
  test::TempDir dir;
  Sim sim = open("flash=8M,noise=1e-5,reset-after=6000000");
  uboot::UbootSession s(*sim.t, null_reporter(), nullptr, sopt());
  auto r = dump::dump_uart(s, dopt(dir / "fw.bin"));
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), sim.flash());
  EXPECT_GE(r.resets, 1u);
  EXPECT_EQ(sim.st().camera().stats().boots, 2u);
}

namespace {

// Passes everything through but always damages the md line at `addr_prefix` (a hex digit made
// 'g'), so the chunk holding it can never verify.
class DamagingTransport : public io::Transport {
 public:
  DamagingTransport(io::Transport& in, std::string prefix) : in_(in), prefix_("\n" + std::move(prefix)) {}
  std::string describe() const override { return "damaging"; }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override {
    if (ready_.empty()) {
      uint8_t tmp[8192];
      size_t n = in_.read(tmp, timeout);
      held_.append(reinterpret_cast<char*>(tmp), n);
      for (size_t p; (p = held_.find(prefix_)) != std::string::npos;) {
        size_t eol = held_.find('\n', p + 1);
        if (eol == std::string::npos) break;
        held_[p + prefix_.size() + 2] = 'g';
        ready_.append(held_, 0, eol);
        held_.erase(0, eol);
      }
      // Hold back a tail that could be the start of the target line; release the rest.
      size_t keep = 0;
      for (size_t k = std::min(held_.size(), prefix_.size()); k > 0; --k)
        if (held_.compare(held_.size() - k, k, prefix_, 0, k) == 0) {
          keep = k;
          break;
        }
      if (held_.find(prefix_) != std::string::npos) keep = held_.size() - held_.find(prefix_);
      ready_.append(held_, 0, held_.size() - keep);
      held_.erase(0, held_.size() - keep);
    }
    size_t n = std::min(buf.size(), ready_.size());
    std::copy_n(ready_.begin(), n, buf.begin());
    ready_.erase(0, n);
    return n;
  }
  void do_write(std::span<const uint8_t> d) override { in_.write(d); }

 private:
  io::Transport& in_;
  std::string prefix_, held_, ready_;
};

struct CancelAfter : Reporter {
  CancelFlag* flag;
  uint64_t after;
  explicit CancelAfter(CancelFlag* f, uint64_t a) : flag(f), after(a) {}
  void progress(const Progress& p) override {
    if (p.done >= after) flag->store(true);
  }
};

}  // namespace

TEST(UartSim, ChunkThatNeverVerifiesStopsWithItsAddress) {
  test::TempDir dir;
  Sim sim = open("flash=8M,mapped=0x90000000");
  DamagingTransport bad(*sim.t, "90000100:");  // flash offset 0x100, in the first chunk
  uboot::UbootSession s(bad, null_reporter(), nullptr, sopt());
  auto o = dopt(dir / "fw.bin");
  o.staging.mapped = 0x90000000;
  o.flash_size = 8u << 20;
  o.retries = 2;
  try {
    dump::dump_uart(s, o);
    FAIL() << "the dump succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::VerifyMismatch);
    EXPECT_NE(std::string(e.what()).find("0x0 "), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "fw.bin"));
}

TEST(UartSim, CancelLeavesStateAndResumeFinishesExactly) {
  test::TempDir dir;
  Sim sim = open("flash=8M,dialect=modern");
  CancelFlag cancel{false};
  CancelAfter rep(&cancel, 3u << 20);
  {
    uboot::UbootSession s(*sim.t, rep, &cancel, sopt());
    try {
      dump::dump_uart(s, dopt(dir / "fw.bin"));
      FAIL() << "not cancelled";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
      EXPECT_NE(e.hint().find("--resume"), std::string::npos);
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "fw.bin"));
  EXPECT_TRUE(std::filesystem::exists(dir / "fw.bin.part"));
  ASSERT_TRUE(std::filesystem::exists(state_path_for(dir / "fw.bin")));
  cancel.store(false);
  uboot::UbootSession s2(*sim.t, null_reporter(), &cancel, sopt());
  auto o = dopt(dir / "fw.bin");
  o.resume = true;
  auto r = dump::dump_uart(s2, o);
  EXPECT_GE(r.resumed_bytes, 3u << 20);
  EXPECT_EQ(camdump::read_file(dir / "fw.bin"), sim.flash());
}

TEST(UartSim, FastBaudSwitchesOnModernAndIsRefusedOnIngenic) {
  test::TempDir dir;
  {
    Sim sim = open("flash=8M,dialect=modern");
    uboot::UbootSession s(*sim.t, null_reporter(), nullptr, sopt());
    auto o = dopt(dir / "a.bin");
    o.fast_baud = 460800;
    auto r = dump::dump_uart(s, o);
    EXPECT_EQ(r.baud, 460800u);
    EXPECT_EQ(sim.st().camera().console_baud(), 115200u);  // restored at the end
    EXPECT_EQ(camdump::read_file(dir / "a.bin"), sim.flash());
  }
  {
    Sim sim = open("flash=8M");
    uboot::UbootSession s(*sim.t, null_reporter(), nullptr, sopt());
    auto o = dopt(dir / "b.bin");
    o.fast_baud = 460800;
    auto r = dump::dump_uart(s, o);
    EXPECT_NE(r.baud_note.find("not supported"), std::string::npos) << r.baud_note;
    EXPECT_EQ(r.baud, 115200u);
    EXPECT_EQ(camdump::read_file(dir / "b.bin"), sim.flash());
    EXPECT_EQ(sim.st().camera().stats().saveenv, 0u);
  }
}
