// SPDX-License-Identifier: MIT
// `camdump tftpd` as a process: --once exits after the first upload with its path as the last
// line of stdout; refusals are visible to a real client; usage errors exit 2.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/hash.hpp"
#include "mini_client.hpp"
#include "support/process.hpp"
#include "support/paths.hpp"

using namespace camdump;
using namespace camdump::test;

const std::string kCamdump = camdump::test::camdump_exe();

// Arguments that let tftpd run when the tests run as root: it never handles files as root, so
// it becomes nobody, who may write the (otherwise root-owned) test directory.
std::vector<std::string> as_nobody_if_root(const TempDir& root) {
  if (::geteuid() != 0) return {};
  std::filesystem::permissions(root.path(), std::filesystem::perms::all);
  return {"--user", "nobody"};
}

std::vector<std::string> tftpd(const TempDir& root, uint16_t port, std::vector<std::string> more) {
  std::vector<std::string> argv = {
      kCamdump, "tftpd", "--root", root.path().string(), "--listen", "127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), more.begin(), more.end());
  for (auto& a : as_nobody_if_root(root)) argv.push_back(a);
  return argv;
}

TEST(TftpdCli, OnceReceivesOneUploadAndPrintsItsPath) {
  TempDir root("camdump-tftpd-cli");
  uint16_t port = free_udp_port();
  auto p = Process::spawn(tftpd(root, port, {"--once"}), {.stdout_file = (root / "stdout.txt").string(),
                                                          .stderr_file = (root / "stderr.txt").string()});
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
  auto p = Process::spawn({kCamdump, "tftpd", "--read-only", "--write-only", "--listen", "127.0.0.1:0"});
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
  auto p = Process::spawn({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", kCamdump, "tftpd", "--root",
                           dir.path().string(), "--listen", "127.0.0.1:69"},
                          {.stderr_file = (dir / "stderr.txt").string()});
  auto st = p.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 1);
  auto err = read_file(dir / "stderr.txt");
  EXPECT_NE(err.find("run as root or `setcap cap_net_bind_service=+ep $(which camdump)`"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST(TftpdCli, OnceServesNoDownloadsUnlessRead) {
  TempDir root("camdump-tftpd-once-read");
  std::ofstream(root / "secret.txt") << "id_ed25519";
  for (bool read : {false, true}) {
    uint16_t port = free_udp_port();
    std::vector<std::string> more = {"--once"};
    if (read) more.push_back("--read");
    auto p = Process::spawn(tftpd(root, port, more), {.stderr_file = (root / "stderr.txt").string()});
    ASSERT_TRUE(wait_file_contains(root / "stderr.txt", "serving", std::chrono::seconds(10)));
    auto got = MiniClient(port).get("secret.txt");
    EXPECT_EQ(got.ok, read) << got.error;
    if (!read) {
      EXPECT_EQ(got.error_code, tftp::ErrorCode::AccessViolation);
    }
    EXPECT_TRUE(MiniClient(port).put("up" + std::to_string(read), random_bytes(100, 3)).ok);
    EXPECT_TRUE(p.wait_exit(std::chrono::seconds(10)));
  }
}

TEST(TftpdCli, StartedAsRootItHandlesFilesAsAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  TempDir root("camdump-tftpd-drop");
  uint16_t port = free_udp_port();
  auto p = Process::spawn(tftpd(root, port, {"--once"}), {.stderr_file = (root / "stderr.txt").string()});
  ASSERT_TRUE(wait_file_contains(root / "stderr.txt", "serving", std::chrono::seconds(10)));
  ASSERT_TRUE(MiniClient(port).put("cam.bin", random_bytes(1000, 4)).ok);
  ASSERT_TRUE(p.wait_exit(std::chrono::seconds(10)));
  struct stat st {};
  ASSERT_EQ(::stat((root / "cam.bin").c_str(), &st), 0);
  EXPECT_NE(st.st_uid, 0u) << "the upload was written by root";
  EXPECT_NE(read_file(root / "stderr.txt").find("now running as nobody"), std::string::npos);
}

TEST(TftpdCli, AsRootWithNobodyToBecomeItRefusesInOneLine) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  TempDir root("camdump-tftpd-root");  // owned by root, no sudo user, no --user
  auto p = Process::spawn({"env", "-u", "SUDO_UID", "-u", "SUDO_GID", kCamdump, "tftpd", "--root", root.path().string(),
                           "--listen", "127.0.0.1:0"},
                          {.stderr_file = (root / "stderr.txt").string()});
  auto st = p.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 2);
  EXPECT_NE(read_file(root / "stderr.txt").find("does not handle files as root"), std::string::npos);
}
