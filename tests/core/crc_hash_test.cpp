// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"

using namespace camdump;

static std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Crc32, MatchesKnownVectors) {
  EXPECT_EQ(crc32(bytes("123456789")), 0xcbf43926u);  // the standard CRC-32 check value
  EXPECT_EQ(crc32(bytes("")), 0u);
}

TEST(Crc32, FillEqualsMaterialisedBuffer) {
  for (uint64_t n : {0ull, 1ull, 4095ull, 4096ull, 65536ull, 65536ull * 3 + 17}) {
    std::vector<uint8_t> buf(n, 0xff);
    EXPECT_EQ(crc32_fill(0xff, n), crc32(buf)) << n;
  }
}

TEST(Crc32, Combine) { EXPECT_EQ(crc32_combine(crc32(bytes("1234")), crc32(bytes("56789")), 5), 0xcbf43926u); }

TEST(Crc32, Jffs2VariantHasNoInversion) {
  // crc32_le(0, "123456789") with no pre/post inversion.
  EXPECT_NE(crc32_jffs2(bytes("123456789")), crc32(bytes("123456789")));
  EXPECT_EQ(crc32_jffs2(bytes("")), 0u);
}

TEST(Hash, Md5AndSha256) {
  EXPECT_EQ(md5_hex(bytes("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(sha256_hex(bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AtomicFile, NothingUnderTheNameUntilCommit) {
  auto dir = std::filesystem::temp_directory_path() / "camdump-atomic-test";
  std::filesystem::create_directories(dir);
  auto out = dir / "fw.bin";
  std::filesystem::remove(out);
  {
    AtomicFile f(out);
    f.write(bytes("hello"));
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_TRUE(std::filesystem::exists(part_path_for(out)));
  }
  EXPECT_FALSE(std::filesystem::exists(part_path_for(out)));  // abandoned: removed
  {
    AtomicFile f(out);
    f.write(bytes("hello"));
    f.commit();
  }
  EXPECT_EQ(read_file(out), std::vector<uint8_t>({'h', 'e', 'l', 'l', 'o'}));
  auto perms = std::filesystem::status(out).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove_all(dir);
}
