// SPDX-License-Identifier: MIT
// hex_digit(): the one hex-digit decoder every parser uses (md lines, shell hex dumps, memparse).
#include <gtest/gtest.h>

#include <string_view>

#include "core/hex_digit.hpp"

namespace camdump {
namespace {

TEST(HexDigit, DecodesBothCasesAndRejectsEverythingElse) {
  constexpr std::string_view kLower = "0123456789abcdef", kUpper = "0123456789ABCDEF";
  for (int c = 0; c < 256; ++c) {
    const auto ch = static_cast<unsigned char>(c);
    const size_t lo = kLower.find(static_cast<char>(ch)), up = kUpper.find(static_cast<char>(ch));
    const size_t want = lo != std::string_view::npos ? lo : up;
    if (want == std::string_view::npos) EXPECT_EQ(hex_digit(ch), kNotHex) << "char " << c;
    else EXPECT_EQ(hex_digit(ch), want) << "char " << c;
  }
}

TEST(HexDigit, SignedCharOverloadReadsTheSameByte) {
  EXPECT_EQ(hex_digit('f'), 15);
  EXPECT_EQ(hex_digit(static_cast<char>(0xe6)), kNotHex);  // a negative char must not index outside the table
  static_assert(hex_digit('A') == 10 && hex_digit('9') == 9 && hex_digit('g') == kNotHex);
}

}  // namespace
}  // namespace camdump
