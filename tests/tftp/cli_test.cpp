// SPDX-License-Identifier: MIT
// `camdump tftpd` as a process: --once exits after the first upload with its path as the last
// line of stdout; refusals are visible to a real client; usage errors exit 2.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/hash.hpp"
#include "mini_client.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace camdump::test;

TEST(TftpdCli, OnceReceivesOneUploadAndPrintsItsPath) {
  TempDir root("camdump-tftpd-cli");
  uint16_t port = free_udp_port();
  auto p = Process::spawn({CAMDUMP_BINARY_DIR "/camdump", "tftpd", "--root", root.path().string(), "--listen",
                           "127.0.0.1:" + std::to_string(port), "--once"},
                          {.stdout_file = (root / "stdout.txt").string(), .stderr_file = (root / "stderr.txt").string()});
  ASSERT_TRUE(wait_file_contains(root / "stderr.txt", "serving", std::chrono::seconds(10)));
  auto data = random_bytes(70000, 31);
  MiniClient c(port);
  auto r = c.put("cam.bin", data);
  ASSERT_TRUE(r.ok) << r.error;
  auto st = p.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(st) << "tftpd --once did not exit";
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << read_file(root / "stderr.txt");
  auto out = read_file(root / "stdout.txt");
  EXPECT_NE(out.find("sha256: " + sha256_hex(data)), std::string::npos) << out;
  EXPECT_NE(out.find((root / "cam.bin").string() + "\n"), std::string::npos) << out;
  EXPECT_NE(read_file(root / "stderr.txt").find(sha256_hex(data)), std::string::npos);
}

TEST(TftpdCli, ConflictingFlagsAreUsageErrors) {
  auto p = Process::spawn({CAMDUMP_BINARY_DIR "/camdump", "tftpd", "--read-only", "--write-only", "--listen",
                           "127.0.0.1:0"});
  auto st = p.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 2);
}

TEST(TftpdCli, Port69WithoutPrivilegesSaysHowToFixInOneLine) {
  if (::geteuid() != 0 || std::system("command -v setpriv >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "needs root and setpriv to drop privileges";
  if (read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start").rfind("1024", 0) != 0)
    GTEST_SKIP() << "unprivileged ports start below 1024 here";
  TempDir dir("camdump-tftpd-69");
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  auto p = Process::spawn({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", CAMDUMP_BINARY_DIR "/camdump",
                           "tftpd", "--root", dir.path().string(), "--listen", "127.0.0.1:69"},
                          {.stderr_file = (dir / "stderr.txt").string()});
  auto st = p.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 1);
  auto err = read_file(dir / "stderr.txt");
  EXPECT_NE(err.find("run as root or `setcap cap_net_bind_service=+ep $(which camdump)`"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}
