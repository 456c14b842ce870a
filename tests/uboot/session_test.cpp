// SPDX-License-Identifier: MIT
// UbootSession against a scripted console: attach from every state, framing, helpers, baud.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "fake_console.hpp"
#include "uboot/md_format.hpp"
#include "sim/sim_camera.hpp"
#include "uboot/session.hpp"

using namespace camdump;
using namespace camdump::uboot;
using camdump::test::FakeConsole;

namespace {

SessionOptions fast() {
  SessionOptions o;
  o.attach_timeout = 5s;
  o.idle_timeout = 300ms;
  return o;
}

bool no_empty_lines(const std::string& sent) {
  return sent.find("\r\r") == std::string::npos && sent.find('\n') == std::string::npos &&
         (sent.empty() || sent[0] != '\r');
}

}  // namespace

TEST(Session, AttachStopsAnyKeyCountdownAndLearnsPrompt) {
  FakeConsole c(FakeConsole::Start::Countdown);
  UbootSession s(c, null_reporter(), nullptr, fast());
  auto r = s.attach();
  EXPECT_EQ(r.autoboot, AutobootKind::AnyKey);
  EXPECT_EQ(s.prompt(), "isvp_t31# ");
  EXPECT_EQ(c.sent.find('\r'), std::string::npos);  // only Ctrl-C was sent
}

TEST(Session, AttachThinginoCtrlCOnly) {
  FakeConsole c(FakeConsole::Start::Countdown);
  c.ctrlc_only = true;
  c.countdown = "KEY:   ###### Press Ctrl-C now to interrupt boot... loading in 1s ######\r\n";
  UbootSession s(c, null_reporter(), nullptr, fast());
  EXPECT_EQ(s.attach().autoboot, AutobootKind::CtrlC);
  EXPECT_EQ(s.prompt(), "isvp_t31# ");
}

TEST(Session, AttachOpenIpc) {
  FakeConsole c(FakeConsole::Start::Countdown);
  c.prompt = "OpenIPC # ";
  c.countdown = "Press Ctrl-c to abort autoboot... 2 ";
  UbootSession s(c, null_reporter(), nullptr, fast());
  EXPECT_EQ(s.attach().autoboot, AutobootKind::OpenIpc);
  EXPECT_EQ(s.prompt(), "OpenIPC # ");
}

TEST(Session, AttachSilentPromptGetsPokedWithCtrlC) {
  FakeConsole c(FakeConsole::Start::Silent);
  c.prompt = "=> ";
  UbootSession s(c, null_reporter(), nullptr, fast());
  auto r = s.attach();
  EXPECT_TRUE(r.was_at_prompt);
  EXPECT_EQ(s.prompt(), "=> ");
}

TEST(Session, AttachWhileLinuxBootsWarnsAndKeepsSendingCtrlC) {
  struct Rec : Reporter {
    std::string warns;
    void log(LogLevel l, std::string_view m) override {
      if (l == LogLevel::Warn) warns += std::string(m);
    }
  } rep;
  FakeConsole c(FakeConsole::Start::Linux);
  c.linux_ctrlc_until_reboot = 8;
  UbootSession s(c, rep, nullptr, fast());
  auto r = s.attach();
  EXPECT_TRUE(r.linux_seen);
  EXPECT_EQ(s.prompt(), "isvp_t31# ");
  EXPECT_NE(rep.warns.find("power-cycle"), std::string::npos);
  EXPECT_GE(std::count(c.sent.begin(), c.sent.end(), '\x03'), 8);
}

TEST(Session, AttachTimesOutWithHintWhenNothingAnswers) {
  FakeConsole c(FakeConsole::Start::Linux);
  c.linux_ctrlc_until_reboot = 1000000;
  auto o = fast();
  o.attach_timeout = 1500ms;
  UbootSession s(c, null_reporter(), nullptr, o);
  try {
    s.attach();
    FAIL() << "attach succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout);
    EXPECT_NE(e.hint().find("power-cycle"), std::string::npos);
  }
}

TEST(Session, RunRemovesEchoAndNeverSendsEmptyLines) {
  FakeConsole c(FakeConsole::Start::Prompt);
  c.handler = [](const std::string& cmd) {
    if (cmd == "help")
      return std::string(
          "crc32   - checksum calculation\r\nmd      - memory display\r\n"
          "sf      - SPI flash sub-system\r\nwatchdog- x\r\n");
    if (cmd == "crc32 80600000 10000") return std::string("CRC32 for 80600000 ... 8060ffff ==> 0badcafe\r\n");
    // an md line whose ASCII column ends in the prompt's characters
    if (cmd == "md.b 80600000 10")
      return std::string("80600000: 69 73 76 70 5f 74 33 31 23 20 69 73 76 70 5f 23    isvp_t31# isvp_#\r\n");
    return std::string("Unknown command '" + cmd + "' - try 'help'\r\n");
  };
  UbootSession s(c, null_reporter(), nullptr, fast());
  s.attach();
  auto lines = s.run("md.b 80600000 10");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(0, 9), "80600000:");
  EXPECT_EQ(s.crc32(0x80600000, 0x10000), 0x0badcafeu);
  EXPECT_TRUE(s.has_command("sf"));
  EXPECT_TRUE(s.has_command("crc32"));
  EXPECT_FALSE(s.has_command("tftpput"));
  auto md = s.read_md(0x80600000, 16, 1);
  EXPECT_EQ(md.bad_lines(), 0u);
  EXPECT_EQ(md.data[8], '#');
  EXPECT_THROW(s.run(""), Error);
  EXPECT_TRUE(no_empty_lines(c.sent)) << c.sent;
}

TEST(Session, ReadMdMarksDamagedAndMissingLines) {
  FakeConsole c(FakeConsole::Start::Prompt);
  c.handler = [](const std::string&) {
    std::vector<uint8_t> d(48);
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>('A' + i % 26);
    std::string out;
    render_md(out, d, 0x80600000, {.width = 4, .dialect = MdDialect::Old});
    out[20] = 'x';                          // damage line 0
    out.erase(out.find("80600020:"), 200);  // line 2 missing
    return out;
  };
  UbootSession s(c, null_reporter(), nullptr, fast());
  s.attach();
  auto b = s.read_md(0x80600000, 48, 4);
  EXPECT_EQ(b.good, (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(b.data[16], 'A' + 16 % 26);
}

TEST(Session, SilentCommandRaisesConsoleLost) {
  FakeConsole c(FakeConsole::Start::Prompt);
  UbootSession s(c, null_reporter(), nullptr, fast());
  s.attach();
  c.handler = [&](const std::string&) { return std::string(); };
  c.prompt = "";  // the camera hangs: no prompt comes back
  EXPECT_THROW(s.run("md.l 80600000 4000"), ConsoleLost);
}

TEST(Session, RebootMidCommandIsDetected) {
  FakeConsole c(FakeConsole::Start::Prompt);
  UbootSession s(c, null_reporter(), nullptr, fast());
  s.attach();
  c.handler = [](const std::string&) {
    return std::string(
        "80600000: 00000000 0000\r\nU-Boot SPL 2013.07 (Jan 01 2024 - 00:00:00)\r\n"
        "Hit any key to stop autoboot:  1 ");
  };
  try {
    s.run("md.l 80600000 4000");
    FAIL();
  } catch (const ConsoleLost& e) {
    EXPECT_EQ(e.why(), ConsoleLost::Why::Reset);
  }
}

TEST(Session, BaudRefusedSwitchedAndHostCannot) {
  FakeConsole c(FakeConsole::Start::Prompt);
  c.rate = 115200;
  UbootSession s(c, null_reporter(), nullptr, fast());
  s.attach();
  EXPECT_EQ(s.set_baud(921600), BaudResult::NotSupported);
  EXPECT_EQ(s.set_baud(57600), BaudResult::Switched);
  EXPECT_EQ(c.rate, 57600u);
  EXPECT_EQ(c.device_rate, 57600u);
  EXPECT_EQ(s.set_baud(115200), BaudResult::Switched);
  EXPECT_EQ(s.set_baud(115200), BaudResult::Unchanged);
  EXPECT_EQ(c.sent.find("saveenv"), std::string::npos);
  FakeConsole t(FakeConsole::Start::Prompt);  // raw TCP: no rate to change
  UbootSession s2(t, null_reporter(), nullptr, fast());
  s2.attach();
  EXPECT_EQ(s2.set_baud(57600), BaudResult::HostCannot);
}

// Issue 13 item 2: OpenIPC's countdown since 90873ad stops only on Enter (CR); Ctrl-C alone
// would let it boot Linux.
TEST(Session, AttachOpenIpcEnterSendsCarriageReturn) {
  FakeConsole c(FakeConsole::Start::Countdown);
  c.prompt = "OpenIPC # ";
  c.countdown = "\r\nPress ENTER to interrupt boot in 1...\r\n";
  c.stop_key = '\r';
  UbootSession s(c, null_reporter(), nullptr, fast());
  EXPECT_EQ(s.attach().autoboot, AutobootKind::Enter);
  EXPECT_EQ(s.prompt(), "OpenIPC # ");
  EXPECT_NE(c.sent.find('\r'), std::string::npos);
}

TEST(Session, AttachThinginoSendsNoCarriageReturn) {
  FakeConsole c(FakeConsole::Start::Countdown);
  c.stop_key = '\x03';
  c.countdown = "KEY:   ###### Press Ctrl-C now to interrupt boot... loading in 1s ######\r\n";
  UbootSession s(c, null_reporter(), nullptr, fast());
  EXPECT_EQ(s.attach().autoboot, AutobootKind::CtrlC);
  EXPECT_EQ(c.sent.find('\r'), std::string::npos) << "a CR is not needed by a Ctrl-C countdown";
}

// Issue 13 item 5: Thingino's banner ("Thingino U-Boot for Ingenic ...") with bootdelay 0 (no
// countdown text at all) is a reboot.
TEST(Session, ThinginoBannerWithoutCountdownIsAReboot) {
  FakeConsole c(FakeConsole::Start::Prompt);
  UbootSession s(c, null_reporter(), nullptr, fast());
  s.attach();
  c.handler = [](const std::string&) {
    return std::string(
        "80600000: 00000000 0000\r\n\r\nThingino U-Boot for Ingenic T31X SPL 2013.07 (Mar 15 2024 - 12:00:00)\r\n"
        "\r\nThingino U-Boot for Ingenic 2013.07 (Mar 15 2024 - 12:00:00)\r\n\r\nBoard: ISVP\r\n");
  };
  c.prompt = "";
  try {
    s.run("md.l 80600000 4000");
    FAIL() << "the reboot went unnoticed";
  } catch (const ConsoleLost& e) {
    EXPECT_EQ(e.why(), ConsoleLost::Why::Reset);
  }
}

// Issue 13 item 8: a prompt damaged by line noise is not a lost console: Ctrl-C confirms it and
// the command's output stands.
TEST(Session, DamagedPromptIsConfirmedNotLost) {
  for (std::string damaged : {"isvp_t3l# ", "isvpt31# ", "isvp_t31#x "}) {
    FakeConsole c(FakeConsole::Start::Prompt);
    c.handler = [](const std::string& cmd) {
      if (cmd.starts_with("crc32")) return std::string("CRC32 for 80600000 ... 8060ffff ==> 0badcafe\r\n");
      return std::string();
    };
    UbootSession s(c, null_reporter(), nullptr, fast());
    s.attach();
    c.damaged_prompt_once = damaged;
    EXPECT_EQ(s.crc32(0x80600000, 0x10000), 0x0badcafeu) << damaged;
    EXPECT_EQ(s.noisy_prompts(), 1u) << damaged;
    EXPECT_EQ(s.crc32(0x80600000, 0x10000), 0x0badcafeu);  // and the console is in step
  }
}

TEST(Session, PromptJoinedToTheLastLineIsConfirmed) {
  FakeConsole c(FakeConsole::Start::Prompt);
  c.handler = [](const std::string&) { return std::string("CRC32 for 80600000 ... 8060ffff ==> 0badcafe"); };
  UbootSession s(c, null_reporter(), nullptr, fast());
  s.attach();
  c.damaged_prompt_once = "isvp_t31# ";  // the CR LF before it was lost
  EXPECT_EQ(s.crc32(0x80600000, 0x10000), 0x0badcafeu);
}

// cmd/help.c pads names to CONFIG_SYS_HELP_CMD_WIDTH (8 on the Ingenic builds): "watchdog- ..." and
// "tftpboot- ..." name the commands watchdog and tftpboot (before, neither was found, so the
// session never disabled the Ingenic watchdog).
TEST(Session, HelpNamesThatRunIntoTheDashAreCommands) {
  auto t = sim::open_sim("dialect=ingenic2013", null_reporter());
  UbootSession s(*t, null_reporter(), nullptr);
  s.attach();
  EXPECT_TRUE(s.has_command("watchdog"));
  EXPECT_TRUE(s.has_command("tftpboot"));
  EXPECT_TRUE(s.has_command("md"));
  EXPECT_FALSE(s.has_command("watchdog-"));
}
