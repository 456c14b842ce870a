// SPDX-License-Identifier: MIT
// SparseImage: storing reads, conflicts, gaps, and joining an image read later (absorb).
#include <gtest/gtest.h>

#include <vector>

#include "dump/sparse_image.hpp"

using namespace camdump::dump;

namespace {

std::vector<uint8_t> bytes(size_t n, uint8_t base) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(base + i);
  return v;
}

std::vector<uint8_t> copy(const SparseImage& im, uint64_t addr, size_t n) {
  std::vector<uint8_t> v(n);
  im.copy_range(addr, v, 0xee);
  return v;
}

}  // namespace

TEST(SparseImage, RepeatsConflictsAndGaps) {
  SparseImage im;
  const auto a = bytes(16, 0x10);
  EXPECT_FALSE(im.put(0x100, a.data(), 16, 1, 0).repeated);
  EXPECT_TRUE(im.put(0x100, a.data(), 16, 2, 0).repeated);
  auto b = a;
  b[5] ^= 1;
  const auto r = im.put(0x100, b.data(), 16, 3, 0);
  EXPECT_TRUE(r.conflict);
  EXPECT_EQ(r.conflict_addr, 0x105u);
  EXPECT_EQ(r.other_line, 1u);
  std::vector<AddrRange> gaps;
  uint64_t gap_bytes = 0;
  im.gaps(0xf0, 0x30, gaps, gap_bytes);
  ASSERT_EQ(gaps.size(), 3u);  // before, the conflicting byte, after
  EXPECT_EQ(gaps[1].addr, 0x105u);
  EXPECT_EQ(gaps[1].size, 1u);
  EXPECT_EQ(gap_bytes, 0x10u + 1u + 0x10u);
  EXPECT_FALSE(im.known(0x100, 16));
  EXPECT_TRUE(im.known(0x106, 10));
  EXPECT_EQ(copy(im, 0x104, 2), (std::vector<uint8_t>{a[4], 0xee}));
}

TEST(SparseImage, GapsAcrossWholeBitmapWordsAndPages) {
  SparseImage im;
  const auto a = bytes(16, 0);
  // 0x0 .. 0x2ffff known except one byte at 0x1ffc0 and 16 bytes at 0x20000 (a page start).
  for (uint64_t at = 0; at < 0x30000; at += 16)
    if (at != 0x20000) im.put(at, a.data(), 16, static_cast<uint32_t>(at / 16 + 1), 0);
  auto b = a;
  b[0] ^= 0xff;
  im.put(0x1ffc0, b.data(), 16, 99999, 0);
  std::vector<AddrRange> gaps;
  uint64_t n = 0;
  im.gaps(0, 0x30000, gaps, n);
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(gaps[0].addr, 0x1ffc0u);
  EXPECT_EQ(gaps[0].size, 1u);
  EXPECT_EQ(gaps[1].addr, 0x20000u);
  EXPECT_EQ(gaps[1].size, 16u);
  EXPECT_EQ(n, 17u);
}

TEST(SparseImage, AbsorbJoinsDisjointReadsWithLaterLineNumbers) {
  SparseImage first, later;
  const auto a = bytes(24, 0x20), b = bytes(24, 0x80);
  first.put(0x1000, a.data(), 24, 1, 0);   // 0x1000 .. 0x1017
  later.put(0x1018, b.data(), 24, 1, 0);   // 0x1018 .. 0x102f, same page, no common byte
  later.put(0x50000, b.data(), 16, 2, 0);  // a page only `later` has
  auto b2 = b;
  b2[0] ^= 1;
  later.put(0x50000, b2.data(), 16, 3, 0);  // a conflict inside `later`
  ASSERT_TRUE(first.absorb(later, 100));
  EXPECT_TRUE(first.known(0x1000, 48));
  std::vector<uint8_t> both(a);
  both.insert(both.end(), b.begin(), b.end());
  EXPECT_EQ(copy(first, 0x1000, 48), both);
  EXPECT_FALSE(first.known(0x50000, 1));  // the conflict came along
  EXPECT_TRUE(first.known(0x50001, 15));
  // A re-read now names the later line, shifted by the offset.
  const auto r = first.put(0x50001, b2.data() + 1, 15, 200, 0);
  EXPECT_TRUE(r.repeated);
  auto b3 = b;
  b3[3] ^= 1;
  const auto c = first.put(0x50000, b3.data(), 16, 201, 0);
  EXPECT_TRUE(c.conflict);
  EXPECT_EQ(c.other_line, 102u);
}

TEST(SparseImage, AbsorbRefusesAByteReadByBothAndChangesNothing) {
  SparseImage first, later;
  const auto a = bytes(16, 1);
  first.put(0x2000, a.data(), 16, 1, 0);
  later.put(0x3000, a.data(), 16, 1, 0);
  later.put(0x200f, a.data(), 1, 2, 0);  // one byte both read (with another value)
  EXPECT_FALSE(first.absorb(later, 10));
  EXPECT_FALSE(first.known(0x3000, 1));
  EXPECT_TRUE(first.known(0x2000, 16));
  EXPECT_TRUE(later.known(0x3000, 16));
  EXPECT_TRUE(later.known(0x200f, 1));
}

TEST(SparseImage, AbsorbIntoAnEmptyImageKeepsTheTakenPages) {
  // New pages after the join must not reuse the memory of the pages taken over (found by
  // fuzz_hexlog: a first part without md lines, a later part with some).
  SparseImage first, later;
  const auto a = bytes(16, 0x30), b = bytes(16, 0x90);
  later.put(0x10000, a.data(), 16, 1, 0);
  ASSERT_TRUE(first.absorb(later, 5));
  for (uint64_t page = 2; page < 100; ++page) first.put(page << 16, b.data(), 16, 10, 0);
  EXPECT_EQ(copy(first, 0x10000, 16), a);
  EXPECT_FALSE(first.known(0x10010, 1));
  EXPECT_TRUE(first.known(0x20000, 16));
}
