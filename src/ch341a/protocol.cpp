// SPDX-License-Identifier: MIT
#include "ch341a/protocol.hpp"

#include <array>

namespace camdump::ch341a {
namespace {

constexpr std::array<uint8_t, 256> make_reverse() {
  std::array<uint8_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned r = 0;
    for (unsigned b = 0; b < 8; ++b)
      if (i & (1u << b)) r |= 0x80u >> b;
    t[i] = uint8_t(r);
  }
  return t;
}
constexpr auto kReverse = make_reverse();

}  // namespace

uint8_t reverse_byte(uint8_t b) noexcept { return kReverse[b]; }

std::vector<uint8_t> config_stream_packet() { return {kCmdI2cStream, uint8_t(kI2cSet | kSpeed100k), kI2cEnd}; }

std::vector<uint8_t> enable_pins_packet(bool on) {
  if (on) return {kCmdUioStream, uint8_t(kUioOut | kPinsIdle), uint8_t(kUioDir | 0x3F), kUioEnd};
  return {kCmdUioStream, uint8_t(kUioOut | kPinsIdle), kUioDir, kUioEnd};
}

size_t frame_out_size(size_t n) noexcept { return kPacket + (n + kPayload - 1) / kPayload + n; }

size_t max_frame_bytes() noexcept { return (kMaxTransaction - kPacket) / kPacket * kPayload; }

size_t encode_frame(std::span<const uint8_t> write, size_t read_len, std::vector<uint8_t>& out) {
  // CS pluck: deassert for three UIO writes (≈2.25 µs measured by flashrom), then assert.
  size_t start = out.size();
  out.resize(start + kPacket, 0);
  const uint8_t pluck[] = {kCmdUioStream,
                           uint8_t(kUioOut | kPinsIdle),
                           uint8_t(kUioOut | kPinsIdle),
                           uint8_t(kUioOut | kPinsIdle),
                           uint8_t(kUioOut | kPinsSelect),
                           kUioEnd};
  std::copy(std::begin(pluck), std::end(pluck), out.begin() + long(start));
  size_t total = write.size() + read_len;
  for (size_t i = 0; i < total; ++i) {
    if (i % kPayload == 0) out.push_back(kCmdSpiStream);
    out.push_back(i < write.size() ? kReverse[write[i]] : 0xFF);
  }
  return total;
}

void decode_frame(std::span<const uint8_t> in, size_t write_len, std::span<uint8_t> read) {
  for (size_t i = 0; i < read.size() && write_len + i < in.size(); ++i) read[i] = kReverse[in[write_len + i]];
}

}  // namespace camdump::ch341a
