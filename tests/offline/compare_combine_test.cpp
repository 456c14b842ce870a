// SPDX-License-Identifier: MIT
// dump/compare, dump/combine and dump/extract on temporary files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/mtd_layout.hpp"
#include "dump/combine.hpp"
#include "dump/compare.hpp"
#include "dump/extract.hpp"
#include "support/files.hpp"
#include "support/random.hpp"

using namespace camdump;
using namespace camdump::dump;
namespace fs = std::filesystem;

namespace {

using test::random_bytes;

// Writes `d` as t/name; the path.
fs::path put(const test::TempDir& t, const std::string& name, const std::vector<uint8_t>& d) {
  test::write_bytes(t / name, d);
  return t / name;
}

}  // namespace

TEST(Compare, IdenticalAndDifferingRangesWithGroups) {
  test::TempDir t;
  auto a = random_bytes(3 << 20, 1);
  auto b = a, c = a;
  b[0x100001] ^= 1;
  b[0x100002] ^= 1;  // merged with the previous byte
  c[0x2fffff] ^= 0x80;
  auto pa = put(t, "a.bin", a), pb = put(t, "b.bin", b), pc = put(t, "c.bin", c);
  auto same = compare_files({pa, put(t, "a2.bin", a)});
  EXPECT_TRUE(same.identical);
  EXPECT_EQ(same.files[0].sha256, same.files[1].sha256);
  EXPECT_EQ(same.files[0].crc32, crc32(a));
  auto r = compare_files({pa, pb, pc});
  EXPECT_FALSE(r.identical);
  EXPECT_EQ(r.differing_bytes, 3u);
  ASSERT_EQ(r.ranges.size(), 2u);
  EXPECT_EQ(r.ranges[0].offset, 0x100001u);
  EXPECT_EQ(r.ranges[0].size, 2u);
  ASSERT_EQ(r.ranges[0].groups.size(), 2u);
  EXPECT_EQ(r.ranges[0].groups[0], (std::vector<unsigned>{0, 2}));
  EXPECT_EQ(r.ranges[0].groups[1], (std::vector<unsigned>{1}));
  EXPECT_EQ(r.ranges[1].offset, 0x2fffffu);
}

TEST(Compare, VoteSettlesOrRefuses) {
  test::TempDir t;
  auto a = random_bytes(70000, 2);
  auto b = a, c = a;
  b[10] ^= 1;
  c[20] ^= 1;
  auto pa = put(t, "a", a), pb = put(t, "b", b), pc = put(t, "c", c);
  {
    AtomicFile out(t / "vote.bin");
    CompareOptions o;
    o.vote_out = &out;
    auto r = compare_files({pa, pb, pc}, o);
    EXPECT_EQ(r.undecided_bytes, 0u);
    out.commit();
  }
  EXPECT_EQ(read_file(t / "vote.bin"), a);
  c[10] ^= 2;  // now a, b, c hold three different values at 10
  auto pc2 = put(t, "c2", c);
  AtomicFile out(t / "vote2.bin");
  CompareOptions o;
  o.vote_out = &out;
  auto r = compare_files({pa, pb, pc2}, o);
  EXPECT_EQ(r.undecided_bytes, 1u);
  ASSERT_EQ(r.undecided.size(), 1u);
  EXPECT_EQ(r.undecided[0].offset, 10u);
  EXPECT_THROW(compare_files({pa, pb}, o), Error);  // a vote needs three
  EXPECT_THROW(compare_files({pa}), Error);
}

TEST(Compare, SizesDiffer) {
  test::TempDir t;
  auto a = random_bytes(1000, 3);
  auto b = a;
  b.resize(900);
  auto r = compare_files({put(t, "a", a), put(t, "b", b)});
  EXPECT_FALSE(r.identical);
  EXPECT_TRUE(r.sizes_differ);
  EXPECT_EQ(r.differing_bytes, 100u);
  ASSERT_EQ(r.ranges.size(), 1u);
  EXPECT_EQ(r.ranges[0].offset, 900u);
}

TEST(Combine, NumberFromName) {
  EXPECT_EQ(mtd_number("mtd10.bin"), 10u);
  EXPECT_EQ(mtd_number("/x/y/mtd3_app.bin"), 3u);
  EXPECT_EQ(mtd_number("part7.img"), 7u);
  EXPECT_FALSE(mtd_number("boot.bin"));
}

TEST(Combine, NumericOrderNotGlobOrder) {
  test::TempDir t;
  std::vector<fs::path> files;
  std::vector<uint8_t> all;
  for (int i = 0; i < 12; ++i) {
    auto d = random_bytes(4096, static_cast<uint32_t>(100 + i));
    all.insert(all.end(), d.begin(), d.end());
    files.push_back(put(t, "mtd" + std::to_string(i) + ".bin", d));
  }
  std::sort(files.begin(), files.end());  // glob order: mtd0 mtd1 mtd10 mtd11 mtd2 ...
  auto plan = plan_combine(files, nullptr);
  AtomicFile out(t / "full.bin");
  auto r = run_combine(plan, out);
  out.commit();
  EXPECT_EQ(read_file(t / "full.bin"), all);
  EXPECT_EQ(r.crc32, crc32(all));
  files.erase(files.begin() + 4);                     // mtd2
  EXPECT_THROW(plan_combine(files, nullptr), Error);  // a missing part
}

TEST(Combine, ProcMtdWithWholeChipPartIsNotDoubled) {
  test::TempDir t;
  auto chip = random_bytes(0x80000, 5);
  auto L = parse_proc_mtd(
      "mtd0: 00010000 00008000 \"boot\"\nmtd1: 00030000 00008000 \"kernel\"\n"
      "mtd2: 00040000 00008000 \"rootfs\"\nmtd3: 00080000 00008000 \"all\"\n");
  auto p0 = put(t, "mtd0.bin", {chip.begin(), chip.begin() + 0x10000});
  auto p1 = put(t, "mtd1.bin", {chip.begin() + 0x10000, chip.begin() + 0x40000});
  auto p2 = put(t, "mtd2.bin", {chip.begin() + 0x40000, chip.end()});
  auto p3 = put(t, "mtd3.bin", chip);
  auto plan = plan_combine({p3, p2, p1, p0}, &L);
  ASSERT_TRUE(plan.whole_chip);
  EXPECT_EQ(plan.total, chip.size());
  {
    AtomicFile out(t / "o.bin");
    run_combine(plan, out);
    out.commit();
  }
  EXPECT_EQ(read_file(t / "o.bin"), chip);
  // Without the whole-chip copy: the three parts are joined.
  auto plan2 = plan_combine({p2, p0, p1}, &L);
  EXPECT_FALSE(plan2.whole_chip);
  EXPECT_EQ(plan2.total, chip.size());
  // A part that disagrees with the whole-chip copy is refused.
  auto bad = chip;
  bad[0x41234] ^= 1;
  fs::create_directories(t / "x");
  auto pb = put(t, "x/mtd2.bin", {bad.begin() + 0x40000, bad.end()});
  auto plan3 = plan_combine({p0, p1, pb, p3}, &L);
  AtomicFile out3(t / "o3.bin");
  EXPECT_THROW(run_combine(plan3, out3), Error);
  // Wrong sizes and duplicates are refused.
  EXPECT_THROW(plan_combine({p0, p0, p1, p2}, &L), Error);
  auto shortp = put(t, "mtd1.short", {chip.begin(), chip.begin() + 100});
  EXPECT_THROW(plan_combine({p0, shortp, p2}, &L), Error);
  // Missing part with a layout.
  EXPECT_THROW(plan_combine({p0, p2}, &L), Error);
}

TEST(Combine, MtdpartsFillUpUsesTheFileSize) {
  test::TempDir t;
  auto chip = random_bytes(0x30000, 6);
  auto L = parse_mtdparts("mtdparts=jz_sfc:64k(boot),64k(kernel),-(rootfs)");
  auto p0 = put(t, "boot.bin", {chip.begin(), chip.begin() + 0x10000});
  auto p1 = put(t, "kernel.bin", {chip.begin() + 0x10000, chip.begin() + 0x20000});
  auto p2 = put(t, "rootfs.bin", {chip.begin() + 0x20000, chip.end()});
  auto plan = plan_combine({p2, p1, p0}, &L);
  AtomicFile out(t / "o.bin");
  run_combine(plan, out);
  out.commit();
  EXPECT_EQ(read_file(t / "o.bin"), chip);
}

TEST(Extract, ReadsFromBlock16AndRefusesPastTheEnd) {
  test::TempDir t;
  auto card = random_bytes(size_t{64} * 1024, 7);
  auto p = put(t, "card.img", card);
  ExtractOptions o;
  o.size = uint64_t{32} * 1024;
  {
    AtomicFile out(t / "fw.bin");
    auto r = extract_image(p, out, o);
    out.commit();
    EXPECT_EQ(r.size, 32u * 1024);
    EXPECT_EQ(r.crc32, crc32(std::span<const uint8_t>(card).subspan(8192, size_t{32} * 1024)));
  }
  auto got = read_file(t / "fw.bin");
  EXPECT_TRUE(std::equal(got.begin(), got.end(), card.begin() + 8192));
  EXPECT_EQ(fs::status(t / "fw.bin").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  o.size = 64 * 1024 - 8192 + 1;
  AtomicFile out2(t / "fw2.bin");
  EXPECT_THROW(extract_image(p, out2, o), Error);
  EXPECT_EQ(source_size(p), card.size());
}
