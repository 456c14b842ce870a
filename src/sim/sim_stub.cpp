// SPDX-License-Identifier: MIT
// The stub as a SimProgram (see sim_stub.hpp). Mirrors src/stub/stub.c step by step, using the
// host-side encoder of the same wire format (uboot/stub_protocol.hpp).
#include "sim/sim_stub.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "sim/sim_camera.hpp"
#include "stub/stub_images.hpp"
#include "uboot/stub_answers.hpp"
#include "uboot/stub_protocol.hpp"

namespace camdump::sim {
namespace {

constexpr const char* kHandlerName = "camdump-stub";

// The sim's UART clock: the Ingenic 24 MHz crystal (rate = 24 MHz / 16 / divisor), a divisor
// mapped to the nominal rate it makes within 1 % (13 -> 115200, 1 -> 1500000).
uint32_t rate_for_divisor(uint32_t div) {
  if (div == 0 || div > 0xffff) return 0;
  const double exact = 24e6 / 16.0 / div;
  for (uint32_t r :
       {1500000u, 750000u, 500000u, 375000u, 300000u, 250000u, 230400u, 115200u, 57600u, 38400u, 19200u, 9600u})
    if (std::abs(exact - r) <= r * 0.01) return r;
  return static_cast<uint32_t>(std::lround(exact));
}

uint32_t divisor_for_rate(uint32_t rate) { return static_cast<uint32_t>(std::lround(24e6 / 16.0 / rate)); }

class StubProgram : public SimProgram {
 public:
  StubProgram(const cdstub_params& p, uint32_t src, uint32_t len, uint32_t div, uint32_t rx, SimStubMode mode)
      : p_(p), src_(src), len_(len), div_(div), rx_(rx), mode_(mode) {
    if (rx_) p_.frame_size = rx_;
    nframes_ = uboot::frame_count(len, p_.frame_size);
  }

  bool reads_input() const override { return rx_ != 0; }

  std::optional<int32_t> run(SimCamera& cam, std::string& in, std::string& out) override {
    const double now = cam.virtual_seconds();
    if (started_ < 0) started_ = idle_since_ = now;
    const uint64_t uart_phys = kSimUartBase + uint64_t{0x1000} * cam.options().uart;
    if (mode_ == SimStubMode::Silent || (p_.uart_base & 0x1fffffffu) != uart_phys) return deaf(cam, in, now);
    auto mem = cam.ram(src_, len_);
    if (mem.size() != len_) return 3;  // the real stub would fault; keep it simple
    if (!hello_sent_) {
      append(out, uboot::encode_hello(src_, len_, p_.frame_size));
      hello_sent_ = true;
      return std::nullopt;
    }
    if (div_ && phase_ == Phase::Switch && !switch_rate(cam, in, now)) return std::nullopt;
    if (phase_ == Phase::Sync) return sync(cam, in, out, now);
    if (rx_) return receive(cam, mem, in, out, now);
    if (next_ < nframes_) {
      stream(mem, out);
      return std::nullopt;
    }
    return serve(cam, mem, in, out, now);
  }

 private:
  // Another UART (or a dead one): its bytes go nowhere the host can hear. Like stub.c it streams
  // the range there (at U-Boot's rate after a failed sync), waits for a host that never talks to
  // it, and returns rc 2.
  std::optional<int32_t> deaf(SimCamera& cam, std::string& in, double now) {
    in.clear();
    const double busy = (div_ ? 2.0 : 0.0) + len_ * 10.0 / cam.options().baud + kIdleSeconds;
    return now - started_ > busy ? std::optional<int32_t>(2) : std::nullopt;
  }
  // The new divisor once the hello has left (stub.c waits for LSR.TEMT); false while waiting.
  bool switch_rate(SimCamera& cam, std::string& in, double now) {
    if (cam.has_output()) return false;
    old_rate_ = cam.console_baud();
    cam.set_console_baud(rate_for_divisor(div_));
    switched_ = true;
    sync_until_ = now + kSyncSeconds;
    phase_ = Phase::Sync;
    in.clear();  // what the FIFO held at the old rate is garbage now
    return true;
  }
  // Answers 'S' until the host's 'G', or goes back to U-Boot's divisor by itself; then 'Y'.
  std::optional<int32_t> sync(SimCamera& cam, std::string& in, std::string& out, double now) {
    for (auto [op, arg] : commands(in)) {
      if (op == 'S') append(out, uboot::encode_words('S', arg, divisor_for_rate(old_rate_), div_));
      if (op == 'G') phase_ = Phase::Stream;
    }
    if (phase_ == Phase::Sync && now <= sync_until_) return std::nullopt;
    if (phase_ == Phase::Sync) {  // no 'G': back to U-Boot's divisor by itself
      if (cam.has_output()) return std::nullopt;
      cam.set_console_baud(old_rate_);
      switched_ = false;
      phase_ = Phase::Stream;
    }
    append(out, uboot::encode_words('Y', switched_ ? 1 : 0, divisor_for_rate(old_rate_), div_));
    return std::nullopt;
  }
  // Up to ~64 KiB of frames per call, then the end packet.
  void stream(std::span<const uint8_t> mem, std::string& out) {
    const size_t start = out.size();
    while (next_ < nframes_ && out.size() - start < 65536) {
      send_frame(mem, next_, out);
      next_++;
    }
    if (next_ == nframes_) {
      append(out, uboot::encode_end(crc32(mem), len_));
      idle_since_ = -1;  // the idle clock starts once the end packet is out
    }
  }
  // After the stream: re-sends what the host asks for until 'Q' or silence, like stub.c.
  std::optional<int32_t> serve(SimCamera& cam, std::span<const uint8_t> mem, std::string& in, std::string& out,
                               double now) {
    if (idle_since_ < 0) idle_since_ = now;
    if (leaving_) return leave(cam, in, out, now);
    if (in.empty()) {
      if (now - idle_since_ > kIdleSeconds) leaving_ = 2;
      return leaving_ ? leave(cam, in, out, now) : std::nullopt;
    }
    idle_since_ = now;
    for (auto [op, arg] : commands(in)) {
      if (op == 'Q') {
        leaving_ = 1;
        break;
      }
      if (op == 'G' && switched_) append(out, uboot::encode_words('Y', 1, divisor_for_rate(old_rate_), div_));
      if (op != 'R') continue;
      if (arg == CDSTUB_SEQ_END) append(out, uboot::encode_end(crc32(mem), len_));
      else if (arg < nframes_) send_frame(mem, arg, out);
    }
    return leaving_ ? leave(cam, in, out, now) : std::nullopt;
  }

  enum class Phase { Switch, Sync, Stream };
  static void append(std::string& out, const std::vector<uint8_t>& v) { out.append(v.begin(), v.end()); }
  void send_frame(std::span<const uint8_t> mem, uint32_t seq, std::string& out) {
    size_t off = size_t(seq) * p_.frame_size, n = std::min<size_t>(p_.frame_size, len_ - off);
    append(out, uboot::encode_frame(seq, mem.subspan(off, n), (p_.flags & CDSTUB_FLAG_BLANK) != 0));
  }
  // U-Boot's divisor back once the last byte has left (stub.c's leave()), then the rc. After 'Q' at
  // a switched rate (stub.c's quit()): the 'Q' answer at that rate first, and the return only on
  // the host's second 'Q' at U-Boot's rate, or kSyncSeconds without it.
  std::optional<int32_t> leave(SimCamera& cam, std::string& in, std::string& out, double now) {
    if (switched_ && leaving_ == 1 && !quit_answered_) {
      append(out, uboot::encode_words('Q', 0, divisor_for_rate(old_rate_), div_));
      quit_answered_ = true;
      return std::nullopt;  // `out` joins the camera's output after this call: wait for it to leave
    }
    if (switched_) {
      if (cam.has_output()) return std::nullopt;
      cam.set_console_baud(old_rate_);
      switched_ = false;
      knock_until_ = now + kSyncSeconds;
      in.clear();  // what the FIFO held at the old rate is garbage now
      win_.clear();
      return std::nullopt;
    }
    if (quit_answered_ && now <= knock_until_) {
      bool knocked = false;
      for (auto [op, arg] : commands(in)) knocked = knocked || op == 'Q';
      if (!knocked) return std::nullopt;
      knock_until_ = 0;
    }
    return leaving_ == 1 ? 0 : 2;
  }
  // The CRC-checked commands in `in` (consumed), through the sliding window of stub.c.
  std::vector<std::pair<uint8_t, uint32_t>> commands(std::string& in) {
    std::vector<std::pair<uint8_t, uint32_t>> cmds;
    for (char ch : in) {
      if (win_.size() == CDSTUB_CMD_LEN) win_.erase(win_.begin());
      win_.push_back(static_cast<uint8_t>(ch));
      if (win_.size() < CDSTUB_CMD_LEN || win_[0] != CDSTUB_CMD0 || win_[1] != CDSTUB_CMD1) continue;
      uint32_t want = uint32_t(win_[7]) | uint32_t(win_[8]) << 8 | uint32_t(win_[9]) << 16 | uint32_t(win_[10]) << 24;
      if (crc32(std::span<const uint8_t>(win_.data() + 2, 5)) != want) continue;
      cmds.emplace_back(win_[2],
                        uint32_t(win_[3]) | uint32_t(win_[4]) << 8 | uint32_t(win_[5]) << 16 | uint32_t(win_[6]) << 24);
      win_.clear();
    }
    in.clear();
    return cmds;
  }

  // Receive mode (stub.c's receive()): the same byte parser over the host's frames, writing each
  // payload into its slot as it arrives.
  std::optional<int32_t> receive(SimCamera& cam, std::span<uint8_t> mem, std::string& in, std::string& out,
                                 double now) {
    if (leaving_) return leave(cam, in, out, now);
    if (in.empty()) {
      if (idle_since_ < 0) idle_since_ = now;
      if (now - idle_since_ > kIdleSeconds) leaving_ = 2;
      return leaving_ ? leave(cam, in, out, now) : std::nullopt;
    }
    idle_since_ = now;
    const std::string line = through_noise(cam, in);
    for (char ch : line) {
      const uint8_t b = static_cast<uint8_t>(ch);
      if (rst_ == 0) {
        rst_ = b == CDSTUB_CMD0;
      } else if (rst_ == 1) {
        rst_ = b == CDSTUB_CMD1 ? 2 : b == CDSTUB_CMD0;
        rk_ = 0;
      } else if (rst_ == 2) {
        rh_[rk_++] = b;
        if (rk_ < (rh_[0] == 'W' ? 13u : 9u)) continue;
        rst_ = 0;
        if (crc32(std::span<const uint8_t>(rh_, rk_ - 4)) != le32(rh_ + rk_ - 4)) continue;
        if (rh_[0] == 'Q') {
          leaving_ = 1;
          return leave(cam, in, out, now);
        }
        command(mem, out);
      } else if (rst_ == 3) {
        slot_[rk_++] = b;
        if (rk_ == rn_) {
          rcrc_ = crc32(std::span<const uint8_t>(slot_.data(), rn_));
          rst_ = 4;
          rk_ = 0;
        }
      } else {
        rh_[rk_++] = b;
        if (rk_ < 4) continue;
        rst_ = 0;
        append(out, uboot::encode_answer(rcrc_ == le32(rh_), rseq_, rtag_));
      }
    }
    return std::nullopt;
  }

  // The host's characters as the stub receives them: the line's noise= (noise-fast= above baud=)
  // damages them too (a drop, a flipped bit or an inserted character, one third each). Takes `in`.
  std::string through_noise(SimCamera& cam, std::string& in) {
    const SimOptions& o = cam.options();
    if (!seeded_) rng_.seed(o.seed * 0x9e3779b97f4a7c15ull + 0x5ab5), seeded_ = true;
    const double p = o.noise_fast && cam.console_baud() > o.baud ? *o.noise_fast : o.noise;
    std::string line;
    if (p > 0) {
      std::uniform_real_distribution<double> u(0.0, 1.0);
      for (char ch : in) {
        if (u(rng_) >= p) {
          line.push_back(ch);
          continue;
        }
        noise_events_++;
        const unsigned kind = static_cast<unsigned>(rng_() % 3);
        if (kind == 1) line.push_back(static_cast<char>(ch ^ (1 << (rng_() % 8))));
        if (kind == 2) line.append({static_cast<char>(0x20 + rng_() % 95), ch});
      }
    } else {
      line.swap(in);
    }
    in.clear();
    return line;
  }

  // A whole command header with a good CRC, other than Q: E answers the image's CRC, G the rate
  // switch, W opens the slot its payload goes to (a frame outside the image is ignored).
  void command(std::span<uint8_t> mem, std::string& out) {
    const uint8_t op = rh_[0];
    if (op == 'E') append(out, uboot::encode_end(crc32(mem), len_));
    if (op == 'G' && switched_) append(out, uboot::encode_words('Y', 1, divisor_for_rate(old_rate_), div_));
    if (op != 'W') return;
    rseq_ = le32(rh_ + 1);
    rtag_ = uint32_t(rh_[5]) | uint32_t(rh_[6]) << 8;
    rn_ = uint32_t(rh_[7]) | uint32_t(rh_[8]) << 8;
    if (rseq_ >= nframes_) return;
    const uint64_t off = uint64_t(rseq_) * rx_;
    if (rn_ != std::min<uint64_t>(rx_, len_ - off)) return;
    slot_ = mem.subspan(off, rn_);
    rk_ = 0;
    rcrc_ = 0;
    rst_ = 3;
  }

  static uint32_t le32(const uint8_t* b) {
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  }

  cdstub_params p_;
  uint32_t src_, len_, div_, rx_;
  // receive-mode parser state (stub.c's receive())
  uint32_t rst_ = 0, rk_ = 0, rseq_ = 0, rtag_ = 0, rn_ = 0, rcrc_ = 0;
  uint8_t rh_[13] = {};
  std::span<uint8_t> slot_;
  std::mt19937_64 rng_;
  bool seeded_ = false;
  uint64_t noise_events_ = 0;
  SimStubMode mode_;
  uint32_t nframes_, next_ = 0;
  bool hello_sent_ = false, switched_ = false, quit_answered_ = false;
  int leaving_ = 0;  ///< 1: 'Q' received, 2: idle
  Phase phase_ = Phase::Switch;
  uint32_t old_rate_ = 0;
  double started_ = -1, sync_until_ = 0, knock_until_ = 0;
  double idle_since_ = -1;                   ///< virtual time of the last host byte (or of the end packet)
  static constexpr double kIdleSeconds = 8;  ///< stub.c's idle_polls, roughly
  static constexpr double kSyncSeconds = 2;  ///< stub.c's sync_polls, roughly (the host tries for 1 s)
  std::vector<uint8_t> win_;
};

std::unique_ptr<SimProgram> make_stub(SimCamera& cam, uint64_t addr, std::span<const std::string> args,
                                      SimStubMode mode) {
  for (const stub::StubImage* img : {&stub::mips32el_stub(), &stub::armv7_stub()}) {
    if (!img->available() || addr < img->entry_offset) continue;
    const uint64_t load = addr - img->entry_offset;  // the ARM image runs anywhere
    if (img == &stub::mips32el_stub() && load != img->load_addr) continue;
    auto ram = cam.ram(load, img->bytes.size());
    if (ram.size() != img->bytes.size()) continue;
    // The code must be exactly ours (the parameter block may differ).
    const size_t pe = img->params_offset + sizeof(cdstub_params);
    if (!std::equal(ram.begin() + static_cast<std::ptrdiff_t>(pe), ram.end(),
                    img->bytes.begin() + static_cast<std::ptrdiff_t>(pe)))
      continue;
    cdstub_params p;
    std::memcpy(&p, ram.data() + img->params_offset, sizeof p);
    if (p.magic != CDSTUB_MAGIC || p.frame_size == 0 || p.frame_size % 4) continue;
    uint32_t src = p.src, len = p.len, div = p.new_div;
    if (args.size() >= 2) {
      auto s = parse_hex(args[0]), l = parse_hex(args[1]);
      if (!s || !l) continue;
      src = static_cast<uint32_t>(*s);
      len = static_cast<uint32_t>(*l);
    }
    if (args.size() >= 3) {
      auto d = parse_hex(args[2]);
      if (!d) continue;
      div = static_cast<uint32_t>(*d);
    }
    uint32_t rx = 0;  // receive mode: the host's frame size (stub.c: 16..CDSTUB_RX_MAX_FRAME, a multiple of 4)
    if (args.size() >= 4) {
      auto r = parse_hex(args[3]);
      if (!r || (*r && (*r < 16 || *r > CDSTUB_RX_MAX_FRAME || *r % 4))) continue;
      rx = static_cast<uint32_t>(*r);
    }
    return std::make_unique<StubProgram>(p, src, len, div, rx, mode);
  }
  return nullptr;
}

}  // namespace

GoHandler sim_stub_handler(SimStubMode mode) {
  return [mode](SimCamera& cam, uint64_t addr, std::span<const std::string> args) {
    return make_stub(cam, addr, args, mode);
  };
}

void install_sim_stub(SimCamera& cam, SimStubMode mode) { cam.go_programs().add(kHandlerName, sim_stub_handler(mode)); }

void uninstall_sim_stub(SimCamera& cam) { cam.go_programs().remove(kHandlerName); }

GoPrograms with_sim_stub(SimStubMode mode) {
  GoPrograms p;
  p.add(kHandlerName, sim_stub_handler(mode));
  return p;
}

}  // namespace camdump::sim
