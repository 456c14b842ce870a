// SPDX-License-Identifier: MIT
// `loady [ADDR [BAUD]]` of the virtual camera: receives a YMODEM file into RAM the way U-Boot's
// cmd/load.c (do_load_serial_bin, load_serial_ymodem) and common/xyzModem.c do it
// (docs/reference/ymodem.md): prints `## Ready for binary (ymodem) download to 0x%08lX at %d
// bps...`, sends 'C' and asks again after every 2 s of silence (xyzModem_CHAR_TIMEOUT), ACKs good
// blocks, re-ACKs a duplicate, asks again on a bad CRC, framing or sequence error (20 tries),
// takes EOT only as the first byte of a header, reads the end-of-batch block 0, then prints
// `xyzModem - CRC mode, N(SOH)/M(STX)/K(CAN) packets, R retries`, `## Total Size      = 0x%08x =
// %d Bytes` and sets `filesize`. The receiver itself is uboot/ymodem.hpp's Receiver. The data
// lands in RAM as it arrives (a write into U-Boot's reserved area hangs the board, guard=1).
#include <fmt/core.h>

#include <algorithm>
#include <cstring>

#include "core/size.hpp"
#include "sim/sim_machine.hpp"
#include "uboot/ymodem.hpp"

namespace camdump::sim {
namespace {

constexpr double kCharTimeoutS = 2.0;  // xyzModem_CHAR_TIMEOUT (ms 2000)

class LoadyJob : public Job {
 public:
  LoadyJob(uint64_t addr, uint64_t room) : addr_(addr), rx_(room) {}

  bool reads_input() const override { return true; }

  bool step(Machine& m, size_t) override {
    if (!started_) {
      started_ = true;
      last_ = m.now();
      m.out_raw(rx_.start());
      return false;
    }
    std::string& in = m.input();
    if (!in.empty()) {
      std::string reply = rx_.feed({reinterpret_cast<const uint8_t*>(in.data()), in.size()});
      in.clear();
      last_ = m.now();
      m.out_raw(reply);
      if (!store(m)) return true;
    } else if (m.now() - last_ >= kCharTimeoutS) {
      last_ = m.now();
      m.out_raw(rx_.timeout());
    }
    const auto st = rx_.state();
    if (st != uboot::ymodem::Receiver::State::Done && st != uboot::ymodem::Receiver::State::Failed) return false;
    // load_serial_ymodem(): the error (if any), then stream_close's statistics, the size.
    if (st == uboot::ymodem::Receiver::State::Failed) m.out(rx_.error() + "\n");
    const uint64_t size = rx_.data().size();
    m.out(fmt::format("xyzModem - CRC mode, {}(SOH)/{}(STX)/{}(CAN) packets, {} retries\n", rx_.soh(), rx_.stx(),
                      rx_.can(), rx_.retries()));
    m.out(fmt::format("## Total Size      = 0x{:08x} = {} Bytes\n", size, size));
    m.env_["filesize"] = fmt::format("{:x}", size);
    if (st == uboot::ymodem::Receiver::State::Done) {
      m.out(fmt::format("## Start Addr      = 0x{:08X}\n", addr_));
    } else {
      m.out("## Binary (ymodem) download aborted\n");
      m.job_.fail();
    }
    return true;
  }

 private:
  // Copy what arrived since the last call into RAM. False when the write hung the board.
  bool store(Machine& m) {
    const auto& d = rx_.data();
    if (d.size() <= stored_) return true;
    const uint64_t n = d.size() - stored_;
    if (m.clobbers_uboot(addr_ + stored_, n)) return false;
    uint8_t* p = m.mem(addr_ + stored_, n, true);
    if (p) std::memcpy(p, d.data() + stored_, n);
    stored_ = d.size();
    return true;
  }

  uint64_t addr_;
  uboot::ymodem::Receiver rx_;
  bool started_ = false;
  double last_ = 0;
  size_t stored_ = 0;
};

}  // namespace

bool Machine::cmd_loady(Args& a) {
  uint64_t addr = kSimRamBase + 0x600000;  // CONFIG_SYS_LOAD_ADDR-like default
  if (auto it = env_.find("loadaddr"); it != env_.end())
    if (auto v = parse_hex(it->second)) addr = *v;
  if (a.size() >= 2) {
    auto v = parse_hex(a[1]);
    if (!v) {
      usage("loady");
      return false;
    }
    addr = *v;
  }
  uint32_t baud = uart_baud_;
  if (a.size() >= 3) {
    auto b = parse_number(a[2]);
    if (b && *b != uart_baud_) {
      // Switching for the transfer is not modelled: refuse like a board whose table lacks it.
      out(fmt::format("## Baudrate {} bps not supported\n", *b));
      return false;
    }
  }
  if (!mem(addr, 1, true)) {
    out(fmt::format("## Ready for binary (ymodem) download to 0x{:08X} at {} bps...\n", addr, baud));
    crash();  // storing outside RAM: a data bus error resets the board
    return false;
  }
  out(fmt::format("## Ready for binary (ymodem) download to 0x{:08X} at {} bps...\n", addr, baud));
  start_job(std::make_unique<LoadyJob>(addr, ram_size_));
  return true;
}

}  // namespace camdump::sim
