// SPDX-License-Identifier: MIT
// Issue 15's message fixes, each as the user meets it (build/camdump as a process): typos get the
// nearest command/option, bare `camdump` lists the commands, -q/-v anywhere, usage lines say
// `camdump`, --json failures print a JSON error, extract's CRC mismatch is one error on stderr,
// dump shell refuses sim:, dump tftp checks its options before touching the camera, dump uart
// names what really read and the projected time on sim:, Ctrl-C before any data says so.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/paths.hpp"

namespace ct = camdump::test;
using namespace std::chrono_literals;

namespace {

bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

}  // namespace

TEST(CliMessages, TypoInCommandSuggestsTheNearest) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"dupm", "uart", "sim:", "-o", "x.bin"}, d);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "unknown command 'dupm'")) << o.err;
  EXPECT_TRUE(has(o.err, "did you mean 'camdump dump'")) << o.err;
  EXPECT_FALSE(has(o.err, "A subcommand is required")) << o.err;
  o = ct::run_camdump_in({"dump", "uartt", "sim:", "-o", "x.bin"}, d);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "did you mean 'camdump dump uart'")) << o.err;
  o = ct::run_camdump_in({"frobnicate"}, d);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "the commands are:")) << o.err;
}

TEST(CliMessages, TypoInOptionSuggestsTheNearest) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"dump", "uart", "sim:", "--outptu", "x.bin"}, d);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "unknown option '--outptu'")) << o.err;
  EXPECT_TRUE(has(o.err, "did you mean '--output'")) << o.err;
  EXPECT_FALSE(has(o.err, "--output is required")) << o.err;
}

TEST(CliMessages, BareCamdumpListsTheCommands) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({}, d);
  EXPECT_EQ(o.status, 0);
  for (const char* c : {"dump", "inspect", "hexlog", "ports", "demo"}) EXPECT_TRUE(has(o.out, c)) << c << "\n" << o.out;
  o = ct::run_camdump_in({"dump"}, d);  // a group without its route
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "uart")) << o.err;
  EXPECT_TRUE(has(o.err, "ch341a")) << o.err;
}

TEST(CliMessages, GlobalOptionsAnywhere) {
  ct::TempDir d;
  ct::write_file(d / "a.bin", std::string(4096, 'a'));
  ct::write_file(d / "b.bin", std::string(4096, 'a'));
  for (auto args : std::vector<std::vector<std::string>>{{"-q", "compare", "a.bin", "b.bin"},
                                                         {"compare", "-q", "a.bin", "b.bin"},
                                                         {"compare", "a.bin", "b.bin", "-v"},
                                                         {"compare", "a.bin", "-q", "b.bin", "-v"}}) {
    auto o = ct::run_camdump_in(args, d);
    EXPECT_EQ(o.status, 0) << args[0] << " " << args[1] << "\n" << o.err;
  }
}

TEST(CliMessages, UsageLinesSayCamdumpNotTheBuildPath) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"dump", "uart", "--help"}, d);
  EXPECT_EQ(o.status, 0);
  EXPECT_TRUE(has(o.out, "camdump dump uart")) << o.out;
  EXPECT_FALSE(has(o.out + o.err, camdump::test::binary_dir())) << o.out;
  o = ct::run_camdump_in({"dump", "uart"}, d);  // missing PORT and -o: CLI11's message
  EXPECT_EQ(o.status, 2);
  EXPECT_FALSE(has(o.out + o.err, camdump::test::binary_dir())) << o.err;
  EXPECT_TRUE(has(o.err, "camdump dump uart --help")) << o.err;
}

TEST(CliMessages, JsonFailuresPrintAJsonError) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"inspect", "does-not-exist.bin", "--json"}, d);
  EXPECT_NE(o.status, 0);
  auto j = nlohmann::json::parse(o.out);  // throws (fails the test) when stdout is not JSON
  EXPECT_EQ(j["ok"], false);
  EXPECT_FALSE(j["error"].get<std::string>().empty());
  EXPECT_TRUE(j.contains("hint"));
  o = ct::run_camdump_in({"dump", "uart", "sim:", "--json"}, d);  // usage: -o missing
  EXPECT_EQ(o.status, 2);
  j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["kind"], "usage");
  EXPECT_TRUE(has(j["error"].get<std::string>(), "--output")) << o.out;
}

TEST(CliMessages, ExtractCrcMismatchIsOneErrorOnStderr) {
  ct::TempDir d;
  ct::write_file(d / "card.img", std::string(16 * 512 + 65536, 'x'));
  auto o =
      ct::run_camdump_in({"extract", "card.img", "-o", "fw.bin", "--size", "64K", "--expect-crc32", "0x12345678"}, d);
  EXPECT_EQ(o.status, 1);
  EXPECT_TRUE(has(o.err, "camdump: error: crc32 ")) << o.err;
  EXPECT_TRUE(has(o.err, "does not match the expected 12345678")) << o.err;
  EXPECT_TRUE(has(o.err, "hint: check --size")) << o.err;
  EXPECT_FALSE(has(o.out, "does not match")) << o.out;
  EXPECT_FALSE(has(o.err, "error: hint")) << o.err;
  EXPECT_FALSE(std::filesystem::exists(d / "fw.bin"));
  o = ct::run_camdump_in(
      {"extract", "card.img", "-o", "fw.bin", "--size", "64K", "--expect-crc32", "0x12345678", "--json"}, d);
  EXPECT_EQ(o.status, 1);
  auto j = nlohmann::json::parse(o.out);  // exactly one JSON document
  EXPECT_EQ(j["ok"], false);
  EXPECT_TRUE(has(j["error"].get<std::string>(), "does not match")) << o.out;
}

TEST(CliMessages, DumpShellRefusesTheVirtualCamera) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"dump", "shell", "sim:", "-o", "fw.bin"}, d, 30s);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "no Linux shell")) << o.err;
  EXPECT_TRUE(has(o.err, "dump uart sim:")) << o.err;
}

TEST(CliMessages, DumpTftpChecksBeforeTouchingTheCamera) {
  ct::TempDir d;
  // state=linux would make attach wait (and send Ctrl-C); these must fail at once, and the
  // transcript file is never created because the port is never opened.
  auto o = ct::run_camdump_in(
      {"dump", "tftp", "sim:state=linux", "-o", "fw.bin", "--server-ip", "127.0.0.1", "--log", "t.log"}, d, 30s);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "--camera-ip")) << o.err;
  EXPECT_FALSE(std::filesystem::exists(d / "t.log"));
  o = ct::run_camdump_in({"dump", "tftp", "sim:state=linux", "-o", "fw.bin", "--server-ip", "127.0.0.1", "--camera-ip",
                          "10.0.0.300", "--log", "t.log"},
                         d, 30s);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "not an IPv4 address")) << o.err;
  EXPECT_FALSE(std::filesystem::exists(d / "t.log"));
  if (::geteuid() != 0) {  // root may bind port 69
    o = ct::run_camdump_in({"dump", "tftp", "sim:state=linux", "-o", "fw.bin", "--server-ip", "127.0.0.1",
                            "--camera-ip", "127.0.0.1", "--listen", "127.0.0.1:69", "--log", "t.log"},
                           d, 30s);
    EXPECT_EQ(o.status, 1);
    EXPECT_TRUE(has(o.err, "cap_net_bind_service")) << o.err;
    EXPECT_FALSE(std::filesystem::exists(d / "t.log"));
  }
}

TEST(CliMessages, UartSummaryNamesTheReaderAndTheRealLineTime) {
  ct::TempDir d;
  auto o =
      ct::run_camdump_in({"-q", "dump", "uart", "sim:flash=8M,state=uboot", "-o", "md.bin", "--method", "md"}, d, 300s);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(has(o.out, "with md.l")) << o.out;
  EXPECT_FALSE(has(o.out, "binary stub")) << o.out;
  EXPECT_TRUE(has(o.out, "at 115200 baud on a real line")) << o.out;
  o = ct::run_camdump_in({"-q", "dump", "uart", "sim:flash=8M,state=uboot", "-o", "stub.bin", "--method", "stub"}, d,
                         300s);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(has(o.out, "by the binary stub")) << o.out;
  EXPECT_FALSE(has(o.out, "0 B with md")) << o.out;
}

TEST(CliMessages, CtrlCBeforeAnyDataSaysNothingWasWritten) {
  ct::TempDir d;
  // A console that stays silent: attach keeps waiting (on the wall clock) until Ctrl-C.
  auto p = ct::Process::spawn(
      {camdump::test::camdump_exe(), "dump", "uart", "exec:sleep 120", "-o", "fw.bin"},
      {.stdout_file = (d / "out.txt").string(), .stderr_file = (d / "err.txt").string(), .cwd = d.path().string()});
  ASSERT_TRUE(ct::wait_file_contains(d / "err.txt", "waiting for the console", 60s));
  ::kill(p.pid(), SIGINT);
  auto st = p.wait_exit(60s);
  ASSERT_TRUE(st && WIFEXITED(*st));
  EXPECT_EQ(WEXITSTATUS(*st), 130);
  const std::string err = ct::read_file(d / "err.txt");
  EXPECT_TRUE(has(err, "nothing was written")) << err;
  EXPECT_FALSE(has(err, "--resume")) << err;
  EXPECT_FALSE(std::filesystem::exists(d / "fw.bin.part"));
}

TEST(CliMessages, SigtermStopsADumpWithExit143) {
  ct::TempDir d;
  // The same silent console: SIGTERM (a service manager, `kill`) ends it as promptly as Ctrl-C,
  // with the shell's code for it, 128 + 15.
  auto p = ct::Process::spawn(
      {camdump::test::camdump_exe(), "dump", "uart", "exec:sleep 120", "-o", "fw.bin"},
      {.stdout_file = (d / "out.txt").string(), .stderr_file = (d / "err.txt").string(), .cwd = d.path().string()});
  ASSERT_TRUE(ct::wait_file_contains(d / "err.txt", "waiting for the console", 60s));
  ::kill(p.pid(), SIGTERM);
  auto st = p.wait_exit(60s);
  ASSERT_TRUE(st && WIFEXITED(*st));
  EXPECT_EQ(WEXITSTATUS(*st), 143);
  EXPECT_FALSE(std::filesystem::exists(d / "fw.bin.part"));
}

TEST(CliMessages, DumpTftpListensOnlyOnTheServerIpAddress) {
  ct::TempDir d;
  // Without --listen the server binds the --server-ip address (the interface facing the camera),
  // not 0.0.0.0: an address this PC does not have is refused before the camera is touched.
  auto o = ct::run_camdump_in({"dump", "tftp", "sim:state=linux", "-o", "fw.bin", "--server-ip", "192.0.2.7",
                               "--camera-ip", "keep", "--log", "t.log"},
                              d, 30s);
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_TRUE(has(o.err, "192.0.2.7:69")) << o.err;
  EXPECT_TRUE(has(o.err, "must be an address of this PC")) << o.err;
  EXPECT_FALSE(std::filesystem::exists(d / "t.log"));
}
