// SPDX-License-Identifier: MIT
// The four console dialects of the virtual camera (issue 13 item 7), each as its sources print it
// (docs/reference/uboot-console.md): the stock Ingenic import, Thingino's fork, OpenIPC's fork and
// modern U-Boot; stop= overriding the key; bootdelay=0; the Thingino/stock item-5 messages.
#include "core/error.hpp"
#include "sim_test_util.hpp"

using namespace camdump;
using camdump::sim::testing::Cam;

struct BootCase {
  const char* dialect;
  const char* banner;
  const char* countdown;
  const char* prompt;
  std::string wrong_key, right_key;
};

class SimDialectBoot : public ::testing::TestWithParam<BootCase> {};

TEST_P(SimDialectBoot, PrintsItsBannerCountdownAndPrompt) {
  const BootCase& k = GetParam();
  const std::string spec = std::string("sim:dialect=") + k.dialect + ",bootdelay=2";
  Cam c(spec);
  std::string log = c.until(k.countdown);
  EXPECT_NE(log.find(k.banner), std::string::npos) << log;
  EXPECT_NE(log.find(k.countdown), std::string::npos) << log;
  if (!k.wrong_key.empty()) {
    Cam w(spec);
    w.until(k.countdown);
    w.t->write(k.wrong_key);
    EXPECT_NE(w.until("login: ").find("Starting kernel"), std::string::npos) << "a wrong key stopped it";
  }
  c.t->write(k.right_key);
  EXPECT_NE(c.until(k.prompt).find(k.prompt), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Dialects, SimDialectBoot,
    ::testing::Values(BootCase{"ingenic2013", "\r\nU-Boot 2013.07 (", "Hit any key to stop autoboot:  2 ", "isvp_t31# ",
                               "", "x"},
                      BootCase{"thingino", "Thingino U-Boot for Ingenic 2013.07 (",
                               "KEY:   ###### Press Ctrl-C now to interrupt boot... loading in 2s ######\r\n",
                               "isvp_t31# ", "x\r", "\x03"},
                      BootCase{"openipc", "\r\nU-Boot 2013.07 (", "\r\nPress ENTER to interrupt boot in 2...\r\n",
                               "OpenIPC # ", "\x03x", "\r"},
                      BootCase{"modern", "\r\nU-Boot 2026.07 (", "Hit any key to stop autoboot:  2 ", "=> ", "", "q"}),
    [](const ::testing::TestParamInfo<BootCase>& i) { return std::string(i.param.dialect); });

TEST(SimDialects, StopOverridesTheKeyAndItsText) {
  Cam e("sim:dialect=thingino,stop=enter,bootdelay=1");
  e.until("...\r\n");
  e.t->write("\x03");
  e.t->write("\r");
  EXPECT_NE(e.until("isvp_t31# ").find("isvp_t31# "), std::string::npos);

  Cam o("sim:dialect=openipc,stop=ctrlc,bootdelay=1");  // OpenIPC before 2024
  EXPECT_NE(o.until("autoboot... 1 \r\n").find("Press Ctrl-c to abort autoboot... 1 \r\n"), std::string::npos);
  o.t->write("\x03");
  EXPECT_NE(o.until("OpenIPC # ").find("OpenIPC # "), std::string::npos);

  Cam a("sim:dialect=openipc,stop=any,bootdelay=1");
  a.until("autoboot:  1 ");
  a.t->write("z");
  EXPECT_NE(a.until("OpenIPC # ").find("OpenIPC # "), std::string::npos);
}

class SimDialectBootdelayZero : public ::testing::TestWithParam<const char*> {};

TEST_P(SimDialectBootdelayZero, StopsOnlyOnAKeyAlreadyWaiting) {
  const std::string spec = std::string("sim:bootdelay=0,dialect=") + GetParam();
  Cam late(spec);
  EXPECT_NE(late.until("login: ").find("Starting kernel"), std::string::npos);

  Cam early(spec);  // the key arrives while the boot log is still printing
  early.until("DRAM:");
  early.t->write(std::string("\x03\r"));
  std::string rest = early.until(early.cam().prompt());
  EXPECT_NE(rest.find(early.cam().prompt()), std::string::npos) << rest;
  EXPECT_EQ(rest.find("Starting kernel"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Dialects, SimDialectBootdelayZero,
                         ::testing::Values("ingenic2013", "thingino", "openipc", "modern"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

TEST(SimDialects, VersionBdinfoGoAndSfTimingLines) {
  Cam t("sim:dialect=thingino,state=uboot");
  EXPECT_NE(t.cmd("version").find("Thingino U-Boot for Ingenic 2013.07 ("), std::string::npos);
  t.cmd("setenv ipaddr");
  EXPECT_NE(t.cmd("bdinfo").find("ip_addr     = <NULL>"), std::string::npos);
  std::string probe = t.cmd("sf probe 0");
  EXPECT_NE(probe.find("SF:    probe command completed in "), std::string::npos) << probe;
  std::string rd = t.cmd("sf read 0x80600000 0 0x1000");
  EXPECT_NE(rd.find("SF:    4096 bytes @ 0x0 Read: OK\r\nSF:    read command completed in "), std::string::npos) << rd;
  t.t->write("go 0x80600000\r");  // garbage code: the board crashes after the cache flush message
  std::string go = t.until("Flush cache all before jump.");
  EXPECT_NE(go.find("## Starting application at 0x80600000 ...\r\nFlush cache all before jump."), std::string::npos)
      << go;

  Cam s("sim:dialect=ingenic2013,state=uboot");
  s.cmd("sf probe");
  EXPECT_NE(s.cmd("sf read 0x80600000 0 0x1000").find("--->read spend "), std::string::npos);
  EXPECT_EQ(s.cmd("version").find("Thingino"), std::string::npos);

  Cam m("sim:dialect=modern,state=uboot");
  EXPECT_EQ(m.cmd("sf probe").find("command completed"), std::string::npos);
}

TEST(SimDialects, OldNamesStillParse) {
  EXPECT_EQ(sim::parse_sim_spec("dialect=ingenic").dialect, sim::Dialect::Ingenic2013);
  EXPECT_EQ(sim::parse_sim_spec("dialect=ingenic2013").dialect, sim::Dialect::Ingenic2013);
  EXPECT_EQ(sim::parse_sim_spec("").dialect, sim::Dialect::Thingino);
  EXPECT_EQ(sim::parse_sim_spec("dialect=openipc").prompt_text(), "OpenIPC # ");
  EXPECT_THROW(sim::parse_sim_spec("stop=space"), Error);
}
