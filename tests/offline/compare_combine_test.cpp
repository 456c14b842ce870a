// SPDX-License-Identifier: MIT
// dump/compare, dump/combine and dump/extract on temporary files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/mtd_layout.hpp"
#include "dump/combine.hpp"
#include "dump/compare.hpp"
#include "dump/extract.hpp"

using namespace camdump;
using namespace camdump::dump;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("camdump_offline_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path put(const std::string& name, const std::vector<uint8_t>& d) const {
    std::ofstream(path / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
    return path / name;
  }
};

std::vector<uint8_t> rnd(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(g());
  return v;
}

}  // namespace

TEST(Compare, IdenticalAndDifferingRangesWithGroups) {
  TempDir t;
  auto a = rnd(3 << 20, 1);
  auto b = a, c = a;
  b[0x100001] ^= 1;
  b[0x100002] ^= 1;  // merged with the previous byte
  c[0x2fffff] ^= 0x80;
  auto pa = t.put("a.bin", a), pb = t.put("b.bin", b), pc = t.put("c.bin", c);
  auto same = compare_files({pa, t.put("a2.bin", a)});
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
  TempDir t;
  auto a = rnd(70000, 2);
  auto b = a, c = a;
  b[10] ^= 1;
  c[20] ^= 1;
  auto pa = t.put("a", a), pb = t.put("b", b), pc = t.put("c", c);
  {
    AtomicFile out(t.path / "vote.bin");
    CompareOptions o;
    o.vote_out = &out;
    auto r = compare_files({pa, pb, pc}, o);
    EXPECT_EQ(r.undecided_bytes, 0u);
    out.commit();
  }
  EXPECT_EQ(read_file(t.path / "vote.bin"), a);
  c[10] ^= 2;  // now a, b, c hold three different values at 10
  auto pc2 = t.put("c2", c);
  AtomicFile out(t.path / "vote2.bin");
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
  TempDir t;
  auto a = rnd(1000, 3);
  auto b = a;
  b.resize(900);
  auto r = compare_files({t.put("a", a), t.put("b", b)});
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
  TempDir t;
  std::vector<fs::path> files;
  std::vector<uint8_t> all;
  for (int i = 0; i < 12; ++i) {
    auto d = rnd(4096, static_cast<uint32_t>(100 + i));
    all.insert(all.end(), d.begin(), d.end());
    files.push_back(t.put("mtd" + std::to_string(i) + ".bin", d));
  }
  std::sort(files.begin(), files.end());  // glob order: mtd0 mtd1 mtd10 mtd11 mtd2 ...
  auto plan = plan_combine(files, nullptr);
  AtomicFile out(t.path / "full.bin");
  auto r = run_combine(plan, out);
  out.commit();
  EXPECT_EQ(read_file(t.path / "full.bin"), all);
  EXPECT_EQ(r.crc32, crc32(all));
  files.erase(files.begin() + 4);                     // mtd2
  EXPECT_THROW(plan_combine(files, nullptr), Error);  // a missing part
}

TEST(Combine, ProcMtdWithWholeChipPartIsNotDoubled) {
  TempDir t;
  auto chip = rnd(0x80000, 5);
  auto L = parse_proc_mtd(
      "mtd0: 00010000 00008000 \"boot\"\nmtd1: 00030000 00008000 \"kernel\"\n"
      "mtd2: 00040000 00008000 \"rootfs\"\nmtd3: 00080000 00008000 \"all\"\n");
  auto p0 = t.put("mtd0.bin", {chip.begin(), chip.begin() + 0x10000});
  auto p1 = t.put("mtd1.bin", {chip.begin() + 0x10000, chip.begin() + 0x40000});
  auto p2 = t.put("mtd2.bin", {chip.begin() + 0x40000, chip.end()});
  auto p3 = t.put("mtd3.bin", chip);
  auto plan = plan_combine({p3, p2, p1, p0}, &L);
  ASSERT_TRUE(plan.whole_chip);
  EXPECT_EQ(plan.total, chip.size());
  {
    AtomicFile out(t.path / "o.bin");
    run_combine(plan, out);
    out.commit();
  }
  EXPECT_EQ(read_file(t.path / "o.bin"), chip);
  // Without the whole-chip copy: the three parts are joined.
  auto plan2 = plan_combine({p2, p0, p1}, &L);
  EXPECT_FALSE(plan2.whole_chip);
  EXPECT_EQ(plan2.total, chip.size());
  // A part that disagrees with the whole-chip copy is refused.
  auto bad = chip;
  bad[0x41234] ^= 1;
  fs::create_directories(t.path / "x");
  auto pb = t.put("x/mtd2.bin", {bad.begin() + 0x40000, bad.end()});
  auto plan3 = plan_combine({p0, p1, pb, p3}, &L);
  AtomicFile out3(t.path / "o3.bin");
  EXPECT_THROW(run_combine(plan3, out3), Error);
  // Wrong sizes and duplicates are refused.
  EXPECT_THROW(plan_combine({p0, p0, p1, p2}, &L), Error);
  auto shortp = t.put("mtd1.short", {chip.begin(), chip.begin() + 100});
  EXPECT_THROW(plan_combine({p0, shortp, p2}, &L), Error);
  // Missing part with a layout.
  EXPECT_THROW(plan_combine({p0, p2}, &L), Error);
}

TEST(Combine, MtdpartsFillUpUsesTheFileSize) {
  TempDir t;
  auto chip = rnd(0x30000, 6);
  auto L = parse_mtdparts("mtdparts=jz_sfc:64k(boot),64k(kernel),-(rootfs)");
  auto p0 = t.put("boot.bin", {chip.begin(), chip.begin() + 0x10000});
  auto p1 = t.put("kernel.bin", {chip.begin() + 0x10000, chip.begin() + 0x20000});
  auto p2 = t.put("rootfs.bin", {chip.begin() + 0x20000, chip.end()});
  auto plan = plan_combine({p2, p1, p0}, &L);
  AtomicFile out(t.path / "o.bin");
  run_combine(plan, out);
  out.commit();
  EXPECT_EQ(read_file(t.path / "o.bin"), chip);
}

TEST(Extract, ReadsFromBlock16AndRefusesPastTheEnd) {
  TempDir t;
  auto card = rnd(64 * 1024, 7);
  auto p = t.put("card.img", card);
  ExtractOptions o;
  o.size = 32 * 1024;
  {
    AtomicFile out(t.path / "fw.bin");
    auto r = extract_image(p, out, o);
    out.commit();
    EXPECT_EQ(r.size, 32u * 1024);
    EXPECT_EQ(r.crc32, crc32(std::span<const uint8_t>(card).subspan(8192, 32 * 1024)));
  }
  auto got = read_file(t.path / "fw.bin");
  EXPECT_TRUE(std::equal(got.begin(), got.end(), card.begin() + 8192));
  EXPECT_EQ(fs::status(t.path / "fw.bin").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  o.size = 64 * 1024 - 8192 + 1;
  AtomicFile out2(t.path / "fw2.bin");
  EXPECT_THROW(extract_image(p, out2, o), Error);
  EXPECT_EQ(source_size(p), card.size());
}
