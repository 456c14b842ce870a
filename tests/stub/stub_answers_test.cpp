// SPDX-License-Identifier: MIT
// The receive mode's wire format, host side (uboot/stub_answers.hpp): the data frame's layout and
// CRCs as stub.c checks them, and the answer decoder over a damaged stream.
#include <gtest/gtest.h>

#include "core/crc32.hpp"
#include "uboot/stub_answers.hpp"
#include "uboot/stub_protocol.hpp"

namespace camdump::uboot {
namespace {

uint32_t le(const std::vector<uint8_t>& v, size_t at) {
  return uint32_t{v[at]} | uint32_t{v[at + 1]} << 8 | uint32_t{v[at + 2]} << 16 | uint32_t{v[at + 3]} << 24;
}

TEST(StubAnswers, WriteFrameLayoutAndCrcs) {
  const std::vector<uint8_t> payload{1, 2, 3, 4, 5};
  auto f = encode_write_frame(0x01020304, 0xbeef, payload);
  ASSERT_EQ(f.size(), write_frame_chars(payload.size()));
  EXPECT_EQ(f[0], CDSTUB_CMD0);
  EXPECT_EQ(f[1], CDSTUB_CMD1);
  EXPECT_EQ(f[2], 'W');
  EXPECT_EQ(le(f, 3), 0x01020304u);
  EXPECT_EQ(f[7] | f[8] << 8, 0xbeef);
  EXPECT_EQ(f[9] | f[10] << 8, 5);
  EXPECT_EQ(le(f, 11), crc32(std::span<const uint8_t>(f.data() + 2, 9)));  // header CRC
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), f.begin() + 15));
  EXPECT_EQ(le(f, 20), crc32(payload));
}

TEST(StubAnswers, DecoderFindsIntactAnswersInDamagedStream) {
  std::vector<uint8_t> s;
  auto add = [&](const std::vector<uint8_t>& v) { s.insert(s.end(), v.begin(), v.end()); };
  add(encode_hello(0xa0600000, 0x10000, 4096));
  add(encode_words('Y', 1, 13, 1));
  add(encode_answer(true, 0, 1));
  auto bad = encode_answer(true, 1, 2);
  bad[5] ^= 0x10;  // a flipped bit: this answer must not count
  add(bad);
  s.push_back(CDSTUB_SYNC0);  // a stray sync byte, then a dropped byte in the next packet
  auto dropped = encode_answer(false, 2, 3);
  dropped.erase(dropped.begin() + 4);
  add(dropped);
  add(encode_answer(false, 3, 4));
  add(encode_end(0xdeadbeef, 0x10000));
  StubAnswerDecoder d;
  for (size_t i = 0; i < s.size(); i += 7)
    d.feed(std::span<const uint8_t>(s.data() + i, std::min<size_t>(7, s.size() - i)));
  d.idle();
  auto a = d.take_answers();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(a[0].ok);
  EXPECT_EQ(a[0].seq, 0u);
  EXPECT_EQ(a[0].tag, 1u);
  EXPECT_FALSE(a[1].ok);
  EXPECT_EQ(a[1].seq, 3u);
  EXPECT_EQ(d.end_crc(), 0xdeadbeefu);
  EXPECT_EQ(d.end_len(), 0x10000u);
  ASSERT_TRUE(d.hello());
  EXPECT_EQ((*d.hello())[3], 4096u);
  EXPECT_EQ(d.rate_switched(), true);
  EXPECT_GE(d.bad_packets(), 1u);
}

TEST(StubAnswers, ConsoleTextAfterTheStubReturned) {
  StubAnswerDecoder d;
  auto k = encode_answer(true, 7, 8);
  d.feed(k);
  const std::string text = "\r\n## Application terminated, rc = 0x2\r\nisvp_t31# ";
  d.feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  EXPECT_EQ(d.take_answers().size(), 1u);
  EXPECT_EQ(d.console_text(), text);
}

}  // namespace
}  // namespace camdump::uboot
