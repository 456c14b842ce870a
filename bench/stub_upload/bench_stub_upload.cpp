// SPDX-License-Identifier: MIT
// Bench of the stub's receive mode (issue 14 item 6): a file written into the virtual camera's RAM
// through the stub (`sim:state=uboot,baud-timing=1`: every character costs 10 bit times at the
// rate in effect, host->camera too while the stub receives), at U-Boot's 115200 and at 1.5 Mbaud,
// for 64 KiB and 16 MiB of incompressible bytes. Prints wire characters per written byte (host to
// camera + camera to host), the virtual time of the upload (the stub already in place: its one-off
// mw.l upload is printed apart) and the same for YMODEM-1K to U-Boot's `loady` from its framing
// (1029 characters per 1024-byte block: STX, block number and its complement, data, CRC-16; one
// ACK back; plus the block-0 header and the EOT exchange), whose rate is U-Boot's console rate.
// Every upload is checked against U-Boot's `crc32` of the RAM afterwards.
// Usage: bench_stub_upload [noise]   (noise: also a run at noise=1e-4 on both directions)
#include <fmt/format.h>

#include <cstring>
#include <random>

#include "core/crc32.hpp"
#include "core/report.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"
#include "uboot/session.hpp"
#include "uboot/stub_upload.hpp"

using namespace camdump;

namespace {

struct Row {
  bool ok = false;
  double per_byte = 0, tx_per_byte = 0, rx_per_byte = 0, seconds = 0, stub_seconds = 0;
  uint64_t resent = 0;
};

Row run(size_t size, bool fast, const std::string& extra) {
  Row r;
  sim::SimTransport t(sim::parse_sim_spec("state=uboot,baud-timing=1,ram=64M" + extra), null_reporter());
  sim::install_sim_stub(t.camera());
  uboot::UbootSession s(t, null_reporter(), nullptr);
  s.attach();
  std::vector<uint8_t> file(size);
  std::mt19937_64 g(42);
  for (auto& b : file) b = static_cast<uint8_t>(g());
  uboot::StubLoader loader(s, *uboot::find_soc("t31"));
  if (fast) loader.set_rates({std::begin(uboot::kFastRates), std::end(uboot::kFastRates)});
  const double t0 = t.camera().virtual_seconds();
  loader.upload();  // the stub's mw.l upload and crc32 check, once per camera
  const double t1 = t.camera().virtual_seconds();
  const uint64_t addr = 0x80600000;
  auto res = uboot::stub_upload(loader, addr, file);
  const double t2 = t.camera().virtual_seconds();
  r.ok = res.ok && s.crc32(addr, size) == crc32(file);
  if (!res.ok) fmt::print(stderr, "upload failed: {}\n", res.failure);
  r.per_byte = double(res.wire_chars) / double(size);
  r.tx_per_byte = double(res.tx_chars) / double(size);
  r.rx_per_byte = double(res.rx_chars) / double(size);
  r.seconds = t2 - t1;
  r.stub_seconds = t1 - t0;
  r.resent = res.resent_frames;
  return r;
}

// YMODEM-1K to loady: block 0 (128-byte header block: 133 characters), ceil(n/1024) data blocks of
// 1029 characters, EOT twice, an empty block 0 to end the batch; one ACK (or 'C') per block back.
struct Ymodem {
  double per_byte, seconds;
};
Ymodem ymodem(size_t size, double rate) {
  const double blocks = double((size + 1023) / 1024);
  const double host = 133 + blocks * 1029 + 2 + 133, camera = 1 + blocks + 2 + 2;
  return {(host + camera) / double(size), (host + camera) * 10 / rate};
}

}  // namespace

int main(int argc, char** argv) {
  const bool noise = argc > 1 && std::strcmp(argv[1], "noise") == 0;
  fmt::print("stub upload (receive mode) vs YMODEM-1K to loady, virtual camera with baud-timing=1\n");
  fmt::print("{:<34} {:>9} {:>9} {:>9} {:>12} {:>9}\n", "method", "chars/B", "host/B", "cam/B", "wire time", "resent");
  int rc = 0;
  for (size_t size : {size_t(64) << 10, size_t(16) << 20}) {
    const std::string sz = size >= (1u << 20) ? fmt::format("{} MiB", size >> 20) : fmt::format("{} KiB", size >> 10);
    for (bool fast : {false, true}) {
      Row r = run(size, fast, "");
      if (!r.ok) rc = 1;
      fmt::print("{:<34} {:>9.4f} {:>9.4f} {:>9.4f} {:>10.1f} s {:>9}{}\n",
                 fmt::format("stub {} at {}", sz, fast ? "1.5 Mbaud" : "115200"), r.per_byte, r.tx_per_byte,
                 r.rx_per_byte, r.seconds, r.resent, r.ok ? "" : "  FAILED");
      if (size == (size_t(64) << 10))
        fmt::print("{:<34} {:>54.1f} s\n", "  (stub's own mw.l upload, once)", r.stub_seconds);
    }
    for (double rate : {115200.0, 1500000.0}) {
      auto y = ymodem(size, rate);
      fmt::print("{:<34} {:>9.4f} {:>9} {:>9} {:>10.1f} s{}\n",
                 fmt::format("loady {} at {}", sz, rate > 200000 ? "1.5 Mbaud" : "115200"), y.per_byte, "", "",
                 y.seconds, rate > 200000 ? "  (computed; stock Ingenic U-Boot stays at 115200)" : "  (computed)");
    }
  }
  if (noise) {
    Row r = run(size_t(1) << 20, true, ",noise=1e-4,seed=3");
    fmt::print("{:<34} {:>9.4f} {:>9.4f} {:>9.4f} {:>10.1f} s {:>9}{}\n", "stub 1 MiB at 1.5M, noise 1e-4", r.per_byte,
               r.tx_per_byte, r.rx_per_byte, r.seconds, r.resent, r.ok ? "" : "  FAILED");
    if (!r.ok) rc = 1;
  }
  return rc;
}
