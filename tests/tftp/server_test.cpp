// SPDX-License-Identifier: MIT
// camdump's TFTP server against the test client: option negotiation, rename before the final ACK,
// confinement to the root, no overwrite, size limit, error codes, concurrency, the completion
// report (peer, size, SHA-256) and wait_upload().
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <future>

#include "core/hash.hpp"
#include "mini_client.hpp"
#include "server_fixture.hpp"

using namespace camdump;
using namespace camdump::test;
using tftp::ErrorCode;

TEST_F(TftpServerTest, UploadIsRenamedBeforeFinalAckAndReported) {
  start();
  auto data = random_bytes(100000, 1);
  MiniClient c(port());
  TftpClientOptions o;
  o.blksize = 1468;
  o.tsize = data.size();
  o.check_path = (root() / "up.bin").string();
  auto r = c.put("up.bin", data, o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.final_file_present) << "final ACK arrived before the file was renamed";
  EXPECT_EQ(tftp::decode_options(r.oack).blksize, 1468u);
  EXPECT_EQ(tftp::decode_options(r.oack).tsize, data.size());
  EXPECT_EQ(slurp(root() / "up.bin"), data);
  EXPECT_FALSE(std::filesystem::exists(root() / "up.bin.part"));
  struct stat st {};
  ASSERT_EQ(::stat((root() / "up.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto rep = server_->wait_upload("up.bin", std::chrono::seconds(5));
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->bytes, data.size());
  EXPECT_EQ(rep->sha256, sha256_hex(data));
  EXPECT_EQ(rep->peer.rfind("127.0.0.1:", 0), 0u);
  EXPECT_FALSE(server_->wait_upload("up.bin", std::chrono::milliseconds(50))) << "each upload is handed out once";
  bool logged = false;
  for (auto& l : reporter_.lines()) logged |= l.find(sha256_hex(data)) != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(TftpServerTest, DownloadWithWindowsizeAndTsize) {
  start();
  auto data = random_bytes(300000, 2);
  put_file("fw.bin", data);
  MiniClient c(port());
  TftpClientOptions o;
  o.blksize = 1024;
  o.windowsize = 8;
  o.tsize = 0;
  auto r = c.get("fw.bin", o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.data, data);
  auto agreed = tftp::decode_options(r.oack);
  EXPECT_EQ(agreed.tsize, data.size());
  EXPECT_EQ(agreed.windowsize, 8u);
}

TEST_F(TftpServerTest, ExactMultipleOfBlksizeEndsWithEmptyBlock) {
  start();
  auto data = random_bytes(size_t{512} * 8, 3);
  put_file("even.bin", data);
  MiniClient c(port());
  auto r = c.get("even.bin");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.data, data);
  auto up = c.put("even2.bin", data);
  ASSERT_TRUE(up.ok) << up.error;
  EXPECT_EQ(slurp(root() / "even2.bin"), data);
}

TEST_F(TftpServerTest, PathEscapesAreRefusedAndNothingIsWritten) {
  start();
  TempDir outside("camdump-tftp-outside");
  put_file("inside.bin", {1, 2, 3});
  test::write_file(outside / "secret", "secret");
  std::filesystem::create_symlink(outside / "secret", root() / "link");
  std::filesystem::create_directory_symlink(outside.path(), root() / "out");
  MiniClient c(port());
  for (std::string name : {"../secret", "/etc/passwd", "a/../../secret", "link", "out/secret"}) {
    auto r = c.get(name);
    EXPECT_FALSE(r.ok) << name;
    EXPECT_EQ(r.error_code, ErrorCode::AccessViolation) << name << ": " << r.error;
  }
  for (std::string name : {"../evil", "/tmp/evil", "out/evil", "link"}) {
    auto r = c.put(name, {9, 9, 9});
    EXPECT_FALSE(r.ok) << name;
    EXPECT_EQ(r.error_code, ErrorCode::AccessViolation) << name << ": " << r.error;
  }
  EXPECT_FALSE(std::filesystem::exists(outside / "evil"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/evil"));
  EXPECT_EQ(test::read_file(outside / "secret"), "secret");
  EXPECT_EQ(c.get("missing.bin").error_code, ErrorCode::FileNotFound);
  EXPECT_EQ(c.get("inside.bin").data, (std::vector<uint8_t>{1, 2, 3}));
}

TEST_F(TftpServerTest, NoOverwriteUnlessAllowed) {
  start();
  put_file("keep.bin", {7, 7});
  MiniClient c(port());
  auto r = c.put("keep.bin", random_bytes(5000, 4));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_code, ErrorCode::FileExists);
  EXPECT_EQ(slurp(root() / "keep.bin"), (std::vector<uint8_t>{7, 7}));
  EXPECT_FALSE(std::filesystem::exists(root() / "keep.bin.part"));
}

TEST_F(TftpServerTest, OverwriteWhenAllowed) {
  tftp::ServerConfig cfg;
  cfg.allow_overwrite = true;
  start(cfg);
  put_file("fw.bin", {7, 7});
  MiniClient c(port());
  auto data = random_bytes(5000, 5);
  ASSERT_TRUE(c.put("fw.bin", data).ok);
  EXPECT_EQ(slurp(root() / "fw.bin"), data);
}

TEST_F(TftpServerTest, SizeLimitRefusesByTsizeAndWhileReceiving) {
  tftp::ServerConfig cfg;
  cfg.max_size = 10000;
  start(cfg);
  MiniClient c(port());
  TftpClientOptions o;
  o.tsize = 20000;
  auto r = c.put("big.bin", random_bytes(20000, 6), o);
  EXPECT_EQ(r.error_code, ErrorCode::DiskFull);
  auto r2 = c.put("big2.bin", random_bytes(20000, 6));  // no tsize: stopped on the way
  EXPECT_EQ(r2.error_code, ErrorCode::DiskFull);
  EXPECT_TRUE(nothing_written("big.bin"));
  EXPECT_TRUE(nothing_written("big2.bin"));
  ASSERT_TRUE(c.put("small.bin", random_bytes(10000, 7)).ok);  // exactly the limit fits
}

TEST_F(TftpServerTest, ReadOnlyWriteOnlyAndModes) {
  tftp::ServerConfig cfg;
  cfg.allow_write = false;
  start(cfg);
  put_file("a.bin", {1});
  MiniClient c(port());
  EXPECT_EQ(c.put("new.bin", {1, 2}).error_code, ErrorCode::AccessViolation);
  EXPECT_TRUE(nothing_written("new.bin"));
  EXPECT_TRUE(c.get("a.bin").ok);
}

TEST_F(TftpServerTest, AbortedUploadLeavesNothing) {
  tftp::ServerConfig cfg;
  cfg.timeout = std::chrono::milliseconds(50);
  cfg.max_retries = 2;
  start(cfg);
  // A client that sends the WRQ and two blocks, then disappears.
  MiniClient c(port());
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  auto to = *tftp::parse_endpoint("127.0.0.1:" + port_str(), 0);
  auto wrq = tftp::build_wrq("gone.bin");
  ::sendto(fd, wrq.data(), wrq.size(), 0, reinterpret_cast<const sockaddr*>(&to.addr), sizeof to.addr);
  uint8_t buf[600];
  sockaddr_in from{};
  socklen_t fl = sizeof from;
  ASSERT_GT(::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl), 0);
  auto block = random_bytes(512, 8);
  auto d1 = tftp::build_data(1, block);
  ::sendto(fd, d1.data(), d1.size(), 0, reinterpret_cast<sockaddr*>(&from), sizeof from);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_TRUE(temp_files() == 1);  // the upload's unique temporary file
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  ::close(fd);
  EXPECT_TRUE(nothing_written("gone.bin"));
  bool failed = false;
  for (auto& r : server_->finished()) failed |= (r.name == "gone.bin" && !r.ok);
  EXPECT_TRUE(failed);
}

TEST_F(TftpServerTest, ManyTransfersAtOnce) {
  start();
  std::vector<std::vector<uint8_t>> files;
  for (uint32_t i = 0; i < 6; ++i) files.push_back(random_bytes(200000 + i * 1000, 100 + i));
  put_file("src.bin", files[0]);
  std::vector<std::future<std::string>> jobs;
  for (uint32_t i = 0; i < 6; ++i)
    jobs.push_back(std::async(std::launch::async, [&, i]() -> std::string {
      MiniClient c(port());
      TftpClientOptions o;
      o.blksize = 512 + 100 * i;
      const auto up = c.put("par" + std::to_string(i), files[i], o);
      if (!up.ok) return "upload " + std::to_string(i) + ": " + up.error;
      const auto down = c.get("src.bin", o);
      if (!down.ok) return "download " + std::to_string(i) + ": " + down.error;
      return down.data == files[0] ? "" : "download " + std::to_string(i) + ": other bytes";
    }));
  for (auto& j : jobs) EXPECT_EQ(j.get(), "");
  for (uint32_t i = 0; i < 6; ++i) EXPECT_EQ(slurp(root() / ("par" + std::to_string(i))), files[i]);
}

TEST_F(TftpServerTest, UnknownTidGetsError5AndTransferContinues) {
  start();
  auto data = random_bytes(3000, 9);
  put_file("t.bin", data);
  int a = ::socket(AF_INET, SOCK_DGRAM, 0), b = ::socket(AF_INET, SOCK_DGRAM, 0);
  auto to = *tftp::parse_endpoint("127.0.0.1:" + port_str(), 0);
  auto rrq = tftp::build_rrq("t.bin");
  ::sendto(a, rrq.data(), rrq.size(), 0, reinterpret_cast<const sockaddr*>(&to.addr), sizeof to.addr);
  uint8_t buf[600];
  sockaddr_in tid{};
  socklen_t l = sizeof tid;
  ASSERT_EQ(::recvfrom(a, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&tid), &l), 516);
  auto ack = tftp::build_ack(1);
  ::sendto(b, ack.data(), ack.size(), 0, reinterpret_cast<sockaddr*>(&tid), sizeof tid);
  ssize_t n = ::recv(b, buf, sizeof buf, 0);
  auto r = tftp::parse(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<tftp::ErrorPacket>(*r.packet).code, ErrorCode::UnknownTid);
  ::sendto(a, ack.data(), ack.size(), 0, reinterpret_cast<sockaddr*>(&tid), sizeof tid);
  EXPECT_EQ(::recv(a, buf, sizeof buf, 0), 516);  // block 2 still comes to the real client
  ::close(a);
  ::close(b);
}
