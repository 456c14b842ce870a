// SPDX-License-Identifier: MIT
// The virtual camera's tftpput sends real TFTP to 127.0.0.1: a tiny receiver in the test (OACK
// blksize, or plain RFC 1350 ACK 0) gets exactly the bytes of RAM; the output is U-Boot's.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "core/crc32.hpp"
#include "sim_test_util.hpp"
#include "tftp/packet.hpp"

using namespace camdump;
using camdump::sim::testing::Cam;

namespace {

int udp_socket(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t l = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  if (port) *port = ntohs(a.sin_port);
  return fd;
}

// Receives one upload; `oack` answers the WRQ with OACK blksize (else ACK 0, 512-byte blocks).
// The first `refuse` WRQs get ERROR 3 "Disk full" instead, which U-Boot answers by starting again;
// wrq_ports are the client ports every WRQ came from.
struct Receiver {
  uint16_t port = 0;
  int fd;
  std::string filename;
  std::vector<uint8_t> data;
  std::vector<tftp::Option> wrq_options;
  std::vector<uint16_t> wrq_ports;
  std::thread th;
  explicit Receiver(bool oack, int refuse = 0) : fd(udp_socket(&port)) {
    th = std::thread([this, oack, refuse] { run(oack, refuse); });
  }
  ~Receiver() {
    if (th.joinable()) th.join();
    ::close(fd);
  }
  void run(bool oack, int refuse) {
    uint8_t buf[70000];
    sockaddr_in peer{};
    socklen_t pl = sizeof peer;
    ssize_t n = 0;
    for (int i = 0; i <= refuse; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0) return;
      n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &pl);
      wrq_ports.push_back(ntohs(peer.sin_port));
      if (i < refuse) {
        auto e = tftp::build_error(tftp::ErrorCode::DiskFull, "Disk full");
        ::sendto(fd, e.data(), e.size(), 0, reinterpret_cast<sockaddr*>(&peer), pl);
      }
    }
    auto r = tftp::parse({buf, static_cast<size_t>(n)});
    if (!r) return;
    auto* req = std::get_if<tftp::Request>(&*r.packet);
    if (!req || !req->write) return;
    filename = req->filename;
    wrq_options = req->options;
    int t = udp_socket(nullptr);  // our TID
    uint32_t blksize = 512;
    std::vector<uint8_t> reply;
    if (oack) {
      blksize = tftp::kUbootBlksize;
      reply = tftp::build_oack({{"blksize", std::to_string(blksize)}});
    } else {
      reply = tftp::build_ack(0);
    }
    ::sendto(t, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), pl);
    uint16_t expect = 1;
    while (true) {
      pollfd q{t, POLLIN, 0};
      if (::poll(&q, 1, 10000) <= 0) break;
      n = ::recv(t, buf, sizeof buf, 0);
      auto d = tftp::parse({buf, static_cast<size_t>(n)});
      auto* data_pkt = d ? std::get_if<tftp::Data>(&*d.packet) : nullptr;
      if (!data_pkt) continue;
      size_t len = data_pkt->payload.size();
      if (data_pkt->block == expect) {
        data.insert(data.end(), data_pkt->payload.begin(), data_pkt->payload.end());
        ++expect;
      }
      auto ack = tftp::build_ack(data_pkt->block);
      ::sendto(t, ack.data(), ack.size(), 0, reinterpret_cast<sockaddr*>(&peer), pl);
      if (len < blksize) break;
    }
    ::close(t);
  }
};

}  // namespace

TEST(SimTftpput, UploadsRamExactlyWithOack) {
  Receiver rx(true);
  Cam c("sim:state=uboot,dialect=modern,tftpput=1");
  EXPECT_NE(c.cmd("help").find("tftpput   - TFTP put command"), std::string::npos);
  c.cmd("sf probe; sf read 0x80600000 0 0x100000");
  c.cmd(fmt::format("setenv ipaddr 10.0.2.15; setenv serverip 127.0.0.1; setenv tftpdstp {}", rx.port));
  std::string out = c.cmd("tftpput 0x80600000 0x100000 dump.bin");
  rx.th.join();
  const std::string head =
      "Using eth0 device\r\nTFTP to server 127.0.0.1; our IP address is 10.0.2.15\r\nFilename 'dump.bin'.\r\n"
      "Save address: 0x80600000\r\nSave size:    0x100000\r\nSaving: *\b#";
  EXPECT_EQ(out.substr(0, head.size()), head);
  EXPECT_NE(out.find("done\r\nBytes transferred = 1048576 (100000 hex)\r\n"), std::string::npos) << out;
  EXPECT_EQ(rx.filename, "dump.bin");
  EXPECT_EQ(rx.wrq_options, (std::vector<tftp::Option>{{"timeout", "5"}, {"blksize", "1468"}}));
  auto fl = c.cam().flash().subspan(0, 0x100000);
  ASSERT_EQ(rx.data.size(), fl.size());
  EXPECT_TRUE(std::equal(fl.begin(), fl.end(), rx.data.begin()));
}

TEST(SimTftpput, PlainAckAndThinginoOutput) {
  Receiver rx(false);
  Cam c("sim:state=uboot,tftpput=1");
  c.cmd("mw.b 0x80600000 0x5a 0x400");
  c.cmd(fmt::format("setenv ipaddr 192.168.1.10; setenv tftpdstp {}", rx.port));
  EXPECT_EQ(c.cmd("tftpput 0x80600000 0x400 x.bin"), "*** ERROR: `serverip' not set\r\n");
  std::string out = c.cmd("tftpput 0x80600000 0x400 127.0.0.1:x.bin");
  rx.th.join();
  EXPECT_EQ(out.substr(0, 60), "TFTP:  Using Jz4775-9161 device\r\nTFTP:  TFTP to server 127.0");
  EXPECT_NE(out.find("... done\r\nNet:   Bytes transferred = 1024 (400 hex)\r\n"), std::string::npos) << out;
  // 1024 = 2 full 512-byte blocks, then the empty block that ends the transfer.
  EXPECT_EQ(rx.data, std::vector<uint8_t>(1024, 0x5a));
}

TEST(SimTftpput, StartsAgainFromANewPortAfterAnError) {
  // net/tftp.c: an ERROR other than 1 or 2 restarts the transfer, and tftp_start() takes a new
  // local port, so nothing late from the refused transfer can be taken for the new one.
  Receiver rx(true, 2);
  Cam c("sim:state=uboot,dialect=modern,tftpput=1");
  c.cmd("mw.b 0x80600000 0xa5 0x1000");
  c.cmd(fmt::format("setenv ipaddr 10.0.2.15; setenv serverip 127.0.0.1; setenv tftpdstp {}", rx.port));
  std::string out = c.cmd("tftpput 0x80600000 0x1000 again.bin");
  rx.th.join();
  EXPECT_NE(out.find("TFTP error: 'Disk full' (3)\r\nStarting again\r\n\r\nSaving: *\b"), std::string::npos) << out;
  EXPECT_NE(out.find("Bytes transferred = 4096 (1000 hex)"), std::string::npos) << out;
  ASSERT_EQ(rx.wrq_ports.size(), 3u);
  EXPECT_NE(rx.wrq_ports[0], rx.wrq_ports[1]);
  EXPECT_NE(rx.wrq_ports[1], rx.wrq_ports[2]);
  EXPECT_EQ(rx.data, std::vector<uint8_t>(0x1000, 0xa5));
}

TEST(SimTftpput, AbsentByDefault) {
  Cam c("sim:state=uboot");
  EXPECT_EQ(c.cmd("tftpput 0x80600000 0x400 x.bin"), "Unknown command 'tftpput' - try 'help'\r\n");
}
