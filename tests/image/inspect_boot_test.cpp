// SPDX-License-Identifier: MIT
// Issue 19, boot chain and kernels: the Ingenic SPL CRC7 the boot ROM checks, the LZO U-Boot
// uImage (CRCs + lzop blocks decoded), a raw modern U-Boot found by its banner, and kernel
// payloads decoded to their end (uImage lzma; bare xz/gzip without any container CRC). Fixtures
// are made with the real tools (lzop, mkimage, lzma, xz, gzip); each check is broken by one byte.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "inspect_util.hpp"
#include "image/inspect.hpp"
#include "image/inspect_checks.hpp"
#include "image/decompress.hpp"
#include "support/process.hpp"
#include "support/files.hpp"

namespace camdump::image {
namespace {

using test::all_problems;
using test::find_problem;
using test::fixtures;
using test::part;

void put(std::vector<uint8_t>& img, uint64_t at, const std::vector<uint8_t>& d) {
  ASSERT_LE(at + d.size(), img.size());
  std::copy(d.begin(), d.end(), img.begin() + long(at));
}

TEST(InspectSpl, Crc7AgreesWithTheSdCardVectors) {
  // SD/MMC command CRC7 uses the same polynomial: CMD0 (40 00 00 00 00) -> 0x4a, CMD8 -> 0x43.
  const uint8_t cmd0[] = {0x40, 0, 0, 0, 0}, cmd8[] = {0x48, 0, 0, 0x01, 0xaa};
  EXPECT_EQ(detail::ingenic_crc7(cmd0), 0x4a);
  EXPECT_EQ(detail::ingenic_crc7(cmd8), 0x43);
  EXPECT_EQ(test::test_crc7(cmd0, 5), 0x4a);
  const auto& img = fixtures().thingino16.data;
  EXPECT_EQ(detail::ingenic_crc7({img.data() + 2048, 0x5c00 - 2048}),
            test::test_crc7(img.data() + 2048, 0x5c00 - 2048));
}

TEST(InspectSpl, HealthySplIsProvenByItsCrc7) {
  const InspectReport r = inspect(fixtures().thingino16.data);
  ASSERT_TRUE(r.boot.spl_crc_ok);
  EXPECT_TRUE(*r.boot.spl_crc_ok);
  EXPECT_EQ(r.boot.spl_flash, "NOR");
  ASSERT_NE(part(r, "boot"), nullptr);
  EXPECT_EQ(part(r, "boot")->proof, "checksum") << part(r, "boot")->proof_detail;
}

TEST(InspectSpl, ByteFlippedInTheSplBodyFailsTheCrc7) {
  auto img = fixtures().thingino16.data;
  img[0x3000] ^= 0x01;
  const InspectReport r = inspect(img);
  const Problem* p = find_problem(r, "boot", "CRC7 mismatch");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_EQ(p->offset, 2048u);
  EXPECT_FALSE(part(r, "boot")->ok);
  EXPECT_EQ(r.problems.size(), 1u) << all_problems(r);
}

TEST(InspectSpl, LengthOutsideTheBootPartAndUnknownFlavour) {
  auto img = fixtures().thingino16.data;
  img[14] = 0x10;  // length 0x105c00: beyond the 320 KiB boot part
  EXPECT_NE(find_problem(inspect(img), "boot", "SPL length"), nullptr);
  img = fixtures().thingino16.data;
  img[8] = 0x55;
  EXPECT_NE(find_problem(inspect(img), "boot", "byte 8 is 0x55"), nullptr);
}

TEST(InspectSpl, NandFlavourFromByte8) {
  const InspectReport r = inspect(fixtures().nand16.data);
  EXPECT_EQ(r.boot.spl_flash, "NAND (64 pages/block, 2048-byte pages)");
  EXPECT_TRUE(r.boot.spl_crc_ok && *r.boot.spl_crc_ok);
}

TEST(InspectUboot, LzoPayloadDecodesToTheSizeItsBlocksDeclare) {
  const InspectReport r = inspect(fixtures().thingino16.data);
  ASSERT_TRUE(r.boot.uboot_image);
  const auto& u = *r.boot.uboot_image;
  EXPECT_EQ(u.comp, 4);  // lzo
  EXPECT_TRUE(u.data_crc_ok);
  ASSERT_TRUE(u.payload);
  EXPECT_TRUE(u.payload->ok) << u.payload->error;
  EXPECT_EQ(u.payload->format, PayloadFormat::Lzop);
  EXPECT_TRUE(u.payload->checksummed);
  EXPECT_EQ(u.payload->out_bytes, 120u * 1024);
  EXPECT_EQ(u.payload->expected_out, u.payload->out_bytes);
  EXPECT_LT(u.payload->in_bytes, u.payload->out_bytes);  // really compressed, so LZO really ran
  EXPECT_EQ(r.boot.uboot_payload_version.rfind("U-Boot 2013.07", 0), 0u) << r.boot.uboot_payload_version;
}

TEST(InspectUboot, ByteFlippedInTheUbootImageFailsItsCrc) {
  auto img = fixtures().thingino16.data;
  img[0x6800 + 64 + 300] ^= 0x20;
  const InspectReport r = inspect(img);
  EXPECT_NE(find_problem(r, "boot", "uImage data CRC mismatch"), nullptr) << all_problems(r);
}

TEST(InspectUboot, BrokenLzopUnderAValidCrcIsFound) {
  // Corrupt the lzop file first, then wrap it with the real mkimage: the uImage CRC agrees, the
  // payload does not.
  test::TempDir t;
  auto lzo = test::slurp(fixtures().dir / "thingino16" / "u-boot-lzo.bin");
  ASSERT_GT(lzo.size(), 4096u);
  lzo[lzo.size() / 2] ^= 0x40;
  test::write_bytes(t / "u-boot-lzo.bin", lzo);
  test::run_tool({"mkimage", "-A", "mips", "-O", "u-boot", "-T", "firmware", "-C", "lzo", "-a", "0x80100000", "-e",
                  "0x80100000", "-n", "u-boot-lzo.img", "-d", "u-boot-lzo.bin", "u-boot.img"},
                 t.path());
  auto img = fixtures().thingino16.data;
  put(img, 0x6800, test::slurp(t / "u-boot.img"));
  const InspectReport r = inspect(img);
  ASSERT_TRUE(r.boot.uboot_image);
  EXPECT_TRUE(r.boot.uboot_image->data_crc_ok);
  const Problem* p = find_problem(r, "boot", "lzop");
  ASSERT_NE(p, nullptr) << all_problems(r);
  EXPECT_GT(p->offset, 0x6800u + 64);
}

TEST(InspectUboot, RawModernUbootIsRecognisedByItsBannerOnly) {
  const InspectReport r = inspect(fixtures().nand16.data);
  ASSERT_TRUE(r.boot.uboot_raw) << all_problems(r);
  EXPECT_EQ(*r.boot.uboot_raw, 0x8000u + 0x2000);
  EXPECT_FALSE(r.boot.uboot_image);
  ASSERT_NE(part(r, "boot"), nullptr);
  EXPECT_EQ(part(r, "boot")->proof, "partial");
  EXPECT_NE(part(r, "boot")->proof_detail.find("no checksum"), std::string::npos);
}

TEST(InspectKernel, LzmaPayloadIsDecodedToItsEnd) {
  const InspectReport r = inspect(fixtures().thingino16.data);
  const PartReport* k = part(r, "kernel");
  ASSERT_TRUE(k && k->uimage && k->uimage->payload);
  EXPECT_TRUE(k->uimage->payload->ok) << k->uimage->payload->error;
  EXPECT_EQ(k->uimage->payload->format, PayloadFormat::Lzma);
  EXPECT_EQ(k->uimage->payload->out_bytes, 600u * 1024);
  EXPECT_EQ(k->proof, "checksum");
}

TEST(InspectKernel, BrokenLzmaUnderAValidCrcIsFound) {
  test::TempDir t;
  auto lz = test::slurp(fixtures().dir / "thingino16" / "vmlinux.bin.lzma");
  ASSERT_GT(lz.size(), 100000u);
  lz[lz.size() / 3] ^= 0x08;
  test::write_bytes(t / "k.lzma", lz);
  test::run_tool({"mkimage", "-A", "mips", "-O", "linux", "-T", "kernel", "-C", "lzma", "-a", "0x80010000", "-e",
                  "0x80400330", "-n", "Linux-3.10.14", "-d", "k.lzma", "uImage"},
                 t.path());
  auto img = fixtures().thingino16.data;
  put(img, fixtures().thingino16.kernel, test::slurp(t / "uImage"));
  const InspectReport r = inspect(img);
  EXPECT_TRUE(part(r, "kernel")->uimage->data_crc_ok);
  const Problem* p = find_problem(r, "kernel", "does not decode although its CRC agrees");
  ASSERT_NE(p, nullptr) << all_problems(r);
}

// Found by fuzz_inspect in CI: the .lzma header names the dictionary size and liblzma allocated
// all of it (up to 4 GiB) before decoding a byte. The decoder now has a memory limit, and a
// header past it is a named problem rather than an allocation.
TEST(InspectKernel, LzmaHeaderAskingForAHugeDictionaryIsRefusedNotAllocated) {
  auto lz = test::slurp(fixtures().dir / "thingino16" / "vmlinux.bin.lzma");
  ASSERT_GT(lz.size(), 13u);
  EXPECT_TRUE(decode_payload(lz, PayloadFormat::Lzma).ok);
  for (int i = 1; i <= 4; ++i) lz[size_t(i)] = 0xff;  // dictionary size, bytes 1-4 little-endian
  const PayloadCheck p = decode_payload(lz, PayloadFormat::Lzma);
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("dictionary larger than 128 MiB"), std::string::npos) << p.error;
}

TEST(InspectKernel, BareXzAndGzipKernelsAreCheckedWithoutAContainerCrc) {
  const auto& f = fixtures().thingino16;
  for (const char* tool : {"xz", "gzip"}) {
    test::TempDir t;
    auto raw = test::slurp(fixtures().dir / "thingino16" / "vmlinux.bin");
    test::write_bytes(t / "vmlinux.bin", raw);
    test::run_tool(std::string(tool) == "xz"
                       ? std::vector<std::string>{"xz", "-k", "--check=crc32", "-0", "vmlinux.bin"}
                       : std::vector<std::string>{"gzip", "-k", "-n", "-1", "vmlinux.bin"},
                   t.path());
    auto z = test::slurp(t / (std::string("vmlinux.bin.") + (std::string(tool) == "xz" ? "xz" : "gz")));
    auto img = f.data;
    std::fill(img.begin() + long(f.kernel), img.begin() + 0x200000, 0xff);
    put(img, f.kernel, z);
    InspectReport r = inspect(img);
    ASSERT_EQ(part(r, "kernel")->content, "payload") << tool << "\n" << all_problems(r);
    EXPECT_TRUE(r.ok()) << all_problems(r);
    EXPECT_EQ(part(r, "kernel")->proof, "checksum") << part(r, "kernel")->proof_detail;
    img[f.kernel + z.size() / 2] ^= 0x01;
    r = inspect(img);
    EXPECT_NE(find_problem(r, "kernel", std::string(tool == std::string("xz") ? "xz" : "gzip") + " stream at"), nullptr)
        << tool << "\n"
        << all_problems(r);
  }
}

}  // namespace
}  // namespace camdump::image
