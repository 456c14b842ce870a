// SPDX-License-Identifier: MIT
// Chunk planner, resume state and --load templates of the chunked U-Boot dumps.
#include <gtest/gtest.h>

#include <vector>

#include "core/crc32.hpp"
#include "core/error.hpp"
#include "dump/chunk_plan.hpp"
#include "dump/md_reader.hpp"
#include "dump/staging.hpp"

using namespace camdump;
using namespace camdump::dump;

TEST(ChunkPlan, CutsRangeWithShortLastChunk) {
  auto p = ChunkPlan::make(0x10000, 0x25000, 0x10000, 16u << 20);
  ASSERT_EQ(p.chunks.size(), 3u);
  EXPECT_EQ(p.chunks[0].offset, 0x10000u);
  EXPECT_EQ(p.chunks[2].offset, 0x30000u);
  EXPECT_EQ(p.chunks[2].len, 0x5000u);
  EXPECT_THROW(ChunkPlan::make(0, 0x1000, 0x1001, 0), Error);
  EXPECT_THROW(ChunkPlan::make(0xff0000, 0x20000, 0x1000, 16u << 20), Error);  // past the end
}

TEST(ChunkPlan, CombinedCrcEqualsWholeCrc) {
  std::vector<uint8_t> img(0x3000);
  for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<uint8_t>(i * 7);
  auto p = ChunkPlan::make(0, img.size(), 0x1000, img.size());
  for (auto& c : p.chunks) {
    c.status = ChunkStatus::Verified;
    c.crc = crc32(std::span<const uint8_t>(img.data() + c.offset, c.len));
  }
  EXPECT_EQ(p.combined_crc(), crc32(img));
}

TEST(ChunkPlan, StateRoundTripAndDamagedStatesAreRefused) {
  auto p = ChunkPlan::make(0, 0x40000, 0x10000, 0x1000000);
  p.chunks[0] = {0, 0x10000, ChunkStatus::Blank, 0x12345678};
  p.chunks[2] = {0x20000, 0x10000, ChunkStatus::Verified, 0xcafef00d};
  std::string text = p.state_text(0x30000);
  EXPECT_TRUE(text.starts_with("format=camdump-resume 1\nkind=chunks\n")) << text;
  auto q = parse_state(text);
  EXPECT_EQ(q.chunk, 0x10000u);
  EXPECT_EQ(q.flash_size, 0x1000000u);
  EXPECT_EQ(q.chunks[0].status, ChunkStatus::Blank);
  EXPECT_EQ(q.chunks[1].status, ChunkStatus::Pending);
  EXPECT_EQ(q.chunks[2].crc, 0xcafef00du);
  EXPECT_EQ(q.settled_bytes(), 0x20000u);
  EXPECT_THROW(parse_state(text.substr(0, text.size() - 12)), Error);  // truncated
  EXPECT_THROW(parse_state("garbage\n"), Error);
  // A well-formed state whose chunk index is past the plan: refused, naming the file.
  ResumeState bad = p.state(0);
  bad.set("chunk.99", "verified 00000000");
  try {
    parse_state(bad.text(), "/tmp/x.bin.part.state");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Corrupt);
    EXPECT_NE(std::string(e.what()).find("/tmp/x.bin.part.state"), std::string::npos) << e.what();
  }
  // A huge plan from a hostile file is refused before it is allocated.
  ResumeState huge("chunks");
  huge.set_number("offset", 0);
  huge.set_number("length", 1ull << 40);
  huge.set_number("chunk", 16);
  huge.set_number("flash", 0);
  huge.set_number("part_size", 0);
  EXPECT_THROW(parse_state(huge.text()), Error);
}

TEST(Staging, TemplateExpansion) {
  EXPECT_EQ(expand_template("sf read {addr} {offset} {len}", 0x80600000, 0x10000, 0x10000),
            "sf read 80600000 10000 10000");
  EXPECT_EQ(expand_template("cp.b {offset+42000000} {addr} {len}", 0x44000000, 0x20, 0x10),
            "cp.b 42000020 44000000 10");
  EXPECT_EQ(expand_template("cp.b {offset+0x42000000} {addr} {len}", 0x44000000, 0x20, 0x10),
            "cp.b 42000020 44000000 10");
  EXPECT_THROW(expand_template("sf read {nope}", 0, 0, 0), Error);
}

TEST(Staging, DefaultBufferPerSoc) {
  uboot::DeviceInfo t31;
  t31.ingenic = true;
  EXPECT_EQ(default_buffer(t31), 0x80600000u);  // below the 64 MiB T31 malloc arena at 0x81f8c000
  uboot::DeviceInfo virt;
  virt.console_uart = "pl011@9000000";
  EXPECT_GE(default_buffer(virt), 0x42000000u);
}

TEST(MdReaderUtil, SwapUnits) {
  std::vector<uint8_t> d = {1, 2, 3, 4, 5, 6, 7, 8};
  swap_units(d, 4);
  EXPECT_EQ(d, (std::vector<uint8_t>{4, 3, 2, 1, 8, 7, 6, 5}));
}

TEST(ChunkPlan, ARangeThatWrapsPastTwoToTheSixtyFourIsRefused) {
  // offset + length wraps to 0: the plan would have held ~2^44 chunks.
  EXPECT_THROW(ChunkPlan::make(0x10, 0xfffffffffffffff0ull, 0x1000, 16u << 20), Error);
  EXPECT_THROW(ChunkPlan::make(0x10, 0xfffffffffffffff0ull, 0x1000, 0), Error);  // flash size unknown
}
