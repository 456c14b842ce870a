// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/size.hpp"

using namespace camdump;

TEST(Size, AcceptsEveryDocumentedForm) {
  EXPECT_EQ(parse_size("16M"), 16u << 20);
  EXPECT_EQ(parse_size("16MiB"), 16u << 20);
  EXPECT_EQ(parse_size("16m"), 16u << 20);
  EXPECT_EQ(parse_size("0x1000000"), 16u << 20);
  EXPECT_EQ(parse_size("16777216"), 16u << 20);
  EXPECT_EQ(parse_size("64K"), 65536u);
  EXPECT_EQ(parse_size("64KB"), 65536u);
  EXPECT_EQ(parse_size("1G"), 1ull << 30);
}

TEST(Size, RejectsGarbage) {
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("M"));
  EXPECT_FALSE(parse_size("16Q"));
  EXPECT_FALSE(parse_size("0x"));
  EXPECT_FALSE(parse_size("-1"));
  EXPECT_FALSE(parse_size("99999999999999999999"));
  EXPECT_FALSE(parse_size("17179869184G"));  // overflows 64 bits
  EXPECT_THROW(size_arg("--size", "lots"), Error);
}

TEST(Size, NumbersAndCrcs) {
  EXPECT_EQ(parse_number("0x80600000"), 0x80600000u);
  EXPECT_EQ(parse_number("4096"), 4096u);
  EXPECT_FALSE(parse_number("0x80600000z"));
  EXPECT_EQ(parse_crc("0x1a2b3c4d"), 0x1a2b3c4du);
  EXPECT_EQ(parse_crc("EEAEAD43"), 0xeeaead43u);
  EXPECT_FALSE(parse_crc("123456789"));
  EXPECT_EQ(parse_hex("806fffff"), 0x806fffffu);
}

TEST(Size, Formatting) {
  EXPECT_EQ(format_size(16u << 20), "16 MiB");
  EXPECT_EQ(format_size(1536), "1.5 KiB");
  EXPECT_EQ(format_size(100), "100 bytes");
  EXPECT_EQ(hex(0x50000), "0x50000");
  EXPECT_EQ(hex(0x10, 8), "0x00000010");
  EXPECT_EQ(crc_hex(0xeeaead43), "eeaead43");
}

TEST(CheckedRange, AcceptsRangesThatFitAndReturnsThem) {
  auto r = checked_range(0x10000, 0x20000, 16u << 20, "dump range");
  EXPECT_EQ(r.offset, 0x10000u);
  EXPECT_EQ(r.end(), 0x30000u);
  EXPECT_EQ(checked_range(0, 16u << 20, 16u << 20).length, 16u << 20);  // the whole flash
}

TEST(CheckedRange, ALengthThatWouldWrapIsRefusedNotPlanned) {
  // 0x10 + 0xfffffffffffffff0 wraps to 0: the old `offset + length > size` check passed it.
  try {
    checked_range(0x10, 0xfffffffffffffff0ull, 16u << 20, "dump range");
    FAIL() << "a wrapping range was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("runs past the end"), std::string::npos) << e.what();
  }
  EXPECT_THROW(checked_range(0x10, 0xfffffffffffffff0ull, UINT64_MAX), Error);
}

TEST(CheckedRange, OffsetPastTheEndAndEmptyRangesAreUsageErrors) {
  EXPECT_THROW(checked_range(16u << 20, 1, 16u << 20), Error);
  EXPECT_THROW(checked_range(0, 0, 16u << 20), Error);
  EXPECT_THROW(checked_range(0xfff000, 0x1001, 16u << 20), Error);
}
