// SPDX-License-Identifier: MIT
// camdump's TFTP server against the clients people use: curl, tftp-hpa, atftp, busybox tftp, both
// directions, and four 40 MiB transfers (blksize 512 forces the 16-bit block number to wrap, both
// ways; 1468 is U-Boot's size; atftp with windowsize 8) compared by SHA-256. Clients run as child
// processes, killed by PID if they hang.
#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "mini_client.hpp"
#include "server_fixture.hpp"

using namespace camdump;
using namespace camdump::test;

namespace {

bool have(const char* tool) {
  std::string cmd = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

#define REQUIRE_TOOL(t) \
  if (!have(t)) GTEST_SKIP() << (t) << " not installed (scripts/setup-deps)"

}  // namespace

class TftpInterop : public TftpServerTest {
 protected:
  void SetUp() override {
    start();
    small_ = random_bytes(100000, 11);
    put_file("small.bin", small_);
    test::write_bytes(work_ / "up.bin", small_);
  }
  std::string local(const char* name) const { return (work_ / name).string(); }
  std::string url(const char* name) const { return "tftp://127.0.0.1:" + port_str() + "/" + name; }
  std::vector<uint8_t> small_;
};

TEST_F(TftpInterop, Curl) {
  REQUIRE_TOOL("curl");
  ASSERT_TRUE(run_client({"curl", "-sS", "--tftp-blksize", "1468", "-T", local("up.bin"), url("curl-up.bin")}));
  EXPECT_EQ(slurp(root() / "curl-up.bin"), small_);
  ASSERT_TRUE(run_client({"curl", "-sS", "--tftp-blksize", "1024", "-o", local("curl-down.bin"), url("small.bin")}));
  EXPECT_EQ(slurp(work_ / "curl-down.bin"), small_);
  // Refusals reach curl as failures, and nothing is written.
  EXPECT_FALSE(run_client({"curl", "-sS", "-T", local("up.bin"), url("curl-up.bin")}));  // exists
  EXPECT_FALSE(run_client({"curl", "-sS", "-o", local("x"), url("..%2fescape")}));
}

TEST_F(TftpInterop, TftpHpa) {
  REQUIRE_TOOL("tftp");
  ASSERT_TRUE(
      run_client({"tftp", "127.0.0.1", port_str(), "-m", "binary", "-c", "put", local("up.bin"), "hpa-up.bin"}));
  EXPECT_EQ(slurp(root() / "hpa-up.bin"), small_);
  ASSERT_TRUE(
      run_client({"tftp", "127.0.0.1", port_str(), "-m", "binary", "-c", "get", "small.bin", local("hpa-down.bin")}));
  EXPECT_EQ(slurp(work_ / "hpa-down.bin"), small_);
}

TEST_F(TftpInterop, Atftp) {
  REQUIRE_TOOL("atftp");
  ASSERT_TRUE(run_client({"atftp", "--option", "blksize 1468", "-p", "-l", local("up.bin"), "-r", "atftp-up.bin",
                          "127.0.0.1", port_str()}));
  EXPECT_EQ(slurp(root() / "atftp-up.bin"), small_);
  ASSERT_TRUE(run_client({"atftp", "--option", "blksize 1468", "--option", "windowsize 4", "-g", "-r", "small.bin",
                          "-l", local("atftp-down.bin"), "127.0.0.1", port_str()}));
  EXPECT_EQ(slurp(work_ / "atftp-down.bin"), small_);
}

TEST_F(TftpInterop, Busybox) {
  REQUIRE_TOOL("busybox");
  ASSERT_TRUE(run_client(
      {"busybox", "tftp", "-b", "1468", "-p", "-l", local("up.bin"), "-r", "bb-up.bin", "127.0.0.1", port_str()}));
  EXPECT_EQ(slurp(root() / "bb-up.bin"), small_);
  ASSERT_TRUE(run_client(
      {"busybox", "tftp", "-b", "512", "-g", "-r", "small.bin", "-l", local("bb-down.bin"), "127.0.0.1", port_str()}));
  EXPECT_EQ(slurp(work_ / "bb-down.bin"), small_);
}

// 40 MiB: at blksize 512 that is 81,921 DATA packets, so the block number wraps past 65535.
TEST_F(TftpInterop, Big40MiBRolloverAndUbootBlksize) {
  REQUIRE_TOOL("curl");
  REQUIRE_TOOL("tftp");
  REQUIRE_TOOL("busybox");
  REQUIRE_TOOL("atftp");
  auto big = random_bytes(40u << 20, 40);
  const std::string sum = sha256_hex(big);
  put_file("big.bin", big);
  test::write_bytes(work_ / "big.bin", big);
  big.clear();
  // Upload at 512 (rollover on receive).
  ASSERT_TRUE(run_client({"curl", "-sS", "--tftp-blksize", "512", "-T", local("big.bin"), url("up512.bin")}));
  EXPECT_EQ(sha256_hex(slurp(root() / "up512.bin")), sum);
  // Download at 512 (tftp-hpa negotiates nothing: RFC 1350 default, rollover on send).
  ASSERT_TRUE(
      run_client({"tftp", "127.0.0.1", port_str(), "-m", "binary", "-c", "get", "big.bin", local("down512.bin")}));
  EXPECT_EQ(sha256_hex(slurp(work_ / "down512.bin")), sum);
  // Upload at U-Boot's 1468 (busybox), download at 1468 with windowsize 8 (atftp).
  ASSERT_TRUE(run_client(
      {"busybox", "tftp", "-b", "1468", "-p", "-l", local("big.bin"), "-r", "up1468.bin", "127.0.0.1", port_str()}));
  EXPECT_EQ(sha256_hex(slurp(root() / "up1468.bin")), sum);
  ASSERT_TRUE(run_client({"atftp", "--option", "blksize 1468", "--option", "windowsize 8", "-g", "-r", "big.bin", "-l",
                          local("down1468.bin"), "127.0.0.1", port_str()}));
  EXPECT_EQ(sha256_hex(slurp(work_ / "down1468.bin")), sum);
  // The server's own SHA-256 of each transfer agrees.
  int ok = 0;
  for (auto& r : server_->finished())
    if (r.ok && r.bytes == (40u << 20)) ok += r.sha256 == sum;
  EXPECT_EQ(ok, 4);
}
