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
  // Only the ARM image is position-independent (src/stub/CMakeLists.txt checks it).
  load_ = soc_.arch == CpuArch::Armv7 && opt_.load_addr ? *opt_.load_addr : img_.load_addr;
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
  if (s_.crc32(load_, image_.size()) == want) {
    uploaded_ = true;
    s_.reporter().log(LogLevel::Debug, "stub already in place at " + hex(load_));
    return;
  }
  s_.reporter().log(LogLevel::Info, fmt::format("uploading the {} stub ({} bytes) to {:#x} with mw.l", img_.arch,
                                                image_.size(), load_));
  std::string line;
  unsigned in_line = 0;
  for (size_t off = 0; off < image_.size(); off += 4) {
    uint32_t w;
    std::memcpy(&w, image_.data() + off, 4);  // both targets are little-endian, like the host
    if (in_line) line += "; ";
    line += fmt::format("mw.l {:x} {:08x}", load_ + off, w);
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
  auto got = s_.crc32(load_, image_.size());
  if (got != want)
    fail(ErrorKind::Protocol,
         fmt::format("stub upload check failed: device crc32 {} instead of {}", got ? crc_hex(*got) : "unreadable",
                     crc_hex(want)),
         "the console may be dropping characters; use --method md");
  uploaded_ = true;
}

bool StubLoader::overlaps_stub(uint64_t addr, uint64_t len) const {
  const auto phys = [&](uint64_t a) { return soc_.arch == CpuArch::Mips32el ? (a & 0x1fffffffu) : a; };
  const uint64_t st = phys(load_), sp = phys(addr);
  return sp < st + image_.size() && st < sp + len;
}

void StubLoader::send_command(uint8_t op, uint32_t arg) {
  auto c = encode_command(op, arg);
  s_.transport().write(std::span<const uint8_t>(c.data(), c.size()));
}

void StubLoader::note(const std::string& n) {
  notes_.push_back(n);
  s_.reporter().log(LogLevel::Info, "stub rate: " + n);
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
    if (reboot_seen(tail)) return false;  // the caller reports the reboot before autoboot runs out
    silent += 100ms;
  }
  return false;
}

}  // namespace camdump::uboot
