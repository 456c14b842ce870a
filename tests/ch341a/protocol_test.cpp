// SPDX-License-Identifier: MIT
// CH341A packet encoding and decoding: bit order, the CS pluck packet, 31-byte framing, the
// 16 KiB transaction bound, and the emulated device's handling of the same bytes.
#include <gtest/gtest.h>

#include "ch341a/emu_device.hpp"
#include "ch341a/protocol.hpp"
#include "ch341a/sim_spec.hpp"
#include "core/error.hpp"

using namespace camdump;
using namespace camdump::ch341a;

TEST(Ch341aProtocol, BitReversal) {
  EXPECT_EQ(reverse_byte(0x9F), 0xF9);  // RDID on the wire (docs/reference/ch341a.md#bit-order)
  EXPECT_EQ(reverse_byte(0xEF), 0xF7);
  EXPECT_EQ(reverse_byte(0x40), 0x02);
  EXPECT_EQ(reverse_byte(0x18), 0x18);
  EXPECT_EQ(reverse_byte(0x01), 0x80);
  for (int b = 0; b < 256; ++b) EXPECT_EQ(reverse_byte(reverse_byte(uint8_t(b))), b);
}

TEST(Ch341aProtocol, SetupPackets) {
  EXPECT_EQ(config_stream_packet(), (std::vector<uint8_t>{0xAA, 0x61, 0x00}));
  EXPECT_EQ(enable_pins_packet(true), (std::vector<uint8_t>{0xAB, 0xB7, 0x7F, 0x20}));
  EXPECT_EQ(enable_pins_packet(false), (std::vector<uint8_t>{0xAB, 0xB7, 0x40, 0x20}));
}

TEST(Ch341aProtocol, RdidFrame) {
  std::vector<uint8_t> out;
  const uint8_t rdid[] = {0x9F};
  size_t in_len = encode_frame(rdid, 3, out);
  EXPECT_EQ(in_len, 4u);
  ASSERT_EQ(out.size(), 32u + 1 + 4);
  const uint8_t pluck[] = {0xAB, 0xB7, 0xB7, 0xB7, 0xB6, 0x20, 0x00};
  EXPECT_TRUE(std::equal(std::begin(pluck), std::end(pluck), out.begin()));
  EXPECT_EQ(out[31], 0x00);
  EXPECT_EQ(out[32], 0xA8);
  EXPECT_EQ(out[33], 0xF9);
  EXPECT_EQ(out[34], 0xFF);
  const uint8_t reply[] = {0x00, 0xF7, 0x02, 0x18};  // flashrom tests/ch341a_spi.c mock reply
  uint8_t id[3];
  decode_frame(reply, 1, id);
  EXPECT_EQ(id[0], 0xEF);
  EXPECT_EQ(id[1], 0x40);
  EXPECT_EQ(id[2], 0x18);
}

TEST(Ch341aProtocol, PacketsOfThirtyOneAndSixteenKiBBound) {
  std::vector<uint8_t> out;
  const uint8_t cmd[] = {0x03, 0, 0, 0};
  size_t n = encode_frame(cmd, 4096, out);
  EXPECT_EQ(n, 4100u);
  EXPECT_EQ(out.size(), frame_out_size(4100));
  EXPECT_EQ(out.size(), 32u + 133 + 4100);  // flashrom's 4100-byte read, same bytes
  for (size_t off = 32; off < out.size(); off += 32) EXPECT_EQ(out[off], 0xA8) << off;
  EXPECT_LE(frame_out_size(max_frame_bytes()), kMaxTransaction);
  EXPECT_GT(frame_out_size(max_frame_bytes() + 1), kMaxTransaction);
}

TEST(Ch341aEmulator, AnswersPerPacketAndHonoursChipSelect) {
  auto emu = make_emulator(parse_sim_spec("chip=W25Q128FV"));
  ASSERT_EQ(emu->bulk_out(enable_pins_packet(true)), UsbStatus::Completed);
  EXPECT_FALSE(emu->cs_active());
  // 40 bytes: two 0xA8 packets (31 + 9), so two replies.
  std::vector<uint8_t> out;
  const uint8_t rdid[] = {0x9F};
  encode_frame(rdid, 39, out);
  ASSERT_EQ(emu->bulk_out(out), UsbStatus::Completed);
  EXPECT_TRUE(emu->cs_active());  // CS stays asserted until the next pluck (flashrom)
  std::vector<uint8_t> in(40);
  size_t a = 0, b = 0;
  ASSERT_EQ(emu->bulk_in(std::span(in).first(31), a), UsbStatus::Completed);
  ASSERT_EQ(emu->bulk_in(std::span(in).subspan(31), b), UsbStatus::Completed);
  EXPECT_EQ(a, 31u);
  EXPECT_EQ(b, 9u);
  EXPECT_EQ(in[1], 0xF7);  // EF bit-reversed
  EXPECT_EQ(in[2], 0x02);
  EXPECT_EQ(in[3], 0x18);
  size_t c = 0;
  EXPECT_EQ(emu->bulk_in(std::span(in).first(31), c), UsbStatus::TimedOut);  // nothing queued
  // A reply longer than the IN transfer overflows, as on real USB.
  out.clear();
  encode_frame(rdid, 20, out);
  emu->bulk_out(out);
  EXPECT_EQ(emu->bulk_in(std::span(in).first(8), c), UsbStatus::Overflow);
  // Pins off: CS floats high, the chip is deselected.
  emu->bulk_out(enable_pins_packet(false));
  EXPECT_FALSE(emu->cs_active());
  EXPECT_EQ(emu->stats().out_transfers, 4u);
}

TEST(Ch341aSimSpec, ParsesAndRejects) {
  auto s = parse_sim_spec("chip=w25n01gv,bad=3:17,eccfail=100,flaky=1e-6,seed=9,unplug=4096");
  ASSERT_NE(s.chip, nullptr);
  EXPECT_EQ(s.chip->name(), "W25N01GV");
  EXPECT_EQ(s.bad_blocks, (std::set<uint32_t>{3, 17}));
  EXPECT_EQ(s.ecc_fail_pages, (std::set<uint32_t>{100}));
  EXPECT_DOUBLE_EQ(s.faults.flip_rate, 1e-6);
  EXPECT_EQ(s.faults.seed, 9u);
  EXPECT_EQ(s.faults.unplug_after, 4096u);
  EXPECT_EQ(parse_sim_spec("").chip->name(), "W25Q128FV");
  EXPECT_THROW(parse_sim_spec("chip=NOPE"), Error);
  EXPECT_THROW(parse_sim_spec("flaky=2"), Error);
  EXPECT_THROW(parse_sim_spec("what=1"), Error);
  EXPECT_THROW(parse_sim_spec("id=EF40"), Error);
}
