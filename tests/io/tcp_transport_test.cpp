// SPDX-License-Identifier: MIT
// tcp: against a test server on 127.0.0.1, and through ser2net to a pty the test owns.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "io/open_port.hpp"
#include "io_test_util.hpp"
#include "support/process.hpp"
#include "support/pty.hpp"
#include "support/ser2net.hpp"

using namespace camdump;
using namespace camdump::io;
using namespace camdump::io::testing;
using namespace std::chrono_literals;

namespace {
// Listens on 127.0.0.1:port, accepts one client and echoes what it sends until it hangs up.
class EchoServer {
 public:
  EchoServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::listen(fd_, 1);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        conn_ = c;
        if (stopping_) ::shutdown(c, SHUT_RDWR);  // hung up between accept and here
      }
      char buf[4096];
      ssize_t n;
      while ((n = ::read(c, buf, sizeof buf)) > 0)
        camdump::test::write_all(c, std::string_view(buf, static_cast<size_t>(n)));
    });
  }
  ~EchoServer() {
    // Hang up: stop a pending accept, and end the echo loop of an accepted connection (whose
    // client may still be open) so the thread can be joined.
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      if (conn_ >= 0) ::shutdown(conn_, SHUT_RDWR);
    }
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    if (conn_ >= 0) ::close(conn_);
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  int fd_;
  std::mutex mu_;
  int conn_ = -1;  // the accepted connection (under mu_)
  bool stopping_ = false;
  uint16_t port_;
  std::thread thread_;
};
}  // namespace

TEST(TcpTransport, EchoServerReturnsAllBytes) {
  EchoServer server;
  auto t = open_port("tcp:127.0.0.1:" + std::to_string(server.port()));
  EXPECT_TRUE(t->eight_bit_clean());
  EXPECT_EQ(t->describe(), "tcp:127.0.0.1:" + std::to_string(server.port()));
  std::string all = all_bytes();
  for (int i = 0; i < 16; ++i) t->write(all);
  std::string back = read_n(*t, 4096, 3000ms);
  ASSERT_EQ(back.size(), 4096u);
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(back.substr(i * 256, 256), all);
  uint8_t b[8];
  EXPECT_EQ(t->read(b, 20ms), 0u);  // timeout: nothing more
  EXPECT_FALSE(t->set_baud(9600));
}

TEST(TcpTransport, ClosedPeerIsAnIoError) {
  auto server = std::make_unique<EchoServer>();
  auto t = open_port("tcp:localhost:" + std::to_string(server->port()));
  server.reset();  // hangs up
  uint8_t b[8];
  EXPECT_THROW(
      {
        for (int i = 0; i < 50; ++i) t->read(b, 100ms);
      },
      Error);
}

TEST(TcpTransport, ConnectionRefusedHasAHint) {
  uint16_t port = camdump::test::free_tcp_port();
  try {
    open_port("tcp:127.0.0.1:" + std::to_string(port));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("connection refused"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("ser2net"), std::string::npos);
  }
}

TEST(TcpTransport, ThroughSer2netToAPtyBothWaysEqual) {
  if (!camdump::test::Ser2net::available()) GTEST_SKIP() << "ser2net not installed";
  camdump::test::PtyPair pty;
  auto s = camdump::test::Ser2net::start(pty.slave_path());
  auto t = open_port(s.raw_spec());
  std::string all = all_bytes();
  t->write(all);
  EXPECT_EQ(camdump::test::read_fd_n(pty.master(), 256, 3000ms), all);
  ASSERT_TRUE(camdump::test::write_all(pty.master(), all));
  EXPECT_EQ(read_n(*t, 256, 3000ms), all);
}
