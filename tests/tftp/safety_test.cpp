// SPDX-License-Identifier: MIT
// Issue 17 items 3 and 5, and the server/inbox defects of issue 16: a parallel upload of NAME.part
// cannot replace NAME's bytes (temporary files are unique and unreachable, and the logged hash is
// of what ends up under NAME); control characters in names are refused and names are escaped and
// capped in every log line; ERROR packets never show the server's root; wait_upload() returns
// once the server has stopped; TftpInbox reports only on its caller's thread and leaves no
// temporary directory behind when its server cannot start.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "core/hash.hpp"
#include "dump/tftp_inbox.hpp"
#include "mini_client.hpp"
#include "server_fixture.hpp"
#include "tftp/udp.hpp"

using namespace camdump;
using namespace camdump::test;
using tftp::ErrorCode;
namespace fs = std::filesystem;

namespace {

// A hand-driven upload: the test decides when each DATA block goes out.
class SlowUpload {
 public:
  SlowUpload(uint16_t port, const std::string& name) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto to = *tftp::parse_endpoint("127.0.0.1:" + std::to_string(port), 0);
    auto wrq = tftp::build_wrq(name);
    ::sendto(fd_, wrq.data(), wrq.size(), 0, reinterpret_cast<const sockaddr*>(&to.addr), sizeof to.addr);
    last_ = receive();
  }
  ~SlowUpload() { ::close(fd_); }
  tftp::Packet send(uint16_t block, const std::vector<uint8_t>& payload) {
    auto d = tftp::build_data(block, payload);
    ::sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&tid_), sizeof tid_);
    return receive();
  }
  const tftp::Packet& first() const { return last_; }

 private:
  tftp::Packet receive() {
    uint8_t buf[1024];
    socklen_t fl = sizeof tid_;
    ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&tid_), &fl);
    if (n <= 0) return tftp::ErrorPacket{ErrorCode::NotDefined, "no answer"};
    auto r = tftp::parse(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
    return r ? *r.packet : tftp::ErrorPacket{ErrorCode::NotDefined, "unparsable"};
  }
  int fd_ = -1;
  sockaddr_in tid_{};
  tftp::Packet last_;
};

bool is_ack(const tftp::Packet& p, uint16_t block) {
  auto* a = std::get_if<tftp::Ack>(&p);
  return a && a->block == block;
}

}  // namespace

TEST_F(TftpServerTest, ParallelUploadOfDotPartCannotReplaceTheBytesOfName) {
  tftp::ServerConfig cfg;
  cfg.allow_overwrite = true;
  start(cfg);
  auto first = random_bytes(512, 1), last = random_bytes(100, 2), other = random_bytes(3000, 3);
  SlowUpload x(port(), "x");
  ASSERT_TRUE(is_ack(x.first(), 0));
  ASSERT_TRUE(is_ack(x.send(1, first), 1));
  MiniClient c(port());
  ASSERT_TRUE(c.put("x.part", other).ok);  // an ordinary name for a client
  ASSERT_TRUE(is_ack(x.send(2, last), 2));
  std::vector<uint8_t> expect = first;
  expect.insert(expect.end(), last.begin(), last.end());
  EXPECT_EQ(slurp(root() / "x"), expect);
  EXPECT_EQ(slurp(root() / "x.part"), other);
  auto r = server_->wait_upload("x", std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sha256, sha256_hex(slurp(root() / "x")));
}

TEST_F(TftpServerTest, TheServersTemporaryNamesCannotBeUploadedOrRead) {
  start();
  MiniClient c(port());
  auto up = c.put(".camdump-tmp-0011223344556677", random_bytes(10, 4));
  EXPECT_FALSE(up.ok);
  EXPECT_EQ(up.error_code, ErrorCode::AccessViolation);
  put_file(".camdump-tmp-aa", random_bytes(10, 5));
  EXPECT_EQ(c.get(".camdump-tmp-aa").error_code, ErrorCode::AccessViolation);
}

TEST_F(TftpServerTest, ControlCharactersInNamesAreRefusedAndEscapedInTheLog) {
  start();
  MiniClient c(port());
  const std::string forged = "fw.bin\nsha256: 0000000000000000\nfw.bin";
  auto up = c.put(forged, random_bytes(10, 6));
  EXPECT_FALSE(up.ok);
  EXPECT_EQ(up.error_code, ErrorCode::AccessViolation);
  EXPECT_NE(up.error.find("control characters"), std::string::npos) << up.error;
  EXPECT_FALSE(c.put("esc\x1b[2Jname", random_bytes(10, 7)).ok);
  EXPECT_FALSE(c.get("a\rb").ok);
  for (const auto& e : fs::directory_iterator(root())) ADD_FAILURE() << "written: " << e.path();
  bool logged = false;
  for (const auto& line : reporter_.lines()) {
    EXPECT_EQ(line.find_first_of("\n\r\x1b"), std::string::npos) << line;
    logged |= line.find("fw.bin\\x0asha256") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(TftpServerTest, ErrorsDoNotShowTheRootAndLongNamesAreCappedInTheLog) {
  start();
  MiniClient c(port());
  const std::string longname(300, 'n');  // longer than NAME_MAX: the final rename fails
  auto up = c.put(longname, random_bytes(600, 8));
  EXPECT_FALSE(up.ok);
  EXPECT_EQ(up.error.find(root().string()), std::string::npos) << up.error;
  EXPECT_EQ(up.error.find("camdump-tftp"), std::string::npos) << up.error;
  for (const auto& e : fs::directory_iterator(root())) ADD_FAILURE() << "left behind: " << e.path();
  bool capped = false;
  for (const auto& line : reporter_.lines()) {
    EXPECT_EQ(line.find(std::string(tftp::kEchoedNameMax + 1, 'n')), std::string::npos) << line;
    capped |= line.find("...(300 bytes)") != std::string::npos;
  }
  EXPECT_TRUE(capped);
}

TEST(TftpServer, WaitUploadReturnsOnceTheServerHasStopped) {
  TempDir root("camdump-tftp-ended");
  tftp::ServerConfig cfg;
  cfg.root = root.path();
  cfg.listen = *tftp::parse_endpoint("127.0.0.1:0", 0);
  tftp::Server server(cfg, null_reporter());
  std::thread t([&] { server.run(); });
  server.stop();
  t.join();
  // A stopped server receives nothing more: waiting must not last until the timeout (30 minutes
  // in TftpInbox). The watchdog only unblocks a broken build; it is generous on purpose.
  std::atomic<bool> watchdog{false}, done{false};
  std::thread w([&] {
    for (int i = 0; i < 1200 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    watchdog = true;
  });
  auto r = server.wait_upload("never", std::chrono::minutes(30), &watchdog);
  const bool by_watchdog = watchdog.load();
  done = true;
  w.join();
  EXPECT_FALSE(r);
  EXPECT_FALSE(by_watchdog) << "wait_upload waited although the server had stopped";
  EXPECT_TRUE(server.ended());
}

namespace {

// Records which threads call it: a Reporter that is not thread-safe may only see one.
class ThreadRecordingReporter : public Reporter {
 public:
  void log(LogLevel, std::string_view) override { note(); }
  void progress(const Progress&) override { note(); }
  bool only_owner() const { return !other_; }
  size_t calls() const { return calls_; }
  std::thread::id owner = std::this_thread::get_id();

 private:
  void note() {
    ++calls_;
    if (std::this_thread::get_id() != owner) other_ = true;
  }
  std::atomic<bool> other_{false};
  std::atomic<size_t> calls_{0};
};

}  // namespace

TEST(TftpInbox, ReportsOnlyOnTheCallersThread) {
  ThreadRecordingReporter rep;
  std::vector<uint8_t> got;
  {
    dump::TftpInbox inbox("127.0.0.1:0", rep, nullptr);
    auto data = random_bytes(200000, 9);
    std::thread client([&] { MiniClient(inbox.port()).put("fw.bin", data); });
    got = inbox.wait_for("fw.bin", std::chrono::seconds(60));
    client.join();
    EXPECT_EQ(got, data);
  }
  EXPECT_GT(rep.calls(), 0u);  // the server's "received fw.bin ..." line was handed on
  EXPECT_TRUE(rep.only_owner()) << "the server thread called the caller's reporter";
}

// NOLINTBEGIN(concurrency-mt-unsafe): no other thread reads the environment while these two tests change it
// (the inbox and the client thread start after setenv and end before the old values come back)
TEST(TftpInbox, LeavesNoTemporaryDirectoryWhenTheServerCannotStart) {
  TempDir tmp("camdump-inbox-tmp");
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  auto taken = tftp::UdpSocket::bind(*tftp::parse_endpoint("127.0.0.1:0", 0));
  EXPECT_THROW(dump::TftpInbox("127.0.0.1:" + std::to_string(taken.local().port()), null_reporter(), nullptr), Error);
  if (old) ::setenv("TMPDIR", saved.c_str(), 1);
  else ::unsetenv("TMPDIR");
  for (const auto& e : fs::directory_iterator(tmp.path())) ADD_FAILURE() << "left behind: " << e.path();
}

// Issue 17 item 4: the routes' inbox started as root (sudo for port 69) writes, reads and removes
// uploads as the invoking user, never as root.
TEST(TftpInbox, StartedAsRootHandlesUploadsAsTheSudoUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const char* keys[] = {"SUDO_UID", "SUDO_GID"};
  std::vector<std::optional<std::string>> saved;
  for (const char* k : keys)
    saved.push_back(std::getenv(k) ? std::optional<std::string>(std::getenv(k)) : std::nullopt);
  ::setenv("SUDO_UID", "4242", 1);
  ::setenv("SUDO_GID", "4243", 1);
  {
    dump::TftpInbox inbox("127.0.0.1:0", null_reporter(), nullptr);
    ASSERT_TRUE(inbox.identity());
    struct stat st {};
    ASSERT_EQ(::stat(inbox.directory().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 4242u);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    auto data = random_bytes(70000, 3);
    std::thread client([&] { MiniClient(inbox.port()).put("fw.bin", data); });
    const fs::path stored = inbox.directory() / "fw.bin";
    for (int i = 0; i < 600 && ::stat(stored.c_str(), &st) != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(::stat(stored.c_str(), &st), 0) << "the upload never landed";
    EXPECT_EQ(st.st_uid, 4242u) << "the upload was written as root";
    EXPECT_EQ(st.st_gid, 4243u);
    EXPECT_EQ(inbox.wait_for("fw.bin", std::chrono::seconds(60)), data);
    client.join();
  }
  for (size_t i = 0; i < 2; ++i) saved[i] ? ::setenv(keys[i], saved[i]->c_str(), 1) : ::unsetenv(keys[i]);
}
// NOLINTEND(concurrency-mt-unsafe)
