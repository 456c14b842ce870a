// SPDX-License-Identifier: MIT
// Issue 19, UBI: a Thingino SPI-NAND-like image (ubinize with uboot-env / kernel (static) /
// rootfs (squashfs) / overlay (mkfs.ubifs) volumes) passes, and one byte broken in each checked
// region is found and located: EC header, VID header, volume table record, static volume data,
// the env volume's env CRC, a squashfs block inside a volume, a UBIFS node.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "inspect_util.hpp"
#include "image/inspect.hpp"

namespace camdump::image {
namespace {

using test::all_problems;
using test::find_problem;
using test::fixtures;
constexpr uint64_t kUbi = 0x100000;
constexpr uint32_t kLayout = 0x7fffefff;

const UbiInfo& ubi_of(const InspectReport& r) {
  for (const auto& p : r.parts)
    if (p.ubi) return *p.ubi;
  throw std::runtime_error("no UBI part");
}
const UbiVolume* volume(const InspectReport& r, const std::string& name) {
  for (const auto& v : ubi_of(r).volumes)
    if (v.name == name) return &v;
  return nullptr;
}
uint64_t leb(uint32_t vol, uint32_t lnum) {
  const uint64_t at = test::find_leb(fixtures().nand16.data, kUbi, vol, lnum);
  if (!at) throw std::runtime_error("LEB not found");
  return at;
}

TEST(InspectUbi, HealthyNandImagePassesWithEveryVolumeChecked) {
  const InspectReport r = inspect(fixtures().nand16.data);
  EXPECT_TRUE(r.ok()) << all_problems(r);
  const UbiInfo& u = ubi_of(r);
  EXPECT_EQ(u.offset, kUbi);
  EXPECT_EQ(u.peb_size, 0x20000u);
  EXPECT_TRUE(u.vtbl_ok);
  ASSERT_EQ(u.volumes.size(), 4u);
  const UbiVolume* env = volume(r, "uboot-env");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->content, "env");
  EXPECT_NE(env->summary.find("CRC ok"), std::string::npos) << env->summary;
  const UbiVolume* k = volume(r, "kernel");
  ASSERT_NE(k, nullptr);
  EXPECT_TRUE(k->is_static);
  EXPECT_GT(k->lebs, 1u);
  EXPECT_EQ(k->crc_lebs, k->lebs);
  EXPECT_EQ(k->content, "uimage");
  EXPECT_NE(k->summary.find("lzma payload decoded to its end"), std::string::npos) << k->summary;
  const UbiVolume* root = volume(r, "rootfs");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->content, "squashfs");
  EXPECT_NE(root->summary.find("read ok"), std::string::npos) << root->summary;
  const UbiVolume* ov = volume(r, "overlay");
  ASSERT_NE(ov, nullptr);
  EXPECT_EQ(ov->content, "ubifs");
  EXPECT_NE(ov->summary.find("nodes CRC ok"), std::string::npos) << ov->summary;
  EXPECT_TRUE(r.envs.empty());  // the env inside UBI is checked with its volume, not as a raw find
}

TEST(InspectUbi, EcAndVidHeaderBytesFlipped) {
  auto img = fixtures().nand16.data;
  img[kUbi + 8] ^= 0x01;  // erase counter of PEB 0
  InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "ubi", "erase-counter header");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, kUbi);

  img = fixtures().nand16.data;
  const uint64_t data = leb(1, 0), peb = data - 4096;  // 2 KiB pages: VID at 2048, data at 4096
  img[peb + 2048 + 41] ^= 0x01;                        // the VID header's sequence number
  r = inspect(img);
  p = find_problem(r, "ubi", "volume header");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, peb + 2048);
}

TEST(InspectUbi, VolumeTableRecordFlipped) {
  auto img = fixtures().nand16.data;
  const uint64_t t = leb(kLayout, 0);
  img[t + 16] ^= 0x01;  // first letter of record 0's name in copy 0
  const InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "ubi", "volume table copy 0 record 0");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, t);
  EXPECT_EQ(ubi_of(r).volumes.size(), 4u);  // copy 1 still names them
}

TEST(InspectUbi, StaticVolumeDataFlipped) {
  auto img = fixtures().nand16.data;
  const uint64_t d = leb(1, 1);
  img[d + 777] ^= 0x80;
  const InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "ubi/kernel", "UBI static volume 'kernel' LEB 1");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, d);
  EXPECT_FALSE(volume(r, "kernel")->ok);
}

TEST(InspectUbi, EnvVolumeFlipped) {
  auto img = fixtures().nand16.data;
  img[leb(0, 0) + 30] ^= 0x02;
  const InspectReport r = inspect(img);
  EXPECT_NE(find_problem(r, "ubi/uboot-env", "fails its CRC"), nullptr) << all_problems(r);
}

TEST(InspectUbi, SquashfsBlockInsideAVolumeFlipped) {
  auto img = fixtures().nand16.data;
  const uint64_t at = leb(2, 0) + 96 + 0x800;  // first data block of /aaa.log
  img[at] ^= 0x04;
  const InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "ubi/rootfs", "squashfs block at");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_LE(p->offset, at);
  EXPECT_GT(p->offset + uint64_t{128} * 1024, at);
  EXPECT_NE(p->message.find("/aaa.log"), std::string::npos) << p->message;
}

TEST(InspectUbi, UbifsNodeFlipped) {
  auto img = fixtures().nand16.data;
  const uint64_t d = leb(3, 0);
  img[d + 100] ^= 0x01;  // inside the superblock node (LEB 0 of UBIFS)
  const InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "ubi/overlay", "UBIFS node CRC mismatch");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, d);
}

}  // namespace
}  // namespace camdump::image
