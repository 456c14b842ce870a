// SPDX-License-Identifier: MIT
// Issue 15, the first minute with a camera, through build/camdump: `camdump ports`, PORT auto,
// the live waiting line (silence gives the wiring hint after seconds, not after the 89 s attach
// timeout; bytes at a wrong rate are called that), `dump sd` showing what it will overwrite and
// asking, the man page and completions generated from the CLI tree.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/paths.hpp"

namespace ct = camdump::test;
using namespace std::chrono_literals;

namespace {

bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

int sh(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A card image with a DOS partition table: partition 1, FAT32 (0x0c), from block 2048.
std::string card_with_partition(size_t bytes) {
  std::string c(bytes, '\0');
  auto put32 = [&](size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i) c[at + i] = char(v >> (8 * i));
  };
  c[0x1be + 4] = 0x0c;
  put32(0x1be + 8, 2048);
  put32(0x1be + 12, uint32_t(bytes / 512 - 2048));
  c[0x1fe] = char(0x55);
  c[0x1ff] = char(0xaa);
  return c;
}

}  // namespace

TEST(CliPorts, ListsAsJsonAndSaysWhatAutoPicks) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"ports", "--json"}, d);
  ASSERT_EQ(o.status, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_TRUE(j["serial"].is_array());
  EXPECT_TRUE(j["programmers"].is_array());
  for (const auto& p : j["serial"]) {
    EXPECT_TRUE(p.contains("by_id"));
    EXPECT_TRUE(p.contains("usb_id"));
    EXPECT_TRUE(p.contains("can_open"));
  }
  size_t usb = 0;
  for (const auto& p : j["serial"]) usb += p["usb"].get<bool>();
  o = ct::run_camdump_in({"ports"}, d);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(has(o.out, "CH341A programmers (1a86:5512)")) << o.out;
  EXPECT_TRUE(has(o.out, "PORT auto")) << o.out;
  if (usb != 1) {  // the machine's own adapters decide what auto does; without exactly one it must say so
    o = ct::run_camdump_in({"dump", "uart", "auto", "-o", "fw.bin"}, d, 30s);
    EXPECT_NE(o.status, 0);
    EXPECT_TRUE(has(o.err, "PORT auto: ")) << o.err;
    EXPECT_FALSE(std::filesystem::exists(d / "fw.bin.part"));
  }
}

TEST(CliWaiting, SilenceGivesTheWiringHintWithinSeconds) {
  ct::TempDir d;
  // A "console" that prints nothing for 8 s, then hangs up.
  auto o = ct::run_camdump_in({"dump", "uart", "exec:sleep 8", "-o", "fw.bin"}, d, 60s);
  EXPECT_NE(o.status, 0);
  EXPECT_TRUE(has(o.err, "waiting for the console - power the camera on now")) << o.err;
  EXPECT_TRUE(has(o.err, "nothing arrived from the console")) << o.err;
  EXPECT_TRUE(has(o.err, "TX goes to the camera's RX")) << o.err;
  EXPECT_FALSE(std::filesystem::exists(d / "fw.bin"));
}

TEST(CliWaiting, BytesAtAWrongRateAreCalledThat) {
  ct::TempDir d;
  // What a receiver at the wrong rate gets: bytes outside printable text.
  auto o =
      ct::run_camdump_in({"dump", "uart", "exec:sh -c 'head -c 600 /dev/urandom; sleep 3'", "-o", "fw.bin"}, d, 60s);
  EXPECT_NE(o.status, 0);
  EXPECT_TRUE(has(o.err, "do not read as text")) << o.err;
  EXPECT_TRUE(has(o.err, "--baud")) << o.err;
}

TEST(CliWaiting, ATalkingCameraShowsTextAndTheLineEnds) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"dump", "uart", "sim:flash=8M", "-o", "fw.bin", "--method", "md"}, d, 300s);
  ASSERT_EQ(o.status, 0) << o.err;
  // Stopped either at its countdown or, as U-Boot's banner arrives, by a key already waiting.
  EXPECT_TRUE(has(o.err, "autoboot countdown seen") || has(o.err, "sending Ctrl-C and Enter to stop autoboot before"))
      << o.err;
  EXPECT_FALSE(has(o.err, "nothing arrived")) << o.err;
  EXPECT_FALSE(has(o.err, "do not read as text")) << o.err;
  EXPECT_TRUE(has(o.err, "reading: ")) << o.err;
}

TEST(CliDumpSd, RefusesWithoutATerminalUnlessYes) {
  ct::TempDir d;
  ct::write_file(d / "card.img", card_with_partition(16u << 20));
  const std::string port = "sim:flash=8M,sd=" + (d / "card.img").string();
  auto o = ct::run_camdump_in({"dump", "sd", port, "--log", "t.log"}, d, 60s);  // stdin is /dev/null
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(has(o.err, "--yes")) << o.err;
  EXPECT_FALSE(std::filesystem::exists(d / "t.log"));  // the camera was not touched
  EXPECT_EQ(ct::read_file(d / "card.img"), card_with_partition(16u << 20));
}

TEST(CliDumpSd, ShowsThePartitionTheRangeOverlaps) {
  ct::TempDir d;
  ct::write_file(d / "card.img", card_with_partition(16u << 20));
  const std::string port = "sim:flash=8M,state=uboot,sd=" + (d / "card.img").string();
  auto o = ct::run_camdump_in({"dump", "sd", port, "--yes"}, d, 300s);
  ASSERT_EQ(o.status, 0) << o.err;
  // 8 MiB from block 0x10 = blocks 0x10..0x400f; partition 1 starts at 2048 = 0x800.
  EXPECT_TRUE(has(o.err, "blocks 0x10..0x400f")) << o.err;
  EXPECT_TRUE(has(o.err, "partition 1: FAT32 at blocks 0x800..")) << o.err;
  EXPECT_TRUE(has(o.err, "OVERLAPS the range")) << o.err;
  EXPECT_TRUE(has(o.err, "block 0x10 holds: all zero")) << o.err;
}

TEST(CliDumpSd, AnswerNoWritesNothing) {
  ct::TempDir d;
  ct::write_file(d / "card.img", card_with_partition(16u << 20));
  const std::string port = "sim:flash=8M,state=uboot,sd=" + (d / "card.img").string();
  // A terminal on stdin that answers "n": `script` gives the child a pty.
  if (sh("command -v script >/dev/null") != 0) GTEST_SKIP() << "script(1) not installed";
  const std::string cmd = "cd '" + d.path().string() + "' && echo n | script -qec \"" + camdump::test::binary_dir() +
                          "/camdump dump sd '" + port + "'\" /dev/null > out.txt 2>&1";
  sh(cmd);
  const std::string out = ct::read_file(d / "out.txt");
  EXPECT_TRUE(has(out, "Overwrite these blocks")) << out;
  EXPECT_TRUE(has(out, "nothing was written to the card")) << out;
  EXPECT_EQ(ct::read_file(d / "card.img"), card_with_partition(16u << 20));
}

TEST(CliGenerated, ManPageAndCompletionsComeFromTheCommandTree) {
  ct::TempDir d;
  auto o = ct::run_camdump_in({"--help-man"}, d);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(has(o.out, ".TH CAMDUMP 1")) << o.out.substr(0, 200);
  for (const char* s : {"camdump dump uart PORT", "camdump ports", "\\-\\-output", "dialout", "70\\-camdump\\-ch341a"})
    EXPECT_TRUE(has(o.out, s)) << s;
  for (const char* shell : {"bash", "zsh", "fish"}) {
    o = ct::run_camdump_in({std::string("--completion=") + shell}, d);
    ASSERT_EQ(o.status, 0) << shell << o.err;
    EXPECT_TRUE(has(o.out, "uart")) << shell;
    EXPECT_TRUE(has(o.out, "--fast-baud") || has(o.out, "-l fast-baud")) << shell;
    ct::write_file(d / (std::string("c.") + shell), o.out);
  }
  EXPECT_EQ(sh("bash -n '" + (d / "c.bash").string() + "'"), 0);
  // bash: complete `camdump dump u` and `camdump dump uart --fa`.
  const std::string probe = "source '" + (d / "c.bash").string() +
                            "'; COMP_WORDS=(camdump dump u); COMP_CWORD=2; _camdump; echo \"${COMPREPLY[*]}\" > '" +
                            (d / "r1").string() +
                            "'; COMP_WORDS=(camdump dump uart --fa); COMP_CWORD=3; _camdump; "
                            "echo \"${COMPREPLY[*]}\" > '" +
                            (d / "r2").string() + "'";
  ASSERT_EQ(sh("bash -c \"$(cat <<'EOF'\n" + probe + "\nEOF\n)\""), 0);
  EXPECT_EQ(ct::read_file(d / "r1"), "uart\n");
  EXPECT_EQ(ct::read_file(d / "r2"), "--fast-baud\n");
  if (sh("command -v zsh >/dev/null") == 0) {
    EXPECT_EQ(sh("zsh -n '" + (d / "c.zsh").string() + "'"), 0);
  }
  if (sh("command -v fish >/dev/null") == 0) {
    EXPECT_EQ(sh("fish -n '" + (d / "c.fish").string() + "'"), 0);
  }
}
