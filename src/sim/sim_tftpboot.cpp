// SPDX-License-Identifier: MIT
// `tftpboot [ADDR] [[hostIP:]file]` of the virtual camera: real TFTP over UDP from 127.0.0.1 to
// serverip:tftpdstp (env, default port 69), as U-Boot's net/tftp.c reads a file: RRQ "octet" with
// `timeout 5` and `blksize 1468`, adopt the server's TID, ACK 0 after an OACK, ACK each DATA
// block (a duplicate is ACKed again, not stored twice), the transfer ends at a block shorter than
// blksize; retransmission after each timeout (10 tries), an ERROR packet stops it. Output as
// net/tftp.c + net/net.c print it (docs/reference/uboot-console.md#tftpboot): `Using eth0 device`,
// `TFTP from server ...; our IP address is ...`, `Filename '...'.`, `Load address: 0x...`,
// `Loading: ###`, `done`, `Bytes transferred = N (hex hex)`, with the Thingino fork's `TFTP:  `
// prefixes; `filesize` is set. Data lands in RAM as it arrives (U-Boot's reserved area hangs the
// board, guard=1). Only 127.0.0.1 is ever contacted; any other serverip times out.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "core/size.hpp"
#include "sim/sim_machine.hpp"
#include "sim/sim_texts.hpp"
#include "sim/sim_tftp_client.hpp"
#include "tftp/packet.hpp"

namespace camdump::sim {
namespace {

constexpr int kMaxTries = 10;  // TIMEOUT_COUNT

class TftpGet : public Job {
 public:
  TftpGet(uint64_t addr, std::string file, uint16_t port, bool reachable, int timeout_ms, bool thingino)
      : addr_(addr),
        file_(std::move(file)),
        port_(port),
        reachable_(reachable),
        timeout_ms_(timeout_ms),
        thingino_(thingino) {}
  ~TftpGet() override {
    if (fd_ >= 0) ::close(fd_);
  }

  bool step(Machine& m, size_t) override {
    if (fd_ < 0 && !start(m)) return finish(m, false);
    for (int i = 0; i < 128; ++i) {  // up to 128 blocks per step so the hash marks stream out
      const int r = receive(m);
      if (r < 0) return finish(m, false);
      if (done_) return finish(m, true);
    }
    return false;
  }

 private:
  bool start(Machine& m) {
    start_time_ = std::chrono::steady_clock::now();
    fd_ = open_tftp_socket(m, port_, server_);
    if (fd_ < 0) return false;
    m.out("Loading: ");
    last_ = tftp::build_rrq(file_, {{"timeout", "5"}, {"blksize", std::to_string(tftp::kUbootBlksize)}});
    return send(last_);
  }

  bool send(const std::vector<uint8_t>& pkt) {
    if (!reachable_) return true;
    return ::sendto(fd_, pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&server_), sizeof server_) >= 0;
  }

  // Wait for the next packet and answer it. -1 = failed (message printed), 1 = progress.
  int receive(Machine& m) {
    uint8_t buf[tftp::kMaxPacket];
    for (int tries = 0;;) {
      pollfd p{fd_, POLLIN, 0};
      int r = reachable_ ? ::poll(&p, 1, timeout_ms_) : (::usleep(static_cast<useconds_t>(timeout_ms_) * 1000), 0);
      if (r <= 0) {
        m.out("T ");
        if (++tries >= kMaxTries) {
          m.out("\nRetry count exceeded; starting again\n");
          return -1;  // the sim gives up where U-Boot would start again forever
        }
        send(last_);
        continue;
      }
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t got = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (got < 0) continue;
      if (peer_known_ && from.sin_port != server_.sin_port) continue;  // another TID: ignore
      auto res = tftp::parse({buf, static_cast<size_t>(got)});
      if (!res) continue;
      if (auto* e = std::get_if<tftp::ErrorPacket>(&*res.packet)) {
        m.out(fmt::format("\nTFTP error: '{}' ({})\n", e->message, static_cast<unsigned>(e->code)));
        m.out("Not retrying...\n");
        return -1;
      }
      if (!peer_known_) {
        server_.sin_port = from.sin_port;
        peer_known_ = true;
      }
      if (auto* o = std::get_if<tftp::Oack>(&*res.packet)) {
        auto opts = tftp::decode_options(o->options);
        if (opts.blksize) blksize_ = *opts.blksize;
        last_ = tftp::build_ack(0);
        send(last_);
        return 1;
      }
      auto* d = std::get_if<tftp::Data>(&*res.packet);
      if (!d) continue;
      if (d->block != static_cast<uint16_t>(block_ + 1)) {  // a duplicate: ACK it again
        send(tftp::build_ack(d->block));
        continue;
      }
      const uint64_t n = d->payload.size();
      if (n) {
        if (m.clobbers_uboot(addr_ + size_, n)) return -1;
        uint8_t* dst = m.mem(addr_ + size_, n, true);
        if (!dst) {
          m.crash();
          return -1;
        }
        std::memcpy(dst, d->payload.data(), n);
      }
      size_ += n;
      ++block_;
      if ((block_ - 1) % 10 == 0) m.out("#");  // show_block_marker()
      else if (block_ % 650 == 0) m.out("\n\t ");
      last_ = tftp::build_ack(d->block);
      send(last_);
      if (n < blksize_) done_ = true;
      return 1;
    }
  }

  bool finish(Machine& m, bool ok) {
    if (!ok) {
      m.job_.fail();
      return true;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time_).count();
    uint64_t rate = static_cast<uint64_t>(static_cast<double>(size_) / std::max(secs, 1e-3));
    if (thingino_)
      m.out(fmt::format("\nTFTP:  {}/s... done\nNet:   Bytes transferred = {} ({:x} hex)\n", print_size(rate), size_,
                        size_));
    else m.out(fmt::format("\n\t {}/s\ndone\nBytes transferred = {} ({:x} hex)\n", print_size(rate), size_, size_));
    m.env_["filesize"] = fmt::format("{:x}", size_);
    return true;
  }

  uint64_t addr_, size_ = 0;
  std::string file_;
  uint16_t port_;
  bool reachable_;
  int timeout_ms_;
  bool thingino_;
  int fd_ = -1;
  sockaddr_in server_{};
  bool peer_known_ = false, done_ = false;
  uint32_t block_ = 0, blksize_ = 512;
  std::vector<uint8_t> last_;
  std::chrono::steady_clock::time_point start_time_;
};

}  // namespace

bool Machine::cmd_tftpboot(Args& a) {
  auto env = [&](const char* k) {
    auto it = env_.find(k);
    return it == env_.end() ? std::string() : it->second;
  };
  uint64_t addr = kSimRamBase + 0x600000;
  if (auto v = parse_hex(env("loadaddr"))) addr = *v;
  std::string file;
  if (a.size() == 3) {
    auto v = parse_hex(a[1]);
    if (!v) {
      usage("tftpboot");
      return false;
    }
    addr = *v;
    file = a[2];
  } else if (a.size() == 2) {
    if (auto v = parse_hex(a[1])) addr = *v;
    else file = a[1];
  } else if (a.size() > 3) {
    usage("tftpboot");
    return false;
  }
  if (file.empty()) file = env("bootfile");
  auto t = tftp_setup(*this, file);
  if (!t) return false;
  out(tftp_banner(*t, "from"));
  out(fmt::format("{}Load address: 0x{:x}\n", t->prefix, addr));
  start_job(std::make_unique<TftpGet>(addr, t->file, t->port, t->reachable, t->timeout_ms, t->thingino));
  return true;
}

}  // namespace camdump::sim
