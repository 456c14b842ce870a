// SPDX-License-Identifier: MIT
// The stub as a SimProgram (see sim_stub.hpp). Mirrors src/stub/stub.c step by step, using the
// host-side encoder of the same wire format (uboot/stub_protocol.hpp).
#include "sim/sim_stub.hpp"

#include <algorithm>
#include <cstring>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "sim/sim_camera.hpp"
#include "stub/stub_images.hpp"
#include "uboot/stub_protocol.hpp"

namespace camdump::sim {
namespace {

constexpr const char* kHandlerName = "camdump-stub";

class StubProgram : public SimProgram {
 public:
  StubProgram(const cdstub_params& p, uint32_t src, uint32_t len, SimStubMode mode)
      : p_(p), src_(src), len_(len), mode_(mode), nframes_(uboot::frame_count(len, p.frame_size)) {}

  std::optional<int32_t> run(SimCamera& cam, std::string& in, std::string& out) override {
    const double now = cam.virtual_seconds();
    if (idle_since_ < 0) idle_since_ = now;
    if (mode_ == SimStubMode::Silent) {
      // Nothing on the wire; gives up once the host has been silent for a while, like stub.c.
      if (!in.empty()) in.clear(), idle_since_ = now;
      return now - idle_since_ > kIdleSeconds ? std::optional<int32_t>(2) : std::nullopt;
    }
    auto mem = cam.ram(src_, len_);
    if (mem.size() != len_) return 3;  // the real stub would fault; keep it simple
    if (!hello_sent_) {
      append(out, uboot::encode_hello(src_, len_, p_.frame_size));
      hello_sent_ = true;
      return std::nullopt;
    }
    if (next_ < nframes_) {  // stream up to ~64 KiB per call
      const size_t start = out.size();
      while (next_ < nframes_ && out.size() - start < 65536) {
        send_frame(mem, next_, out);
        next_++;
      }
      if (next_ == nframes_) {
        append(out, uboot::encode_end(crc32(mem), len_));
        idle_since_ = -1;  // the idle clock starts once the end packet is out
      }
      return std::nullopt;
    }
    // Serve commands from a sliding window, like stub.c.
    if (in.empty()) return now - idle_since_ > kIdleSeconds ? std::optional<int32_t>(2) : std::nullopt;
    idle_since_ = now;
    for (char ch : in) {
      if (win_.size() == CDSTUB_CMD_LEN) win_.erase(win_.begin());
      win_.push_back(static_cast<uint8_t>(ch));
      if (win_.size() < CDSTUB_CMD_LEN || win_[0] != CDSTUB_CMD0 || win_[1] != CDSTUB_CMD1) continue;
      uint32_t want = win_[7] | win_[8] << 8 | win_[9] << 16 | uint32_t(win_[10]) << 24;
      if (crc32(std::span<const uint8_t>(win_.data() + 2, 5)) != want) continue;
      uint8_t op = win_[2];
      uint32_t arg = win_[3] | win_[4] << 8 | win_[5] << 16 | uint32_t(win_[6]) << 24;
      win_.clear();
      if (op == 'Q') {
        in.clear();
        return 0;
      }
      if (op != 'R') continue;
      if (arg == CDSTUB_SEQ_END)
        append(out, uboot::encode_end(crc32(mem), len_));
      else if (arg < nframes_)
        send_frame(mem, arg, out);
    }
    in.clear();
    return std::nullopt;
  }

 private:
  static void append(std::string& out, const std::vector<uint8_t>& v) { out.append(v.begin(), v.end()); }
  void send_frame(std::span<const uint8_t> mem, uint32_t seq, std::string& out) {
    size_t off = size_t(seq) * p_.frame_size, n = std::min<size_t>(p_.frame_size, len_ - off);
    append(out, uboot::encode_frame(seq, mem.subspan(off, n), (p_.flags & CDSTUB_FLAG_BLANK) != 0));
  }

  cdstub_params p_;
  uint32_t src_, len_;
  SimStubMode mode_;
  uint32_t nframes_, next_ = 0;
  bool hello_sent_ = false;
  double idle_since_ = -1;  ///< virtual time of the last host byte (or of the end packet)
  static constexpr double kIdleSeconds = 8;  ///< stub.c's idle_polls, roughly
  std::vector<uint8_t> win_;
};

std::unique_ptr<SimProgram> make_stub(SimCamera& cam, uint64_t addr, std::span<const std::string> args,
                                      SimStubMode mode) {
  for (const stub::StubImage* img : {&stub::mips32el_stub(), &stub::armv7_stub()}) {
    if (!img->available() || addr != img->entry()) continue;
    auto ram = cam.ram(img->load_addr, img->bytes.size());
    if (ram.size() != img->bytes.size()) continue;
    // The code must be exactly ours (the parameter block may differ).
    const size_t pe = img->params_offset + sizeof(cdstub_params);
    if (!std::equal(ram.begin() + static_cast<std::ptrdiff_t>(pe), ram.end(), img->bytes.begin() + static_cast<std::ptrdiff_t>(pe)))
      continue;
    cdstub_params p;
    std::memcpy(&p, ram.data() + img->params_offset, sizeof p);
    if (p.magic != CDSTUB_MAGIC || p.frame_size == 0 || p.frame_size % 4) continue;
    uint32_t src = p.src, len = p.len;
    if (args.size() >= 2) {
      auto s = parse_hex(args[0]), l = parse_hex(args[1]);
      if (!s || !l) continue;
      src = static_cast<uint32_t>(*s);
      len = static_cast<uint32_t>(*l);
    }
    return std::make_unique<StubProgram>(p, src, len, mode);
  }
  return nullptr;
}

}  // namespace

void install_sim_stub(SimStubMode mode) {
  unregister_go_handler(kHandlerName);
  register_go_handler(kHandlerName, [mode](SimCamera& cam, uint64_t addr, std::span<const std::string> args) {
    return make_stub(cam, addr, args, mode);
  });
}

void uninstall_sim_stub() { unregister_go_handler(kHandlerName); }

}  // namespace camdump::sim
