// SPDX-License-Identifier: MIT
// Fuzz the YMODEM receiver (uboot/ymodem.hpp, what the virtual camera's loady runs on the host's
// bytes): any byte stream, cut into pieces and with timeouts at input-chosen places, must never
// crash, never hold more than the room it was given or than block 0 announced, and a stream built
// by the codec from the input must arrive exactly.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "uboot/ymodem.hpp"

using namespace camdump::uboot::ymodem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // 1. Raw bytes, fed in pieces whose lengths come from the first byte; timeouts in between.
  Receiver r(4096);
  r.start();
  const size_t piece = (data[0] % 64) + 1;
  for (size_t i = 1; i < size; i += piece) {
    const size_t n = std::min(piece, size - i);
    r.feed(std::span(data + i, n));
    if (data[i] == 0xff) r.timeout();
  }
  if (r.data().size() > 4096) std::abort();
  if (r.announced() && r.state() == Receiver::State::Done && r.data().size() > *r.announced()) std::abort();
  // 2. A well-formed transfer of the input must arrive exactly.
  Receiver g(size + 2048);
  g.start();
  std::vector<uint8_t> wire = build_header("f.bin", size);
  uint8_t seq = 1;
  for (size_t off = 0; off < size; off += 1024, ++seq) {
    auto b = build_block(seq, std::span(data + off, std::min<size_t>(1024, size - off)), size - off > 128);
    wire.insert(wire.end(), b.begin(), b.end());
  }
  wire.push_back(kEot);
  auto end = build_header("", 0);
  wire.insert(wire.end(), end.begin(), end.end());
  g.feed(wire);
  if (g.state() != Receiver::State::Done) std::abort();
  if (g.data().size() != size || !std::equal(g.data().begin(), g.data().end(), data)) std::abort();
  return 0;
}
