// SPDX-License-Identifier: MIT
// Fuzz target: the host's decoder of the stub's answers in receive mode (uboot/stub_answers.hpp),
// fed the input in pieces whose sizes come from the first byte, then idle(). It must never crash
// or read out of bounds, and damage before an intact answer must never hide it (the decoder
// resynchronises byte by byte): an answer appended after the input is always found.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "uboot/stub_answers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  camdump::uboot::StubAnswerDecoder d;
  size_t pos = 1, step = 1 + data[0] % 61;
  while (pos < size) {
    const size_t n = std::min(step, size - pos);
    d.feed(std::span<const uint8_t>(data + pos, n));
    pos += n;
    step = step * 7 % 127 + 1;
  }
  (void)d.take_answers();
  (void)d.console_text();
  // A sync pair near the end could start a packet that spans the appended answer: skip those.
  bool sync_near_end = false;
  for (size_t i = size > 40 ? size - 40 : 1; i + 1 < size; i++)
    sync_near_end |= data[i] == CDSTUB_SYNC0 && data[i + 1] == CDSTUB_SYNC1;
  if (data[size - 1] == CDSTUB_SYNC0) sync_near_end = true;
  const auto known = camdump::uboot::encode_answer(true, 0x12345678u, 0x4321u);
  d.feed(known);
  d.idle();
  const auto got = d.take_answers();
  const bool found = std::any_of(got.begin(), got.end(),
                                 [](const auto& a) { return a.ok && a.seq == 0x12345678u && a.tag == 0x4321u; });
  if (!found && !sync_near_end) __builtin_trap();
  return 0;
}
