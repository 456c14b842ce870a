// SPDX-License-Identifier: MIT
// `tftpput ADDR SIZE [[hostIP:]file]` of the virtual camera (option tftpput=1): real TFTP over UDP
// from 127.0.0.1 to serverip:tftpdstp (default port 69), as U-Boot's net/tftp.c does it: WRQ
// "octet" with `timeout 5` and `blksize 1468`, adopt the server's TID and an OACK blksize, DATA
// blocks wrapping to 0 after 65535, an empty last block when SIZE is a multiple of the block
// size, retransmission on timeout (10 tries), ERROR 1/2 stop, other codes start again.
// Output as docs/reference/uboot-console.md#tftpput (upstream, or the Thingino fork's "TFTP:  " prefixes for
// ingenic2013). Only 127.0.0.1 is ever contacted; any other serverip times out.
#include <fmt/core.h>

#include <cstring>

#include "sim/sim_machine.hpp"
#include "sim/sim_tftp_client.hpp"
#include "sim/sim_texts.hpp"
#include "tftp/packet.hpp"

namespace camdump::sim {
namespace {

constexpr int kMaxRestarts = 3;  // U-Boot restarts forever; the sim gives up after a few

class TftpPut : public TftpJob {
 public:
  TftpPut(const uint8_t* data, uint64_t size, const TftpSetup& t) : TftpJob(t), data_(data), size_(size) {}

 private:
  bool begin(Machine& m) override {
    m.out("Saving: *\b");
    return send_wrq();
  }
  uint64_t bytes() const override { return size_; }

  bool send_wrq() {
    block_ = 0;
    sent_ = 0;
    blksize_ = 512;  // until an OACK says otherwise
    return link_.send(tftp::build_wrq(file_, request_options()));
  }

  bool send_data() {
    const uint64_t off = sent_;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(blksize_, size_ - off));
    last_len_ = n;
    return link_.send(tftp::build_data(static_cast<uint16_t>(block_ + 1), {data_ + off, n}));
  }

  // Wait for the answer to the last packet; on success send the next one.
  bool advance(Machine& m) override {
    for (;;) {
      auto pkt = link_.next(m);
      if (!pkt) return restart(m, "\nRetry count exceeded; starting again\n");
      if (auto* e = std::get_if<tftp::ErrorPacket>(&*pkt)) {
        show_error(m, *e);
        if (e->code == tftp::ErrorCode::FileNotFound || e->code == tftp::ErrorCode::AccessViolation) {
          m.out("Not retrying...\n");
          return false;
        }
        return restart(m, "Starting again\n\n");
      }
      if (auto* o = std::get_if<tftp::Oack>(&*pkt)) {
        if (!last_is_wrq()) continue;  // only the answer to the WRQ may carry options
        take_oack(*o);
        return send_data();
      }
      auto* ack = std::get_if<tftp::Ack>(&*pkt);
      if (!ack) continue;
      if (last_is_wrq()) {
        if (ack->block == 0) return send_data();  // no OACK: plain RFC 1350, 512-byte blocks
        continue;
      }
      if (ack->block != static_cast<uint16_t>(block_ + 1)) continue;  // duplicate/stale: no resend
      return acked(m);
    }
  }

  // The last DATA block arrived: count it, and send the next one unless that was the end.
  bool acked(Machine& m) {
    show_block_marker(m, ++block_);
    sent_ += last_len_;
    if (sent_ == size_ && last_len_ < blksize_) {
      done_ = true;
      return true;
    }
    return send_data();
  }

  bool last_is_wrq() const { return link_.last().size() >= 2 && link_.last()[1] == 2; }

  bool restart(Machine& m, const char* why) {
    m.out(why);
    if (++restarts_ > kMaxRestarts || !link_.reopen(m)) return false;
    m.out("Saving: *\b");
    return send_wrq();
  }

  const uint8_t* data_;
  uint64_t size_, sent_ = 0;
  size_t last_len_ = 0;
  int restarts_ = 0;
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
  start_job(std::make_unique<TftpPut>(p, size, *t));
  return true;
}

}  // namespace camdump::sim
