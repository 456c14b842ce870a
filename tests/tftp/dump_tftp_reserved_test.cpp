// SPDX-License-Identifier: MIT
// Issue 13 item 3 on the TFTP route: `dump tftp --chunk 32M` on a 64 MiB T31 sim used to stage
// 0x80600000..0x82600000, over U-Boot's stack and heap (the sim's U-Boot then hangs, as a real
// one would). Now the chunk is made smaller with a warning and the whole flash arrives intact.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "mini_client.hpp"
#include "support/process.hpp"
#include "support/paths.hpp"

using namespace camdump;
using namespace camdump::test;

const std::string kCamdump = camdump::test::camdump_exe();

TEST(DumpTftpReserved, Chunk32MIsSplitBelowUboot) {
  TempDir dir("camdump-dump-tftp-reserved");
  auto img = random_bytes(32u << 20, 77);
  write_bytes(dir / "flash.bin", img);
  std::string listen = "127.0.0.1:" + std::to_string(free_udp_port());
  auto p = Process::spawn({kCamdump, "dump", "tftp", "sim:" + (dir / "flash.bin").string() + ",tftpput=1,state=uboot",
                           "-o", (dir / "out.bin").string(), "--server-ip", "127.0.0.1", "--camera-ip", "keep",
                           "--listen", listen, "--chunk", "32M", "--json"},
                          {.stdout_file = (dir / "stdout.txt").string(), .stderr_file = (dir / "stderr.txt").string()});
  auto st = p.wait_exit(std::chrono::seconds(600));
  if (!st) p.stop();
  ASSERT_TRUE(st && WIFEXITED(*st));
  const std::string err = read_file(dir / "stderr.txt");
  ASSERT_EQ(WEXITSTATUS(*st), 0) << err;
  auto j = nlohmann::json::parse(read_file(dir / "stdout.txt"));
  const uint64_t chunk = j["chunk"];
  EXPECT_LE(0x80600000u + chunk, 0x81e00000u);  // below the stack (bdinfo boot_params 0x81F6BF60)
  EXPECT_GE(chunk, 16u << 20);
  EXPECT_EQ(j["chunks"], 2);
  EXPECT_NE(err.find("--chunk 32 MiB does not fit"), std::string::npos) << err;
  EXPECT_NE(err.find("boot_params"), std::string::npos) << err;
  EXPECT_EQ(read_file(dir / "out.bin"), std::string(img.begin(), img.end()));
}
