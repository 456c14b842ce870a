// SPDX-License-Identifier: MIT
// The flash map (terminal cells, SVG) and the UBI checker on a small hand-made UBI image.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/file_util.hpp"
#include "image/flash_map.hpp"
#include "image/inspect.hpp"
#include "image/synth.hpp"
#include "support/paths.hpp"

namespace camdump::image {
namespace {

TEST(FlashMap, CellsShowPartsBlankAndProblems) {
  auto img = make_thingino_image({});
  const InspectReport ok = inspect(img);
  auto cells = flash_map_cells(ok, 64);
  ASSERT_EQ(cells.size(), 64u);
  EXPECT_EQ(cells[0], MapKind::Boot);
  EXPECT_NE(std::find(cells.begin(), cells.end(), MapKind::Kernel), cells.end());
  EXPECT_NE(std::find(cells.begin(), cells.end(), MapKind::Rootfs), cells.end());
  EXPECT_NE(std::find(cells.begin(), cells.end(), MapKind::Blank), cells.end());
  EXPECT_EQ(std::find(cells.begin(), cells.end(), MapKind::Problem), cells.end());

  img[0x70000 + 64 + 1000] ^= 0x80;  // kernel data
  const InspectReport bad = inspect(img);
  cells = flash_map_cells(bad, 64);
  // 0x70040 lies in cell 1, which shows env (0x50000): the '!' goes on the kernel's first cell.
  EXPECT_EQ(cells[size_t(0x70040ull * 64 / img.size())], MapKind::Env);
  EXPECT_EQ(cells[size_t(0x70040ull * 64 / img.size()) + 1], MapKind::Problem);
  const std::string svg = flash_map_svg(bad, "fw.bin");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  for (const char* s : {"kernel", "rootfs", "@0x200000", "1 problem(s)", "uImage data CRC mismatch"})
    EXPECT_NE(svg.find(s), std::string::npos) << s;
}

TEST(FlashMap, TruncatedImageShowsMissingTail) {
  auto img = make_thingino_image({});
  img.resize(12u << 20);
  const InspectReport r = inspect(img);
  const auto cells = flash_map_cells(r, 64);
  EXPECT_EQ(cells.back(), MapKind::Missing);
  EXPECT_FALSE(r.ok());
}

TEST(InspectUbi, HeadersCounted) {
  const auto img = read_file(camdump::test::source_dir() + "/fuzz/corpus/inspect/ubi");
  InspectOptions o;
  o.layout = "mtdparts=nand:16k(ubi)";
  const InspectReport r = inspect(img, o);
  ASSERT_EQ(r.parts.size(), 1u);
  ASSERT_TRUE(r.parts[0].ubi);
  EXPECT_EQ(r.parts[0].ubi->peb_size, 0x1000u);
  EXPECT_EQ(r.parts[0].ubi->ec_headers, 3u);
  EXPECT_EQ(r.parts[0].ubi->vid_headers, 2u);
  EXPECT_EQ(r.parts[0].ubi->bad_headers, 0u);
  EXPECT_EQ(r.parts[0].ubi->blank_pebs, 1u);
  auto broken = img;
  broken[0x1000 + 20] ^= 1;  // second PEB's EC header
  const InspectReport b = inspect(broken, o);
  EXPECT_EQ(b.parts[0].ubi->bad_headers, 1u);
  bool found = false;
  for (const auto& p : b.problems) found |= p.part == "ubi" && p.offset == 0x1000;
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace camdump::image
