// SPDX-License-Identifier: MIT
// The whole programmer route against the emulated CH341A (the real driver code, the emulated
// device below the USB seam): probe, NOR 8/16/32 MiB dumps (32 MiB = 0x13 4-byte reads), SPI NAND
// with bad blocks and ECC failures, flaky wiring healed or failing loudly, and USB faults.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dump/ch341a_dump.hpp"
#include "ch341a/sim_spec.hpp"
#include "ch341a/sim_transport.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "spi/spi_nor.hpp"
#include "support/process.hpp"
#include "support/files.hpp"

using namespace camdump;
using namespace camdump::ch341a;
namespace fs = std::filesystem;

namespace {

using test::slurp;

DumpSummary dump(const std::string& sim, const fs::path& out, unsigned reads = 2,
                 const std::function<void(DumpOptions&)>& tweak = {}) {
  auto s = Ch341aSession::open({"", sim});
  DumpOptions o;
  o.out = out;
  o.reads = reads;
  if (tweak) tweak(o);
  return dump_ch341a(*s, o, null_reporter(), nullptr);
}

}  // namespace

TEST(Ch341aSim, ProbesNorWithSfdp) {
  auto s = Ch341aSession::open({"", "chip=XM25QH128C"});
  auto r = probe_ch341a(*s);
  EXPECT_EQ(r.kind, spi::ChipKind::Nor);
  EXPECT_EQ(r.name, "XM25QH128C");
  EXPECT_EQ(spi::id_string(r.id), "20 40 18");
  EXPECT_EQ(r.size, 16u << 20);
  ASSERT_TRUE(r.sfdp);
  EXPECT_EQ(r.sfdp->size, 16u << 20);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Ch341aSim, UnknownNorSizedBySfdpInBothEncodings) {
  for (const char* enc : {"bits", "exp"}) {
    auto s = Ch341aSession::open({"", std::string("id=A5F019,size=32M,sfdp=") + enc});
    auto r = probe_ch341a(*s);
    EXPECT_EQ(r.chip, nullptr);
    EXPECT_EQ(r.size, 32u << 20) << enc;
    ASSERT_TRUE(r.sfdp);
    EXPECT_FALSE(r.warnings.empty());
  }
  auto s = Ch341aSession::open({"", "id=A5F017,sfdp=none"});
  EXPECT_EQ(probe_ch341a(*s).size, 8u << 20);  // capacity byte
}

TEST(Ch341aSim, ProbesNandAfterNor) {
  auto s = Ch341aSession::open({"", "chip=W25N01GV"});
  auto r = probe_ch341a(*s);
  EXPECT_EQ(r.kind, spi::ChipKind::Nand);
  EXPECT_EQ(r.name, "W25N01GV");
  EXPECT_EQ(spi::id_string(r.id), "EF AA 21");
  EXPECT_EQ(r.page, 2048u);
  EXPECT_EQ(r.oob, 64u);
  auto g = Ch341aSession::open({"", "chip=GD5F1GQ4UC"});  // "type C": no address byte, prepend
  EXPECT_EQ(probe_ch341a(*g).name, "GD5F1GQ4UCYIG");
}

TEST(Ch341aSim, DeadBusExplainsWiring) {
  // A NOR whose ID is all 0xFF and has no SFDP: nothing identified, wiring hint.
  auto s = Ch341aSession::open({"", "id=FFFFFF,sfdp=none,size=1M"});
  try {
    probe_ch341a(*s);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    EXPECT_NE(std::string(e.what()).find("0xFF"), std::string::npos) << e.what();
  }
}

struct NorChip {
  const char* name;
  unsigned mib;
};

class Ch341aSimNor : public ::testing::TestWithParam<NorChip> {};

TEST_P(Ch341aSimNor, DumpsTheWholeChipVerified) {
  const auto [chip, mib] = GetParam();
  test::TempDir dir;
  auto out = dir / (std::string(chip) + ".bin");
  auto r = dump(std::string("chip=") + chip + ",seed=5", out);
  auto want = sim_pattern(uint64_t(mib) << 20, 5);
  EXPECT_EQ(r.bytes, want.size());
  EXPECT_EQ(r.verify.sha256, sha256_hex(want));
  EXPECT_EQ(slurp(out), want);
  EXPECT_FALSE(fs::exists(dir / (std::string(chip) + ".bin.part")));
  EXPECT_EQ(r.bus.max_in_flight, 32u);
  EXPECT_EQ(fs::status(out).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

INSTANTIATE_TEST_SUITE_P(Sizes, Ch341aSimNor,
                         ::testing::Values(NorChip{"W25Q64FV", 8}, NorChip{"MX25L12835F", 16},
                                           NorChip{"W25Q256FV", 32}),
                         [](const ::testing::TestParamInfo<NorChip>& i) {
                           return std::string(i.param.name) + "_" + std::to_string(i.param.mib) + "MiB";
                         });

TEST(Ch341aSim, FourByteReadsNeverLeaveTheChipIn4ByteMode) {
  // A part without 0x13 goes through EN4B (after WREN) and must leave with EX4B.
  auto emu = make_emulator(parse_sim_spec("chip=W25Q256FV,seed=3"));
  SimTransport usb(std::move(emu));
  Ch341aMaster m(usb);
  m.init();
  auto want = sim_pattern(32u << 20, 3);
  std::vector<uint8_t> got(8192);
  {
    spi::SpiNor nor(m, 32u << 20, spi::kNoRead4b | spi::kWrenBeforeEn4b);
    nor.read((32u << 20) - 4096, got);
    EXPECT_TRUE(std::equal(got.begin(), got.begin() + 4096, want.end() - 4096));
    const uint8_t rdsr3[] = {0x15};
    EXPECT_EQ(m.command(rdsr3, 1)[0] & 1, 1);  // in 4-byte mode while reading
  }
  const uint8_t rdsr3[] = {0x15};
  EXPECT_EQ(m.command(rdsr3, 1)[0] & 1, 0);  // and out of it afterwards
  // The native path (0x13) never touches the mode and reads past 16 MiB correctly.
  spi::SpiNor nor(m, 32u << 20, spi::kWrenBeforeEn4b);
  nor.read(20u << 20, got);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin() + (20 << 20)));
  EXPECT_EQ(m.command(rdsr3, 1)[0] & 1, 0);
}

TEST(Ch341aSim, Nand128MiBWithBadBlocksAndEccFailures) {
  test::TempDir dir;
  auto r = dump("chip=W25N01GV,seed=2,bad=3:700,eccfail=130:65000", dir / "nand.bin", 1);
  auto want = sim_pattern(128u << 20, 2);
  EXPECT_EQ(r.verify.sha256, sha256_hex(want));
  EXPECT_EQ(r.bad_blocks, (std::vector<uint32_t>{3, 700}));
  EXPECT_EQ(r.ecc_failed_pages, (std::vector<uint32_t>{130, 65000}));
  EXPECT_EQ(fs::file_size(dir / "nand.bin"), 128u << 20);
}

TEST(Ch341aSim, NandDataPlusOobWindowVerified) {
  test::TempDir dir;
  // Two blocks (128 pages) of data+OOB around bad block 1, read twice.
  auto r = dump("chip=GD5F1GQ4UC,seed=4,bad=1", dir / "oob.bin", 2, [](DumpOptions& o) {
    o.nand_oob = true;
    o.length = uint64_t{128} * (2048 + 128);
  });
  auto data = sim_pattern(128u << 20, 4);
  auto got = slurp(dir / "oob.bin");
  ASSERT_EQ(got.size(), 128u * 2176);
  EXPECT_EQ(r.bad_blocks, (std::vector<uint32_t>{1}));
  for (std::ptrdiff_t p : {0, 63, 64, 127}) {
    EXPECT_TRUE(std::equal(got.begin() + p * 2176, got.begin() + p * 2176 + 2048, data.begin() + p * 2048)) << p;
    EXPECT_EQ(got[static_cast<size_t>(p * 2176 + 2048)], p == 64 ? 0x00 : 0xFF) << p;  // factory mark on block 1
  }
}

TEST(Ch341aSim, FlakyClipHealedByRereads) {
  test::TempDir dir;
  auto r = dump("chip=W25Q128FV,seed=11,flaky=1e-6", dir / "f.bin");
  EXPECT_GT(r.verify.disputed_units, 0u);
  EXPECT_GE(r.verify.rereads, r.verify.disputed_units);
  EXPECT_EQ(slurp(dir / "f.bin"), sim_pattern(16u << 20, 11));
}

TEST(Ch341aSim, ReadsThatNeverAgreeFailLoudly) {
  test::TempDir dir;
  try {
    dump("chip=W25Q64FV,seed=1,flaky=2e-3", dir / "bad.bin", 2, [](DumpOptions& o) {
      o.chip = "W25Q64FV";
      o.length = uint64_t{256} * 1024;
    });
    FAIL() << "expected VerifyMismatch";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::VerifyMismatch);
    EXPECT_NE(std::string(e.what()).find("0x0-0x3ffff"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "bad.bin"));
}

TEST(Ch341aSim, UnplugKeepsPartWithNote) {
  test::TempDir dir;
  try {
    dump("chip=W25Q64FV,unplug=3000000", dir / "u.bin");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usb);
    std::string m = e.what();
    EXPECT_NE(m.find("unplugged"), std::string::npos) << m;
    EXPECT_NE(m.find("u.bin.part"), std::string::npos) << m;
    EXPECT_NE(m.find("missing"), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(dir / "u.bin"));
  ASSERT_TRUE(fs::exists(dir / "u.bin.part"));
  auto part = slurp(dir / "u.bin.part");
  auto want = sim_pattern(8u << 20, 1);
  ASSERT_GT(part.size(), 1000000u);
  EXPECT_TRUE(std::equal(part.begin(), part.end(), want.begin()));
}

TEST(Ch341aSim, HangAndStallAreClearErrors) {
  test::TempDir dir;
  try {
    dump("chip=W25Q64FV,hang=100000", dir / "h.bin");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout) << e.what();
  }
  try {
    dump("chip=W25Q64FV,stall=100000", dir / "s.bin");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usb);
    EXPECT_NE(std::string(e.what()).find("stalled"), std::string::npos) << e.what();
  }
}

namespace {

// Dump with an unplug fault; returns the error text (the dump must fail).
std::string interrupted(const std::string& sim, const fs::path& out) {
  try {
    dump(sim, out);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected the dump to fail";
  return {};
}

}  // namespace

TEST(Ch341aSim, ResumeAfterUnplugReadsOnlyTheRestOfTheFirstPass) {
  test::TempDir dir;
  const std::string m = interrupted("chip=W25Q64FV,unplug=3000000", dir / "r.bin");
  EXPECT_NE(m.find("--resume"), std::string::npos) << m;
  ASSERT_TRUE(fs::exists(state_path_for(dir / "r.bin")));
  const uint64_t had = fs::file_size(dir / "r.bin.part");
  ASSERT_GT(had, 1000000u);
  const auto r = dump("chip=W25Q64FV", dir / "r.bin", 2, [](DumpOptions& o) { o.resume = true; });
  EXPECT_TRUE(r.resumed);
  EXPECT_GT(r.verify.resumed_bytes, had - uint64_t{64} * 1024);  // up to the last whole sector
  EXPECT_LE(r.verify.resumed_bytes, had);
  EXPECT_EQ(r.verify.bytes_read, uint64_t{2} * (8u << 20) - r.verify.resumed_bytes);
  EXPECT_EQ(slurp(dir / "r.bin"), sim_pattern(8u << 20, 1));
  EXPECT_FALSE(fs::exists(state_path_for(dir / "r.bin")));
  EXPECT_FALSE(fs::exists(dir / "r.bin.part"));
}

TEST(Ch341aSim, ResumedBytesAreStillCheckedAgainstTheChip) {
  // A first read that went bad on disk (or on the wire) after it was written: pass 2 disagrees
  // with it, and re-reads settle the sector with the chip's bytes.
  test::TempDir dir;
  interrupted("chip=W25Q64FV,unplug=3000000", dir / "c.bin");
  {
    std::fstream f(dir / "c.bin.part", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0x12345);
    f.put('\x5a');
  }
  const auto r = dump("chip=W25Q64FV", dir / "c.bin", 2, [](DumpOptions& o) { o.resume = true; });
  EXPECT_GT(r.verify.resumed_bytes, 0x12345u);
  EXPECT_EQ(r.verify.disputed_units, 1u);
  EXPECT_EQ(slurp(dir / "c.bin"), sim_pattern(8u << 20, 1));
}

TEST(Ch341aSim, ResumeInThePassThatChecksSkipsTheWholeFirstRead) {
  test::TempDir dir;
  const std::string m = interrupted("chip=W25Q64FV,unplug=12000000", dir / "p.bin");  // in pass 2
  EXPECT_NE(m.find("whole first read"), std::string::npos) << m;
  const auto r = dump("chip=W25Q64FV", dir / "p.bin", 2, [](DumpOptions& o) { o.resume = true; });
  EXPECT_EQ(r.verify.resumed_bytes, 8u << 20);
  EXPECT_EQ(r.verify.bytes_read, 8u << 20);
  EXPECT_EQ(slurp(dir / "p.bin"), sim_pattern(8u << 20, 1));
}

TEST(Ch341aSim, ResumeRefusesAnotherChipOrRangeAndStartsOverWithoutState) {
  test::TempDir dir;
  interrupted("chip=W25Q64FV,unplug=3000000", dir / "x.bin");
  try {
    dump("chip=W25Q128FV", dir / "x.bin", 2, [](DumpOptions& o) { o.resume = true; });
    FAIL() << "resumed onto another chip";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("another chip"), std::string::npos) << e.what();
  }
  try {
    dump("chip=W25Q64FV", dir / "x.bin", 2, [](DumpOptions& o) {
      o.resume = true;
      o.offset = 0x10000;
    });
    FAIL() << "resumed onto another range";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("range"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("--offset 0x0"), std::string::npos) << e.hint();
  }
  fs::remove(state_path_for(dir / "x.bin"));
  const auto r = dump("chip=W25Q64FV", dir / "x.bin", 2, [](DumpOptions& o) { o.resume = true; });
  EXPECT_FALSE(r.resumed);
  EXPECT_EQ(r.verify.bytes_read, 2u * (8u << 20));
  EXPECT_EQ(slurp(dir / "x.bin"), sim_pattern(8u << 20, 1));
}
