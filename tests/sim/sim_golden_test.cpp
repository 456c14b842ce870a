// SPDX-License-Identifier: MIT
// Byte-exact transcripts of the virtual camera's fixed texts (help, help CMD, version, bdinfo,
// coninfo, echo, usage errors, unknown commands) per dialect, compared with files committed under
// tests/sim/golden/. They pin the U-Boot output while the command table and the machine are
// reorganised; a deliberate change of a text updates the file (CAMDUMP_UPDATE_GOLDEN=1 rewrites it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sim_test_util.hpp"
#include "support/paths.hpp"

namespace camdump::sim::testing {
namespace {

const char* const kCommands[] = {
    "help",
    "?",
    "help md sf nosuch",
    "help help",
    "he",
    "version",
    "bdinfo",
    "coninfo",
    "base",
    "echo a  b \"c d\"",
    "echo -n x; echo y",
    "echo x\\cy; echo z",
    "watchdog",
    "watchdog 0",
    "watchdog 5",
    "md",
    "mw",
    "cp",
    "cmp",
    "crc32",
    "sf",
    "mmc",
    "env",
    "env frob",
    "go",
    "go zz",
    "sleep",
    "sleep x",
    "setenv",
    "printenv nosuch",
    "tftpput",
    "frobnicate 1",
    "s",
    "m",
    "md.q 0",
};

std::string transcript(const std::string& spec) {
  Cam c(spec);
  std::string all;
  for (const char* line : kCommands) {
    all += "=> ";
    all += line;
    all += "\n";
    all += c.cmd(line);
  }
  return all;
}

void check(const std::string& name, const std::string& spec) {
  const std::string path = camdump::test::source_dir() + "/tests/sim/golden/" + name + ".txt";
  const std::string got = transcript(spec);
  if (std::getenv("CAMDUMP_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << got;
    return;
  }
  std::ifstream f(path, std::ios::binary);
  ASSERT_TRUE(f) << path;
  std::stringstream want;
  want << f.rdbuf();
  EXPECT_EQ(got, want.str()) << name;
}

TEST(SimGolden, ThinginoTextsAreUnchanged) { check("thingino", "state=uboot,dialect=thingino"); }
TEST(SimGolden, Ingenic2013TextsAreUnchanged) { check("ingenic2013", "state=uboot,dialect=ingenic2013,tftpput=1"); }
TEST(SimGolden, OpenIpcTextsAreUnchanged) { check("openipc", "state=uboot,dialect=openipc"); }
TEST(SimGolden, ModernTextsAreUnchanged) { check("modern", "state=uboot,dialect=modern,tftpput=1"); }

}  // namespace
}  // namespace camdump::sim::testing
