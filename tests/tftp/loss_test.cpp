// SPDX-License-Identifier: MIT
// Transfers through a UDP proxy that drops, duplicates and reorders 5% of datagrams each, both
// ways: uploads and (windowed) downloads must still be byte-exact, the server must retransmit, and
// duplicates must not multiply traffic (no Sorcerer's Apprentice).
#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "mini_client.hpp"
#include "server_fixture.hpp"

using namespace camdump;
using namespace camdump::test;

TEST_F(TftpServerTest, LossyLinkUploadAndDownloadStayExact) {
  tftp::ServerConfig cfg;
  cfg.timeout = std::chrono::milliseconds(60);
  cfg.max_retries = 50;
  start(cfg);
  auto data = random_bytes(256 * 1024 + 77, 21);
  put_file("src.bin", data);
  TftpClientOptions o;
  o.rexmt = std::chrono::milliseconds(40);
  {
    LossyProxy proxy(port(), 0.05, 0.05, 0.05, 1);
    MiniClient c(proxy.port());
    o.blksize = 512;
    auto up = c.put("lossy-up.bin", data, o);
    ASSERT_TRUE(up.ok) << up.error;
    EXPECT_GT(proxy.dropped(), 0u);
    EXPECT_GT(proxy.duplicated(), 0u);
    EXPECT_GT(proxy.reordered(), 0u);
  }
  EXPECT_EQ(slurp(root() / "lossy-up.bin"), data);
  {
    LossyProxy proxy(port(), 0.05, 0.05, 0.05, 2);
    MiniClient c(proxy.port());
    o.blksize = 1024;
    o.windowsize = 4;
    auto down = c.get("src.bin", o);
    ASSERT_TRUE(down.ok) << down.error;
    EXPECT_EQ(sha256_hex(down.data), sha256_hex(data));
  }
  {
    LossyProxy proxy(port(), 0.05, 0.05, 0.05, 3);
    MiniClient c(proxy.port());
    o.blksize = 512;
    o.windowsize.reset();
    auto down = c.get("src.bin", o);
    ASSERT_TRUE(down.ok) << down.error;
    EXPECT_EQ(down.data, data);
  }
  uint64_t retransmits = 0;
  for (auto& r : server_->finished()) {
    EXPECT_TRUE(r.ok) << r.name << ": " << r.error;
    retransmits += r.retransmits;
  }
  EXPECT_GT(retransmits, 0u);
  // Duplicated ACKs must not be answered with duplicated DATA: the server's retransmissions stay
  // bounded by its timer, far below one per packet (513 blocks per transfer here).
  EXPECT_LT(retransmits, 600u);
}
