// SPDX-License-Identifier: MIT
// The verified reader against a scripted source: clean reads, a unit that differs once and is
// healed, a unit that never agrees, an offset/length window.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "spi/verified_read.hpp"
#include "support/process.hpp"
#include "support/files.hpp"

using namespace camdump;
using namespace camdump::spi;

namespace {

using test::slurp;

class FakeSource : public FlashSource {
 public:
  explicit FakeSource(size_t n) : data_(n) {
    for (size_t i = 0; i < n; ++i) data_[i] = uint8_t(i * 7 + 3);
  }
  uint64_t size() const override { return data_.size(); }
  size_t unit() const override { return 4096; }
  size_t chunk() const override { return 8192; }
  void read(uint64_t off, std::span<uint8_t> out) override {
    std::copy_n(data_.begin() + long(off), out.size(), out.begin());
    for (size_t i = 0; i < out.size(); i += 4096) {
      uint64_t u = (off + i) / 4096;
      unsigned& n = reads_[u];
      ++n;
      if (always_bad_.count(u) || (bad_once_.count(u) && n == 1)) out[i] ^= uint8_t(n);  // differs per read
    }
  }
  std::vector<uint8_t> data_;
  std::map<uint64_t, unsigned> reads_;
  std::set<uint64_t> bad_once_, always_bad_;
};

}  // namespace

TEST(VerifiedRead, CleanTwoPasses) {
  test::TempDir dir;
  FakeSource src(size_t{64} * 1024);
  AtomicFile out(dir / "o.bin");
  ReadProgress prog;
  auto r = verified_read(src, out, {}, null_reporter(), nullptr, prog);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.disputed_units, 0u);
  EXPECT_EQ(r.bytes_read, 2u * 64 * 1024);
  out.commit();
  EXPECT_EQ(slurp(dir / "o.bin"), src.data_);
  EXPECT_EQ(r.sha256, sha256_hex(src.data_));
}

TEST(VerifiedRead, UnitThatDiffersOnceIsHealed) {
  test::TempDir dir;
  FakeSource src(size_t{64} * 1024);
  src.bad_once_ = {3};
  AtomicFile out(dir / "o.bin");
  ReadProgress prog;
  auto r = verified_read(src, out, {}, null_reporter(), nullptr, prog);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.disputed_units, 1u);
  EXPECT_GE(r.rereads, 1u);
  out.commit();
  EXPECT_EQ(slurp(dir / "o.bin"), src.data_);
}

TEST(VerifiedRead, UnitThatNeverAgreesIsListed) {
  test::TempDir dir;
  FakeSource src(size_t{64} * 1024);
  src.always_bad_ = {2, 3, 9};
  AtomicFile out(dir / "o.bin");
  ReadProgress prog;
  VerifyOptions o;
  o.max_rereads = 3;
  auto r = verified_read(src, out, o, null_reporter(), nullptr, prog);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.unsettled.size(), 2u);  // 2..3 merged, 9 alone
  EXPECT_EQ(r.unsettled[0].begin, 2u * 4096);
  EXPECT_EQ(r.unsettled[0].end, 4u * 4096);
  EXPECT_EQ(r.unsettled[1].begin, 9u * 4096);
  EXPECT_EQ(r.rereads, 9u);
}

TEST(VerifiedRead, OffsetAndLengthWindow) {
  test::TempDir dir;
  FakeSource src(size_t{64} * 1024);
  AtomicFile out(dir / "o.bin");
  ReadProgress prog;
  VerifyOptions o;
  o.offset = 5000;
  o.length = 10000;
  auto r = verified_read(src, out, o, null_reporter(), nullptr, prog);
  EXPECT_TRUE(r.ok());
  out.commit();
  EXPECT_EQ(slurp(dir / "o.bin"), std::vector<uint8_t>(src.data_.begin() + 5000, src.data_.begin() + 15000));
}

TEST(VerifiedRead, ResumeFromAPartialFirstReadInAnUnalignedWindow) {
  // A window starting mid-unit (offset 5000), a previous run that wrote 9000 bytes of it: the
  // resumed run loads what lies in whole units (up to 12288 = 3 units, i.e. 7288 bytes), reads
  // the rest of pass 1 from there, and pass 2 reads everything.
  test::TempDir dir;
  FakeSource src(size_t{64} * 1024);
  const std::vector<uint8_t> want(src.data_.begin() + 5000, src.data_.begin() + 45000);
  {
    std::ofstream f(dir / "o.bin.part", std::ios::binary);
    f.write(reinterpret_cast<const char*>(want.data()), 9000);
  }
  AtomicFile out(dir / "o.bin", AtomicFile::Open::Resume);
  ReadProgress prog;
  VerifyOptions o;
  o.offset = 5000;
  o.length = 40000;
  o.resume_bytes = 9000;
  auto r = verified_read(src, out, o, null_reporter(), nullptr, prog);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.resumed_bytes, 12288u - 5000u);
  // Unit 1 (the one before --offset's bytes) is read to fill the aligned buffer; pass 1 from
  // 12288 to 45056, pass 2 from 4096 to 45056.
  EXPECT_EQ(r.bytes_read, (45056u - 12288u) + (45056u - 4096u));
  EXPECT_EQ(src.reads_[1], 2u);  // the resume fill + pass 2
  EXPECT_EQ(src.reads_[2], 1u);  // loaded, then only pass 2
  out.commit();
  EXPECT_EQ(slurp(dir / "o.bin"), want);
  EXPECT_EQ(r.sha256, sha256_hex(want));
}

TEST(VerifiedRead, ResumedBytesThatDisagreeWithTheChipAreReRead) {
  test::TempDir dir;
  FakeSource src(size_t{64} * 1024);
  std::vector<uint8_t> part(src.data_.begin(), src.data_.begin() + 20000);
  part[10000] ^= 0xff;  // unit 2
  {
    std::ofstream f(dir / "o.bin.part", std::ios::binary);
    f.write(reinterpret_cast<const char*>(part.data()), std::streamsize(part.size()));
  }
  AtomicFile out(dir / "o.bin", AtomicFile::Open::Resume);
  ReadProgress prog;
  VerifyOptions o;
  o.resume_bytes = part.size();
  auto r = verified_read(src, out, o, null_reporter(), nullptr, prog);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.disputed_units, 1u);
  out.commit();
  EXPECT_EQ(slurp(dir / "o.bin"), src.data_);
}
