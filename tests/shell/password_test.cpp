// SPDX-License-Identifier: MIT
// Issue 17 item 7: the login password of `dump shell` never travels in argv (ps) and never lands
// in the --log transcript: it comes from CAMDUMP_PASSWORD, --password-file or a terminal prompt,
// and the transcript says `TX <password elided>`. `--password VALUE` is refused with the ways to
// give it instead.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "core/file_util.hpp"
#include "support/busybox_root.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace camdump::test;

namespace {

CommandResult camdump_cli(const std::vector<std::string>& args, const TempDir& dir) {
  std::vector<std::string> quiet{"-q"};
  quiet.insert(quiet.end(), args.begin(), args.end());
  return run_camdump(quiet, dir.path(), std::chrono::seconds(180));
}

std::vector<uint8_t> small_image() {
  std::vector<uint8_t> img(1u << 20, 0xff);
  std::mt19937 rng(17);
  for (size_t i = 0; i < 0x20000; ++i) img[i] = static_cast<uint8_t>(rng());
  return img;
}

// TX records of the transcript (the password is typed, never echoed, by a login prompt).
std::string tx_lines(const std::string& log) {
  std::istringstream in(log);
  std::string line, tx;
  while (std::getline(in, line))
    if (line.find(" TX ") != std::string::npos) tx += line + "\n";
  return tx;
}

class ShellPassword : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "chroot needs root (CI runs as root)";
  }
  std::vector<uint8_t> img = small_image();
};

}  // namespace

TEST_F(ShellPassword, FromTheEnvironmentAndNeverInTheTranscript) {
  BusyboxRoot root(img, {.parts = {{"boot", 0, 1u << 20}}, .login = true});
  TempDir dir("camdump-pw-env");
  // For the camdump it starts.
  ::setenv("CAMDUMP_PASSWORD", "secret", 1);  // NOLINT(concurrency-mt-unsafe): the test has no other thread
  CommandResult r = camdump_cli(
      {"dump", "shell", root.port(), "-o", (dir / "fw.bin").string(), "--log", (dir / "log.txt").string()}, dir);
  ::unsetenv("CAMDUMP_PASSWORD");  // NOLINT(concurrency-mt-unsafe): the test has no other thread
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(camdump::read_file(dir / "fw.bin") == img);
  const std::string log = test::read_file(dir / "log.txt");
  EXPECT_NE(log.find("TX <password elided>"), std::string::npos) << log.substr(0, 2000);
  EXPECT_EQ(tx_lines(log).find("secret"), std::string::npos) << tx_lines(log);
}

TEST_F(ShellPassword, FromAFile) {
  BusyboxRoot root(img, {.parts = {{"boot", 0, 1u << 20}}, .login = true});
  TempDir dir("camdump-pw-file");
  std::ofstream(dir / "pw") << "secret\n";
  CommandResult r = camdump_cli({"dump", "shell", root.port(), "-o", (dir / "fw.bin").string(), "--password-file",
                                 (dir / "pw").string(), "--log", (dir / "log.txt").string()},
                                dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(tx_lines(test::read_file(dir / "log.txt")).find("secret"), std::string::npos);
}

TEST(ShellPasswordCli, OnTheCommandLineItIsRefusedBeforeAnythingRuns) {
  TempDir dir("camdump-pw-argv");
  CommandResult r =
      camdump_cli({"dump", "shell", "tcp:127.0.0.1:1", "-o", (dir / "fw.bin").string(), "--password", "hunter2"}, dir);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("CAMDUMP_PASSWORD"), std::string::npos) << r.err;
}

TEST(ShellPasswordCli, WithoutATerminalOrPasswordTheLoginPromptIsAClearError) {
  if (::geteuid() != 0) GTEST_SKIP() << "chroot needs root (CI runs as root)";
  BusyboxRoot root(std::vector<uint8_t>(1u << 20, 0xff), {.parts = {{"boot", 0, 1u << 20}}, .login = true});
  TempDir dir("camdump-pw-none");
  ::unsetenv("CAMDUMP_PASSWORD");  // NOLINT(concurrency-mt-unsafe): the test has no other thread
  CommandResult r = camdump_cli({"dump", "shell", root.port(), "-o", (dir / "fw.bin").string()}, dir);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--password-file"), std::string::npos) << r.err;
}
