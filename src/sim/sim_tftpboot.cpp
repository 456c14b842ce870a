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
#include <fmt/core.h>

#include <cstring>

#include "core/size.hpp"
#include "sim/sim_machine.hpp"
#include "sim/sim_texts.hpp"
#include "sim/sim_tftp_client.hpp"
#include "tftp/packet.hpp"

namespace camdump::sim {
namespace {

class TftpGet : public TftpJob {
 public:
  TftpGet(uint64_t addr, const TftpSetup& t) : TftpJob(t), addr_(addr) {}

 private:
  bool begin(Machine& m) override {
    m.out("Loading: ");
    return link_.send(tftp::build_rrq(file_, request_options()));
  }
  uint64_t bytes() const override { return size_; }
  void succeeded(Machine& m) override { m.env_["filesize"] = fmt::format("{:x}", size_); }

  // Wait for the next packet and answer it: false = failed (message printed), true = progress.
  bool advance(Machine& m) override {
    for (;;) {
      auto pkt = link_.next(m);
      if (!pkt) {
        m.out("\nRetry count exceeded; starting again\n");
        return false;  // the sim gives up where U-Boot would start again forever
      }
      if (auto* e = std::get_if<tftp::ErrorPacket>(&*pkt)) {
        show_error(m, *e);
        m.out("Not retrying...\n");
        return false;
      }
      if (auto* o = std::get_if<tftp::Oack>(&*pkt)) {
        take_oack(*o);
        link_.send(tftp::build_ack(0));
        return true;
      }
      auto* d = std::get_if<tftp::Data>(&*pkt);
      if (!d) continue;
      if (d->block != static_cast<uint16_t>(block_ + 1)) {  // a duplicate: ACK it again
        link_.send_once(tftp::build_ack(d->block));
        continue;
      }
      return store(m, *d);
    }
  }

  // The next block: into RAM (unless it would overwrite U-Boot or leave RAM), ACKed.
  bool store(Machine& m, const tftp::Data& d) {
    const uint64_t n = d.payload.size();
    if (n) {
      if (m.clobbers_uboot(addr_ + size_, n)) return false;
      uint8_t* dst = m.mem(addr_ + size_, n, true);
      if (!dst) {
        m.crash();
        return false;
      }
      std::memcpy(dst, d.payload.data(), n);
    }
    size_ += n;
    show_block_marker(m, ++block_);
    link_.send(tftp::build_ack(d.block));
    if (n < blksize_) done_ = true;
    return true;
  }

  uint64_t addr_, size_ = 0;
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
  start_job(std::make_unique<TftpGet>(addr, *t));
  return true;
}

}  // namespace camdump::sim
