// SPDX-License-Identifier: MIT
// The TFTP route on the console-route skeleton: a camera that reboots in the middle of the dump
// (sim option reset-after=N: the power goes after N console bytes) is re-attached, gets its
// network settings again and the dump ends exact; an interrupted dump leaves OUT.part and a
// state file that says which chunks it holds, and `dump tftp --resume` continues from them.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "dump/chunk_plan.hpp"
#include "dump/tftp_dump.hpp"
#include "mini_client.hpp"
#include "sim/sim_camera.hpp"
#include "support/process.hpp"
#include "support/paths.hpp"

using namespace camdump;
using namespace camdump::test;
using namespace std::chrono_literals;

namespace {

const std::string kCamdump = camdump::test::camdump_exe();

uboot::SessionOptions sopt() {
  uboot::SessionOptions o;
  o.attach_timeout = 60s;
  o.idle_timeout = 2s;
  return o;
}

dump::TftpDumpOptions topt(const std::filesystem::path& out) {
  dump::TftpDumpOptions o;
  o.out = out;
  o.server_ip = "127.0.0.1";
  o.listen = "127.0.0.1:" + std::to_string(free_udp_port());
  o.chunk = 128u << 10;
  return o;
}

struct CancelAfter : Reporter {
  CancelFlag* flag;
  uint64_t after;
  CancelAfter(CancelFlag* f, uint64_t a) : flag(f), after(a) {}
  void progress(const Progress& p) override {
    if (p.done >= after) flag->store(true);
  }
};

std::vector<uint8_t> make_flash(const TempDir& dir) {
  auto img = random_bytes(1u << 20, 77);
  write_bytes(dir / "flash.bin", img);
  return img;
}

}  // namespace

TEST(DumpTftpRecovery, ACameraRebootMidDumpIsRecoveredAndExact) {
  TempDir dir("camdump-tftp-reboot");
  const auto img = make_flash(dir);
  const std::string spec = (dir / "flash.bin").string() + ",tftpput=1,state=uboot";
  // How many console bytes a whole dump takes, so that the reboot falls in its middle.
  uint64_t total = 0, boots = 0;
  {
    auto t = sim::open_sim(spec, null_reporter());
    uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
    EXPECT_EQ(dump::dump_tftp(s, topt(dir / "a.bin"), null_reporter(), nullptr).resets, 0u);
    total = t->rx_bytes();
    boots = dynamic_cast<sim::SimTransport&>(*t).camera().stats().boots;
  }
  ASSERT_GT(total, 1000u);
  auto t = sim::open_sim(spec + ",reset-after=" + std::to_string(total * 6 / 10), null_reporter());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  const auto r = dump::dump_tftp(s, topt(dir / "b.bin"), null_reporter(), nullptr);
  EXPECT_GE(r.resets, 1u);
  EXPECT_EQ(dynamic_cast<sim::SimTransport&>(*t).camera().stats().boots, boots + 1);  // it did reboot
  EXPECT_EQ(camdump::test::read_file(dir / "b.bin"), std::string(img.begin(), img.end()));
  EXPECT_FALSE(std::filesystem::exists(state_path_for(dir / "b.bin")));
}

TEST(DumpTftpRecovery, InterruptedDumpLeavesItsStateAndResumeContinuesExactly) {
  TempDir dir("camdump-tftp-resume");
  const auto img = make_flash(dir);
  const std::string spec = (dir / "flash.bin").string() + ",tftpput=1,state=uboot";
  const auto out = dir / "fw.bin";
  {
    auto t = sim::open_sim(spec, null_reporter());
    CancelFlag cancel{false};
    CancelAfter rep(&cancel, uint64_t{3} * (128u << 10));  // like Ctrl-C after the third chunk
    uboot::UbootSession s(*t, rep, &cancel, sopt());
    try {
      dump::dump_tftp(s, topt(out), rep, &cancel);
      FAIL() << "not cancelled";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
      EXPECT_NE(e.hint().find("--resume"), std::string::npos) << e.hint();
    }
  }
  EXPECT_FALSE(std::filesystem::exists(out));
  // The state says which chunks OUT.part holds, and they are the image's.
  const auto raw = camdump::test::read_file(state_path_for(out));
  const auto plan = dump::parse_state(raw, state_path_for(out), 1);
  EXPECT_GE(plan.settled_bytes(), 3 * (128u << 10));
  EXPECT_LT(plan.settled_bytes(), plan.length);
  const auto part = camdump::test::read_file(part_path_for(out));
  for (const auto& c : plan.chunks) {
    if (c.status == dump::ChunkStatus::Verified) {
      EXPECT_EQ(part.substr(c.offset, c.len),
                std::string(img.begin() + long(c.offset), img.begin() + long(c.offset + c.len)));
    }
  }
  // The CLI continues from them.
  const std::vector<std::string> argv{kCamdump,      "dump",      "tftp",
                                      "sim:" + spec, "-o",        out.string(),
                                      "--server-ip", "127.0.0.1", "--camera-ip",
                                      "keep",        "--listen",  "127.0.0.1:" + std::to_string(free_udp_port()),
                                      "--chunk",     "128K",      "--resume"};
  auto p = Process::spawn(argv,
                          {.stdout_file = (dir / "stdout.txt").string(), .stderr_file = (dir / "stderr.txt").string()});
  auto st = p.wait_exit(120s);
  if (!st) p.stop();
  ASSERT_TRUE(st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << camdump::test::read_file(dir / "stderr.txt");
  EXPECT_EQ(camdump::test::read_file(out), std::string(img.begin(), img.end()));
  EXPECT_NE(camdump::test::read_file(dir / "stdout.txt").find("resumed"), std::string::npos)
      << camdump::test::read_file(dir / "stdout.txt");
  EXPECT_FALSE(std::filesystem::exists(state_path_for(out)));
  EXPECT_FALSE(std::filesystem::exists(part_path_for(out)));
}

TEST(DumpTftpRecovery, AGarbageStateFileIsRefusedNamingIt) {
  TempDir dir("camdump-tftp-garbage");
  make_flash(dir);
  const auto out = dir / "fw.bin";
  write_file(part_path_for(out), "x");
  write_file(state_path_for(out), "camdump-uart-state 1\noffset 0x0\n");
  auto t = sim::open_sim((dir / "flash.bin").string() + ",tftpput=1,state=uboot", null_reporter());
  uboot::UbootSession s(*t, null_reporter(), nullptr, sopt());
  auto o = topt(out);
  o.resume = true;
  try {
    dump::dump_tftp(s, o, null_reporter(), nullptr);
    FAIL() << "resumed from garbage";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Corrupt);
    EXPECT_NE(std::string(e.what()).find(state_path_for(out).string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}
