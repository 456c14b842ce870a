// SPDX-License-Identifier: MIT
// Fuzz the virtual camera's outside inputs: the `sim:` spec (first line) and whatever a host
// types at its console (the rest, fed in small pieces with reads in between). Nothing may crash
// or hang; every read is bounded.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "sim/sim_camera.hpp"

namespace {

const std::string& image_path() {
  static const std::string path = [] {
    std::string p = "/tmp/camdump_fuzz_sim_" + std::to_string(::getpid()) + ".bin";
    std::vector<char> img(1 << 20, '\xff');
    for (size_t i = 0; i < 4096; ++i) img[i] = static_cast<char>(i * 7);
    std::ofstream(p, std::ios::binary).write(img.data(), static_cast<std::streamsize>(img.size()));
    return p;
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string spec = in.substr(0, nl == std::string::npos ? in.size() : nl);
  std::string typed = nl == std::string::npos ? std::string() : in.substr(nl + 1);
  try {
    (void)camdump::sim::parse_sim_spec(spec);
  } catch (const camdump::Error&) {}
  const bool modern = !spec.empty() && (spec[0] & 1);
  const std::string fixed = image_path() + ",state=uboot,ram=8M,mapped=0x04000000,sd=/dev/null,net=0" +
                            (modern ? ",dialect=modern" : "") +
                            (spec.find("noise") != std::string::npos ? ",noise=0.01" : "");
  camdump::sim::SimTransport t(camdump::sim::parse_sim_spec(fixed), camdump::null_reporter());
  std::vector<uint8_t> buf(4096);
  size_t pos = 0;
  for (int round = 0; round < 256 && pos < typed.size(); ++round) {
    size_t n = std::min<size_t>(typed.size() - pos, 1 + static_cast<uint8_t>(typed[pos]) % 16);
    t.write(std::string_view(typed).substr(pos, n));
    pos += n;
    if (t.baud() != t.camera().console_baud()) t.set_baud(t.camera().console_baud());
    for (int r = 0; r < 4; ++r) (void)t.read(buf, std::chrono::milliseconds(0));
  }
  for (int r = 0; r < 16; ++r) (void)t.read(buf, std::chrono::milliseconds(0));
  return 0;
}
