// SPDX-License-Identifier: MIT
// Upload and run of the stub through U-Boot (see stub_loader.hpp).
#include "uboot/stub_loader.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "uboot/console_text.hpp"
#include "uboot/stub_protocol.hpp"

namespace camdump::uboot {

const stub::StubImage& stub_image_for(CpuArch arch) {
  return arch == CpuArch::Mips32el ? stub::mips32el_stub() : stub::armv7_stub();
}

std::optional<std::string> StubLoader::unusable_reason(const io::Transport& t, const SocEntry& soc) {
  if (!t.eight_bit_clean()) return t.describe() + " is not 8-bit clean";
  if (!stub_image_for(soc.arch).available())
    return std::string("this camdump was built without the ") + stub_image_for(soc.arch).arch + " stub";
  return std::nullopt;
}

StubLoader::StubLoader(UbootSession& s, const SocEntry& soc, StubLoaderOptions opt)
    : s_(s), soc_(soc), opt_(opt), img_(stub_image_for(soc.arch)) {
  if (!img_.available())
    fail(ErrorKind::Unsupported, std::string("no ") + img_.arch + " stub in this build",
         "install gcc-mipsel-linux-gnu / gcc-arm-linux-gnueabihf and rebuild, or use --method md");
  if (opt_.frame_size == 0 || opt_.frame_size % 4 || opt_.frame_size > 65536)
    fail(ErrorKind::Usage, "stub frame size must be a multiple of 4 up to 64 KiB");
  cdstub_params p = default_params();
  fill_uart_params(soc_.uart, p);
  p.frame_size = opt_.frame_size;
  p.flags = opt_.blank_frames ? CDSTUB_FLAG_BLANK : 0;
  image_.assign(img_.bytes.begin(), img_.bytes.end());
  image_.resize((image_.size() + 3) & ~size_t(3), 0);
  std::memcpy(image_.data() + img_.params_offset, &p, sizeof p);
}

void StubLoader::upload() {
  const uint32_t want = crc32(image_);
  if (s_.crc32(img_.load_addr, image_.size()) == want) {
    uploaded_ = true;
    s_.reporter().log(LogLevel::Debug, "stub already in place at " + hex(img_.load_addr));
    return;
  }
  s_.reporter().log(LogLevel::Info, fmt::format("uploading the {} stub ({} bytes) to {:#x} with mw.l", img_.arch,
                                                image_.size(), img_.load_addr));
  std::string line;
  unsigned in_line = 0;
  for (size_t off = 0; off < image_.size(); off += 4) {
    uint32_t w;
    std::memcpy(&w, image_.data() + off, 4);  // both targets are little-endian, like the host
    if (in_line) line += "; ";
    line += fmt::format("mw.l {:x} {:08x}", img_.load_addr + off, w);
    stats_.upload_words++;
    if (++in_line == opt_.words_per_line || off + 4 >= image_.size()) {
      auto out = s_.run(line);
      for (const auto& l : out)
        if (l.find("Unknown command") != std::string::npos || l.find("Usage") != std::string::npos)
          fail(ErrorKind::Unsupported, "U-Boot refused mw.l: " + l, "use --method md");
      line.clear();
      in_line = 0;
      check_cancel(s_.cancel_flag());
    }
  }
  auto got = s_.crc32(img_.load_addr, image_.size());
  if (got != want)
    fail(ErrorKind::Protocol,
         fmt::format("stub upload check failed: device crc32 {} instead of {}", got ? crc_hex(*got) : "unreadable",
                     crc_hex(want)),
         "the console may be dropping characters; use --method md");
  uploaded_ = true;
}

void StubLoader::send_command(uint8_t op, uint32_t arg) {
  auto c = encode_command(op, arg);
  s_.transport().write(std::span<const uint8_t>(c.data(), c.size()));
}

// Reads until the console shows "\n" + prompt and stays quiet briefly.
bool StubLoader::wait_prompt(std::string& tail, std::chrono::milliseconds timeout) {
  auto& t = s_.transport();
  std::array<uint8_t, 4096> buf;
  std::chrono::milliseconds silent{0};  // empty-read time, as in read()
  for (int reads = 0; silent < timeout && reads < 100000; reads++) {
    check_cancel(s_.cancel_flag());
    size_t n = t.read(buf, 100ms);
    if (n) {
      tail.append(reinterpret_cast<const char*>(buf.data()), n);
      if (tail.size() > 65536) tail.erase(0, tail.size() - 4096);
      continue;
    }
    if (ends_with_prompt(tail, s_.prompt())) return true;
    silent += 100ms;
  }
  return false;
}

std::optional<std::vector<uint8_t>> StubLoader::read(uint64_t addr, uint64_t len) {
  failure_.clear();
  if (len == 0) return std::vector<uint8_t>{};
  if (addr > 0xffffffffu || len > 0xffffffffu - addr) fail(ErrorKind::Usage, "stub range beyond 32 bits");
  // The range must not cover the stub itself (compare physical addresses: MIPS KSEG0/KSEG1).
  const auto phys = [&](uint64_t a) { return soc_.arch == CpuArch::Mips32el ? (a & 0x1fffffffu) : a; };
  const uint64_t st = phys(img_.load_addr), sp = phys(addr);
  if (sp < st + image_.size() && st < sp + len) {
    failure_ = fmt::format("the range {:#x}+{:#x} overlaps the stub at {:#x}", addr, len, img_.load_addr);
    return std::nullopt;
  }
  if (!uploaded_) upload();
  stats_.runs++;
  auto& t = s_.transport();
  StubStreamDecoder dec(static_cast<uint32_t>(addr), static_cast<uint32_t>(len), opt_.frame_size);
  t.write(fmt::format("go {:x} {:x} {:x}\r", img_.entry(), addr, len));

  std::array<uint8_t, 16384> buf;
  std::string tail;
  // Reads for up to `quiet` of silence (or until `done()`); false when nothing arrived at all.
  // Reads until `done()` or `quiet` of silence, counted as the sum of empty read timeouts (wall
  // time on a real line, virtual time on sim:).
  auto pump = [&](std::chrono::milliseconds quiet, auto done) {
    std::chrono::milliseconds silent{0};
    while (!done() && silent < quiet) {
      check_cancel(s_.cancel_flag());
      size_t n = t.read(buf, 100ms);
      if (!n) {
        silent += 100ms;
        continue;
      }
      silent = 0ms;
      dec.feed(std::span<const uint8_t>(buf.data(), n));
      if (!dec.hello_seen()) tail.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    if (!done()) dec.idle();
  };

  // Stream phase: hello, every frame, end.
  pump(opt_.hello_timeout, [&] { return dec.hello_seen() || dec.frames() != dec.missing().size(); });
  if (!dec.hello_seen() && dec.missing().size() == dec.frames() && !dec.end_crc()) {
    failure_ = "the stub did not answer within " + std::to_string(opt_.hello_timeout.count()) + " ms";
    wait_prompt(tail, opt_.exit_timeout);  // it gives up on its own (idle_polls); bad params: at once
    return std::nullopt;
  }
  pump(opt_.idle_timeout, [&] { return dec.complete(); });

  // Repair phase: one request at a time (the stub reads its RX FIFO only between frames, and a
  // 16-byte FIFO holds just one 11-byte command), each answered before the next is sent.
  for (unsigned round = 0; !dec.complete(); round++) {
    if (round >= opt_.resend_rounds) {
      failure_ = fmt::format("{} frames still damaged after {} rounds of re-requests", dec.missing().size(),
                             opt_.resend_rounds);
      break;
    }
    auto miss = dec.missing();
    if (!dec.end_crc()) miss.push_back(CDSTUB_SEQ_END);
    for (uint32_t seq : miss) {
      if (seq != CDSTUB_SEQ_END) stats_.resent_frames++;
      send_command('R', seq);
      pump(opt_.idle_timeout / 2, [&] { return seq == CDSTUB_SEQ_END ? dec.end_crc().has_value() : dec.have(seq); });
    }
  }
  stats_.frames += dec.frames();
  stats_.blank_frames += dec.blank_frames();
  stats_.bad_packets += dec.bad_packets();
  stats_.junk_bytes += dec.junk_bytes();

  // Back to U-Boot: 'Q', resent if the prompt does not come (the stub also leaves on silence).
  std::string after;
  bool prompt = false;
  for (int i = 0; i < 3 && !prompt; i++) {
    send_command('Q', 0);
    prompt = wait_prompt(after, 1500ms);
  }
  if (!prompt) prompt = wait_prompt(after, opt_.exit_timeout);
  if (!prompt && failure_.empty()) failure_ = "the console did not come back after the stub";
  if (!failure_.empty()) return std::nullopt;
  if (*dec.end_crc() != crc32(dec.data())) {
    failure_ = "the stub's CRC-32 of the range disagrees with the frames";
    return std::nullopt;
  }
  return dec.data();
}

}  // namespace camdump::uboot
