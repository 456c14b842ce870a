// SPDX-License-Identifier: MIT
// Console behaviour of the virtual camera: autoboot stop keys, md repeat on an empty line,
// type-ahead swallowed by md, Ctrl-C, the baud dialogue, resets, noise, stalls, Linux state and
// power cycles, `go` handlers, and a full 16 MiB md.l through the transport.
#include "core/error.hpp"
#include "sim_test_util.hpp"
#include "uboot/md_format.hpp"

using namespace camdump;
using camdump::sim::testing::Cam;

TEST(SimAutoboot, IngenicStopsOnlyOnCtrlC) {
  Cam c("sim:bootdelay=2");
  std::string log = c.until("######\r\n");
  EXPECT_NE(log.find("KEY:   ###### Press Ctrl-C now to interrupt boot... loading in 2s ######\r\n"),
            std::string::npos);
  c.t->write(" x\r");  // not the stop key
  std::string rest = c.until("login: ");
  EXPECT_NE(rest.find("Starting kernel ..."), std::string::npos) << rest;
  EXPECT_EQ(rest.find("isvp_t31# "), std::string::npos);

  Cam k("sim:bootdelay=2");
  k.until("######\r\n");
  k.t->write("\x03");
  EXPECT_EQ(k.until("isvp_t31# "), "isvp_t31# ");

  Cam a("sim:bootdelay=2,stop=any");
  a.until("autoboot:  2 ");
  a.t->write("x");
  EXPECT_EQ(a.until("isvp_t31# "), "\b\b\b 0 \r\nisvp_t31# ");  // stop=any: the "Hit any key" countdown
}

TEST(SimAutoboot, ModernAnyKeyWithBackspaces) {
  Cam c("sim:dialect=modern,bootdelay=2");
  std::string log = c.until("autoboot:  2 ");
  ASSERT_NE(log.find("Hit any key to stop autoboot:  2 "), std::string::npos);
  c.t->write("q");
  EXPECT_EQ(c.until("=> "), "\b\b\b 0 \r\n=> ");  // docs/reference/qemu-test-cameras.md#boot: interrupted form

  Cam run("sim:dialect=modern,bootdelay=2");
  std::string all = run.until("login: ");
  EXPECT_NE(all.find("Hit any key to stop autoboot:  2 \b\b\b 1 \b\b\b 0 \r\n"), std::string::npos) << all;
  EXPECT_GE(run.cam().virtual_seconds(), 2.0);

  Cam keyed("sim:dialect=modern,stop=ctrlc,bootdelay=1");
  keyed.until("seconds\r\n");
  keyed.t->write("y");
  EXPECT_NE(keyed.until("login: ").find("Starting kernel"), std::string::npos);
}

TEST(SimMd, EmptyLineRepeatsFromTheNextAddress) {
  Cam c("sim:state=uboot,dialect=modern");
  c.cmd("mw.l 0x80000000 0x11111111 4; mw.l 0x80000010 0x22222222 4");
  EXPECT_EQ(c.cmd("md.l 0x80000000 4"), "80000000: 11111111 11111111 11111111 11111111  ................\r\n");
  c.t->write("\r");
  EXPECT_EQ(c.until("=> "),
            "\r\n80000010: 22222222 22222222 22222222 22222222  \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\r\n=> ");
  // CR LF: the LF is an empty line, but md's ctrlc() eats it as type-ahead, as on a real board.
  c.t->write("md.l 0x80000000 4\r\n");
  EXPECT_EQ(c.until("=> "),
            "md.l 0x80000000 4\r\n80000000: 11111111 11111111 11111111 11111111  ................\r\n=> ");
  EXPECT_EQ(c.cam().stats().swallowed, 1u);
  // After a command that prints no md, the LF does repeat it.
  c.t->write("echo x\r\n");
  EXPECT_EQ(c.until("=> \r\nx\r\n=> "), "echo x\r\nx\r\n=> \r\nx\r\n=> ");
  // A non-repeatable command clears the repeat.
  c.cmd("setenv x 1");
  c.t->write("\r");
  EXPECT_EQ(c.until("=> "), "\r\n=> ");
}

TEST(SimMd, TypeAheadIsSwallowedAndCtrlCStopsAtTheNextLine) {
  Cam c("sim:state=uboot");
  c.t->write("md.b 0x80000000 0x1000\r");
  uint8_t buf[200];
  size_t n = c.t->read(buf, std::chrono::milliseconds(100));  // first bytes of md output
  ASSERT_GT(n, 0u);
  c.t->write("abc");  // typed while md prints: eaten by ctrlc(), one per line
  std::string got = c.until("isvp_t31# ");
  EXPECT_EQ(c.cam().stats().swallowed, 3u);
  EXPECT_EQ(got.find("abc"), std::string::npos);
  EXPECT_EQ(c.cam().stats().md_lines, 0x100u);

  c.t->write("md.b 0x80000000 0x100000\r");
  c.t->read(buf, std::chrono::milliseconds(100));
  c.t->write("\x03");
  got = c.until("isvp_t31# ");
  EXPECT_LT(c.cam().stats().md_lines, 0x100u + 64);  // stopped after a line or two, not 65536
  EXPECT_EQ(got.substr(got.size() - 12), "\r\nisvp_t31# ");
  // An interrupted md is forgotten: the empty line does nothing.
  c.t->write("\r");
  EXPECT_EQ(c.until("isvp_t31# "), "\r\nisvp_t31# ");
}

TEST(SimBaud, ModernSwitchesAndWaitsForEnterAtTheNewRate) {
  Cam c("sim:state=uboot,dialect=modern");
  c.t->write("setenv baudrate 921600\r");
  EXPECT_EQ(c.until("...\r\n"), "setenv baudrate 921600\r\n## Switch baudrate to 921600 bps and press ENTER ...\r\n");
  c.t->write("\r");  // still at 115200: garbage to the camera, ignored
  EXPECT_EQ(c.drain(3), "");
  ASSERT_TRUE(c.t->set_baud(921600));
  c.t->write("\r");
  EXPECT_EQ(c.until("=> "), "=> ");
  EXPECT_EQ(c.cmd("printenv baudrate"), "baudrate=921600\r\n");
  EXPECT_EQ(c.cam().console_baud(), 921600u);
}

TEST(SimBaud, IngenicRefusesFastRatesAndKeepsItsDivisor) {
  Cam c("sim:state=uboot");
  EXPECT_EQ(c.cmd("setenv baudrate 230400"),
            "## Baudrate 230400 bps not supported\r\n## Error inserting \"baudrate\" variable, errno=22\r\n");
  c.t->write("setenv baudrate 57600\r");
  c.until("ENTER ...\r\n");
  c.t->set_baud(57600);  // jz_serial_setbrg ignores gd->baudrate: the UART stays at 115200
  c.t->write("\r");
  EXPECT_EQ(c.drain(3), "");
  c.t->set_baud(115200);
  c.t->write("\r");
  EXPECT_EQ(c.until("isvp_t31# "), "isvp_t31# ");
  EXPECT_EQ(c.cmd("printenv baudrate"), "baudrate=57600\r\n");
}

TEST(SimBaud, WrongHostRateReadsGarbage) {
  Cam c("sim:");
  c.t->set_baud(57600);
  std::string got = c.drain(5);
  ASSERT_GT(got.size(), 500u);
  EXPECT_EQ(got.find("U-Boot"), std::string::npos);
}

TEST(SimFaults, ResetAfterRebootsLosingRamAndUnsavedEnv) {
  Cam c("sim:state=uboot,reset-after=3000");
  c.cmd("mw.l 0x80600000 0xcafef00d 0x400; setenv foo bar");
  c.t->write("md.l 0x80600000 0x400\r");
  std::string got = c.until("######\r\n");
  EXPECT_NE(got.find("SPL 2013.07"), std::string::npos);
  EXPECT_EQ(c.cam().stats().boots, 1u);
  c.to_prompt();
  EXPECT_EQ(c.cmd("printenv foo"), "## Error: \"foo\" not defined\r\n");
  EXPECT_EQ(c.cmd("md.l 0x80600000 1").find("cafef00d"), std::string::npos);
}

TEST(SimFaults, NoiseRateIsRoughlyAsConfigured) {
  Cam c("sim:state=uboot,noise=1e-3,seed=7");
  c.t->write("md.l 0x80000000 0x40000\r");  // 1 MiB -> about 4.4 MB of text
  std::string got = c.until("isvp_t31# ", 100000);
  const auto& s = c.cam().stats();
  double rate = static_cast<double>(s.noise_events) / static_cast<double>(s.output_bytes);
  EXPECT_GT(rate, 0.8e-3);
  EXPECT_LT(rate, 1.2e-3);
  // Damaged lines exist and the reader can tell them apart.
  size_t bad = 0, pos = 0;
  while (pos < got.size()) {
    size_t e = got.find('\n', pos);
    if (e == std::string::npos) break;
    uboot::MdLine l;
    if (uboot::parse_md_line(std::string_view(got).substr(pos, e - pos), uboot::Endian::Little, l) !=
        uboot::MdParse::Ok)
      ++bad;
    pos = e + 1;
  }
  EXPECT_GT(bad, 1000u);
  EXPECT_LT(bad, 20000u);
}

TEST(SimFaults, StallPausesOutput) {
  Cam c("sim:state=uboot,stall=2000@1000");
  c.t->write("md.b 0x80000000 0x400\r");
  uint8_t buf[4096];
  size_t total = 0;
  int empty = 0;
  while (total < 1000) total += c.t->read(buf, std::chrono::milliseconds(100));
  EXPECT_EQ(total, 1000u);
  for (int i = 0; i < 10; ++i)
    if (c.t->read(buf, std::chrono::milliseconds(100)) == 0) ++empty;
    else break;
  EXPECT_GE(empty, 10);  // 2 s of virtual silence = 20 reads of 100 ms
  EXPECT_NE(c.until("isvp_t31# ").find("isvp_t31# "), std::string::npos);
}

TEST(SimLinux, IgnoresInputUntilPowerCycle) {
  Cam c("sim:state=linux,powercycle-after=3");
  EXPECT_NE(c.until("login: ").find("Starting kernel"), std::string::npos);
  std::string got;
  uint8_t buf[4096];
  for (int i = 0; i < 200 && got.find("isvp_t31# ") == std::string::npos; ++i) {
    c.t->write("\x03");  // the tool keeps sending Ctrl-C while the user power-cycles
    got.append(reinterpret_cast<char*>(buf), c.t->read(buf, std::chrono::milliseconds(100)));
    if (c.cam().virtual_seconds() < 2.9) {
      EXPECT_EQ(got.find("U-Boot"), std::string::npos);
    }
  }
  EXPECT_NE(got.find("U-Boot for Ingenic T31 SPL"), std::string::npos);
  EXPECT_NE(got.find("isvp_t31# "), std::string::npos);
  EXPECT_EQ(c.cam().stats().boots, 1u);
}

namespace {
class Hello : public sim::SimProgram {
 public:
  std::optional<int32_t> run(sim::SimCamera&, std::string& in, std::string& out) override {
    if (!said_) {
      out += "hi\r\n";
      said_ = true;
    }
    if (in.empty()) return std::nullopt;  // waits for a key
    in.clear();
    return 5;
  }
  bool said_ = false;
};

// Runs Hello when the word at ADDR is 0x55aa55aa.
std::unique_ptr<sim::SimProgram> hello_handler(sim::SimCamera& cam, uint64_t addr, std::span<const std::string>) {
  auto m = cam.ram(addr, 4);
  std::unique_ptr<sim::SimProgram> p;
  if (m.size() == 4 && m[0] == 0xaa && m[1] == 0x55 && m[2] == 0xaa && m[3] == 0x55) p = std::make_unique<Hello>();
  return p;
}
}  // namespace

TEST(SimGo, RegisteredHandlerRunsUnknownCodeCrashes) {
  Cam c("sim:state=uboot,dialect=modern");
  c.cam().go_programs().add("test-hello", hello_handler);
  c.cmd("mw.l 0xa0100000 0x55aa55aa");
  c.t->write("go 0xa0100000\r");
  EXPECT_EQ(c.until("hi\r\n"), "go 0xa0100000\r\n## Starting application at 0xA0100000 ...\r\nhi\r\n");
  c.t->write("k");
  EXPECT_EQ(c.until("=> "), "## Application terminated, rc = 0x5\r\n=> ");
  c.t->write("go 0x80200000\r");
  EXPECT_NE(c.until("autoboot").find("## Starting application at 0x80200000 ...\r\n\r\nU-Boot SPL"), std::string::npos);
  EXPECT_EQ(c.cam().stats().boots, 1u);
}

TEST(SimGo, ProgramsBelongToTheCameraTheyWereGivenTo) {
  // Two cameras in one process: the one given the handler (at construction) runs the code, the
  // other, with the same bytes at the same address, crashes; removing it from one leaves the other.
  sim::GoPrograms programs;
  programs.add("test-hello", hello_handler);
  Cam with("state=uboot,dialect=modern", programs), without("state=uboot,dialect=modern");
  for (Cam* c : {&with, &without}) c->cmd("mw.l 0xa0100000 0x55aa55aa");
  without.t->write("go 0xa0100000\r");
  EXPECT_NE(without.until("autoboot").find("U-Boot SPL"), std::string::npos);
  EXPECT_EQ(without.cam().stats().boots, 1u);
  without.cam().go_programs().add("test-hello", hello_handler);
  without.cam().go_programs().remove("test-hello");
  EXPECT_TRUE(with.cam().go_programs().has("test-hello"));
  with.t->write("go 0xa0100000\r");
  EXPECT_EQ(with.until("hi\r\n"), "go 0xa0100000\r\n## Starting application at 0xA0100000 ...\r\nhi\r\n");
  with.t->write("k");
  EXPECT_EQ(with.until("=> "), "## Application terminated, rc = 0x5\r\n=> ");
  EXPECT_EQ(with.cam().stats().boots, 0u);
}

TEST(SimSpeed, FullFlashMdlThroughTheTransport) {
  // 16 MiB as md.l: every byte arrives, in the exact size the md format predicts.
  Cam c("sim:state=uboot");
  c.cmd("sf probe");
  EXPECT_EQ(c.cmd("sf read 0x80600000 0 0x1000000"),
            "SF:    16777216 bytes @ 0x0 Read: OK\r\nSF:    read command completed in 5403 ms\r\n");
  const std::string line = "md.l 0x80600000 0x400000";
  c.t->write(line + "\r");
  std::vector<uint8_t> buf(1 << 16);
  uint64_t total = 0;
  std::string tail;
  while (true) {
    size_t n = c.t->read(buf, std::chrono::milliseconds(100));
    total += n;
    tail.append(reinterpret_cast<char*>(buf.data()), n);
    if (tail.size() > 64) tail.erase(0, tail.size() - 64);
    if (tail.ends_with("\r\nisvp_t31# ")) break;
    ASSERT_LT(total, 100000000u);
  }
  EXPECT_EQ(total, line.size() + 2 + uboot::md_wire_chars(16 << 20, 4, uboot::MdDialect::Old) + 10);
}

TEST(SimAutoboot, KeyAlreadyWaitingAbortsBeforeTheLoop) {
  Cam c("sim:dialect=modern,bootdelay=3");
  c.t->write("\r");  // typed before the countdown text has even left the UART
  std::string got = c.until("=> ");
  EXPECT_NE(got.find("Hit any key to stop autoboot:  3 \r\n=> "), std::string::npos) << got;
}

TEST(SimFaults, GuardHangsOnWritesOverUbootButNotTheLoadArea) {
  Cam c("sim:state=uboot,guard=1");
  c.cmd("sf probe");
  EXPECT_EQ(c.cmd("sf read 0x80600000 0 0x1000000"),
            "SF:    16777216 bytes @ 0x0 Read: OK\r\nSF:    read command completed in 5403 ms\r\n");
  EXPECT_EQ(c.cam().stats().uboot_corrupted, 0u);
  c.t->write("sf read 0x83000000 0 0x1000000\r");                              // runs over U-Boot at 0x83f90000
  EXPECT_EQ(c.until("isvp_t31# ", 20), "sf read 0x83000000 0 0x1000000\r\n");  // echo, then nothing
  EXPECT_EQ(c.cam().stats().uboot_corrupted, 1u);
  EXPECT_EQ(c.cam().stats().boots, 0u);
}
