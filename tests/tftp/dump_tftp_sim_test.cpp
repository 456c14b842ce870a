// SPDX-License-Identifier: MIT
// `camdump dump tftp` against the virtual camera (sim:, whose tftpput sends real TFTP packets to
// 127.0.0.1:tftpdstp): chunked upload verified by the device's crc32 gives the exact image; a
// U-Boot without tftpput is refused with the routes that work.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "core/hash.hpp"
#include "mini_client.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace camdump::test;

namespace {

int camdump_status(const std::vector<std::string>& args, const TempDir& dir) {
  return run_camdump(args, dir.path(), std::chrono::seconds(120)).status;
}

}  // namespace

TEST(DumpTftpSim, ChunkedUploadsGiveTheExactImage) {
  TempDir dir("camdump-dump-tftp");
  auto img = random_bytes(1u << 20, 51);
  write_bytes(dir / "flash.bin", img);
  std::string listen = "127.0.0.1:" + std::to_string(free_udp_port());
  int rc = camdump_status({"dump", "tftp", "sim:" + (dir / "flash.bin").string() + ",tftpput=1,state=uboot", "-o",
                           (dir / "out.bin").string(), "--server-ip", "127.0.0.1", "--camera-ip", "keep", "--listen",
                           listen, "--chunk", "256K"},
                          dir);
  ASSERT_EQ(rc, 0) << read_file(dir / "stderr.txt");
  EXPECT_EQ(read_file(dir / "out.bin"), std::string(img.begin(), img.end()));
  EXPECT_NE(read_file(dir / "stdout.txt").find("4 chunk(s)"), std::string::npos) << read_file(dir / "stdout.txt");
  EXPECT_NE(read_file(dir / "stdout.txt").find(sha256_hex(img)), std::string::npos);
}

TEST(DumpTftpSim, WithoutTftpputNamesTheRoutesThatWork) {
  TempDir dir("camdump-dump-tftp");
  write_file(dir / "flash.bin", std::string(65536, 'x'));
  int rc = camdump_status(
      {"dump", "tftp", "sim:" + (dir / "flash.bin").string() + ",state=uboot", "-o", (dir / "out.bin").string(),
       "--server-ip", "127.0.0.1", "--camera-ip", "keep", "--listen", "127.0.0.1:0"},
      dir);
  EXPECT_EQ(rc, 1);
  auto err = read_file(dir / "stderr.txt");
  EXPECT_NE(err.find("no tftpput"), std::string::npos) << err;
  EXPECT_NE(err.find("dump uart"), std::string::npos) << err;
  EXPECT_NE(err.find("dump sd"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.bin"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out.bin.part"));
}
