// SPDX-License-Identifier: MIT
// `tftpput ADDR SIZE [[hostIP:]file]` of the virtual camera (option tftpput=1): real TFTP over UDP
// from 127.0.0.1 to serverip:tftpdstp (default port 69), as U-Boot's net/tftp.c does it: WRQ
// "octet" with `timeout 5` and `blksize 1468`, adopt the server's TID and an OACK blksize, DATA
// blocks wrapping to 0 after 65535, an empty last block when SIZE is a multiple of the block
// size, retransmission on timeout (10 tries), ERROR 1/2 stop, other codes start again.
// Output as docs/reference/uboot-console.md#tftpput (upstream, or the Thingino fork's "TFTP:  " prefixes for
// ingenic2013). Only 127.0.0.1 is ever contacted; any other serverip times out.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "sim/sim_machine.hpp"
#include "sim/sim_tftp_client.hpp"
#include "sim/sim_texts.hpp"
#include "tftp/packet.hpp"

namespace camdump::sim {
namespace {

constexpr int kMaxTries = 10;    // TIMEOUT_COUNT
constexpr int kMaxRestarts = 3;  // U-Boot restarts forever; the sim gives up after a few

class TftpPut : public Job {
 public:
  TftpPut(const uint8_t* data, uint64_t size, std::string file, uint16_t port, bool reachable, int timeout_ms,
          bool thingino)
      : data_(data),
        size_(size),
        file_(std::move(file)),
        port_(port),
        reachable_(reachable),
        timeout_ms_(timeout_ms),
        thingino_(thingino) {}
  ~TftpPut() override {
    if (fd_ >= 0) ::close(fd_);
  }

  bool step(Machine& m, size_t) override {
    if (fd_ < 0 && !start(m)) return finish(m, false);
    // Send/await up to 128 blocks per step so the hash marks stream out.
    for (int i = 0; i < 128; ++i) {
      if (!await_and_send(m)) return finish(m, false);
      if (done_) return finish(m, true);
    }
    return false;
  }

 private:
  bool start(Machine& m) {
    start_time_ = std::chrono::steady_clock::now();
    fd_ = open_tftp_socket(m, port_, server_);
    if (fd_ < 0) return false;
    m.out("Saving: *\b");
    return send_wrq();
  }

  bool send_wrq() {
    block_ = 0;
    sent_ = 0;
    blksize_ = 512;  // until an OACK says otherwise
    peer_known_ = false;
    server_.sin_port = htons(port_);
    auto wrq = tftp::build_wrq(file_, {{"timeout", "5"}, {"blksize", std::to_string(tftp::kUbootBlksize)}});
    last_ = wrq;
    return send(last_);
  }

  bool send(const std::vector<uint8_t>& pkt) {
    if (!reachable_) return true;  // serverip is not 127.0.0.1: the packet goes nowhere
    return ::sendto(fd_, pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&server_), sizeof server_) >= 0;
  }

  bool send_data() {
    uint64_t off = sent_;
    size_t n = static_cast<size_t>(std::min<uint64_t>(blksize_, size_ - off));
    last_ = tftp::build_data(static_cast<uint16_t>(block_ + 1), {data_ + off, n});
    last_len_ = n;
    return send(last_);
  }

  // Wait for the answer to the last packet; on success send the next one.
  bool await_and_send(Machine& m) {
    uint8_t buf[tftp::kMaxPacket];
    for (int tries = 0;;) {
      pollfd p{fd_, POLLIN, 0};
      int r = reachable_ ? ::poll(&p, 1, timeout_ms_) : (::usleep(static_cast<useconds_t>(timeout_ms_) * 1000), 0);
      if (r <= 0) {
        m.out("T ");
        if (++tries >= kMaxTries) return restart(m, "\nRetry count exceeded; starting again\n");
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
        if (e->code == tftp::ErrorCode::FileNotFound || e->code == tftp::ErrorCode::AccessViolation) {
          m.out("Not retrying...\n");
          return false;
        }
        return restart(m, "Starting again\n\n");
      }
      if (!peer_known_) {
        server_.sin_port = from.sin_port;  // the server's TID
        peer_known_ = true;
        if (auto* o = std::get_if<tftp::Oack>(&*res.packet)) {
          auto opts = tftp::decode_options(o->options);
          if (opts.blksize) blksize_ = *opts.blksize;
          return send_data();
        }
      }
      auto* ack = std::get_if<tftp::Ack>(&*res.packet);
      if (!ack) continue;
      if (last_is_wrq()) {
        if (ack->block == 0) return send_data();  // no OACK: plain RFC 1350, 512-byte blocks
        continue;
      }
      if (ack->block != static_cast<uint16_t>(block_ + 1)) continue;  // duplicate/stale: no resend
      ++block_;
      sent_ += last_len_;
      // show_block_marker(): one '#' per 10 blocks, a new line every 650.
      if ((block_ - 1) % 10 == 0) m.out("#");
      else if (block_ % 650 == 0) m.out("\n\t ");
      if (sent_ == size_ && last_len_ < blksize_) {
        done_ = true;
        return true;
      }
      return send_data();
    }
  }

  bool last_is_wrq() const { return last_.size() >= 2 && last_[1] == 2; }

  bool restart(Machine& m, const char* why) {
    m.out(why);
    if (++restarts_ > kMaxRestarts) return false;
    m.out("Saving: *\b");
    return send_wrq();
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
    return true;
  }

  const uint8_t* data_;
  uint64_t size_, sent_ = 0;
  std::string file_;
  uint16_t port_;
  bool reachable_;
  int timeout_ms_;
  bool thingino_;
  int fd_ = -1;
  sockaddr_in server_{};
  bool peer_known_ = false, done_ = false;
  uint32_t block_ = 0, blksize_ = 512;
  size_t last_len_ = 0;
  int restarts_ = 0;
  std::vector<uint8_t> last_;
  std::chrono::steady_clock::time_point start_time_;
};

}  // namespace

bool Machine::cmd_tftpput(Args& a) {
  if (a.size() < 3 || a.size() > 4) {
    usage("tftpput");
    return false;
  }
  uint64_t addr = hex_arg(a[1]), size = hex_arg(a[2]);
  auto t = tftp_setup(*this, a.size() > 3 ? a[3] : "");
  if (!t) return false;
  const uint8_t* p = mem(addr, size, false);
  if (size && !p) {
    crash();
    return false;
  }
  out(tftp_banner(*t, "to"));
  out(fmt::format("Save address: 0x{:x}\nSave size:    0x{:x}\n", addr, size));
  start_job(std::make_unique<TftpPut>(p, size, t->file, t->port, t->reachable, t->timeout_ms, t->thingino));
  return true;
}

}  // namespace camdump::sim
