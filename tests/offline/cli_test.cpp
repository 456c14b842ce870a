// SPDX-License-Identifier: MIT
// The offline commands as a user runs them: build/camdump on the fixtures in tests/fixtures/offline.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/file_util.hpp"
#include "../qemu_md/md_capture.hpp"
#include "support/process.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;

namespace {

using camdump::test::run_shell;

const std::string kCamdump = camdump::test::camdump_exe();
const fs::path kFix = fs::path(camdump::test::source_dir()) / "tests/fixtures/offline";

// The test's directory; `t / name` is a string, for shell command lines.
struct Tmp : camdump::test::TempDir {
  std::string operator/(const std::string& n) const { return (path() / n).string(); }
};

std::vector<uint8_t> bytes(const fs::path& p) { return camdump::read_file(p); }

}  // namespace

TEST(CliHexlog, OldFourSpaceFixtureWithShortUnpaddedLastLine) {
  Tmp t;
  auto r = run_shell(kCamdump + " hexlog " + (kFix / "old_4space_short.log").string() + " -o " + (t / "o.bin"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(bytes(t / "o.bin"), bytes(kFix / "old_4space_short.bin"));
  struct stat st {};
  ASSERT_EQ(::stat((t / "o.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(r.out.find("crc32 b90c3388"), std::string::npos) << r.out;
}

TEST(CliHexlog, MessyLogFromStdinWithJson) {
  Tmp t;
  auto r =
      run_shell(kCamdump + " hexlog - --json -o " + (t / "o.bin") + " < " + (kFix / "messy_timestamps.log").string());
  ASSERT_EQ(r.rc, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["start"], "0x80600000");
  EXPECT_EQ(j["size"], 256);
  EXPECT_EQ(j["lines"]["repeated"], 2);  // 0x80 and 0x90 were read twice
  EXPECT_EQ(j["crc32"], "b7d88c53");
  EXPECT_EQ(bytes(t / "o.bin"), bytes(kFix / "messy_timestamps.bin"));
}

TEST(CliHexlog, ProblemsAreReportedAndNothingIsWritten) {
  Tmp t;
  const std::string log = (kFix / "problems.log").string();
  auto r = run_shell(kCamdump + " hexlog " + log + " --size 0x40 --json -o " + (t / "o.bin"));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_FALSE(fs::exists(t / "o.bin"));
  EXPECT_FALSE(fs::exists(t / "o.bin.part"));
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["written"].get<bool>());
  ASSERT_EQ(j["gaps"].size(), 2u);
  EXPECT_EQ(j["gaps"][0]["addr"], "0x00000020");  // the conflicting byte
  EXPECT_EQ(j["gaps"][0]["size"], 1);
  EXPECT_EQ(j["gaps"][1]["addr"], "0x00000030");  // the missing / out-of-sequence line
  EXPECT_EQ(j["gaps"][1]["size"], 16);
  std::map<std::string, nlohmann::json> by_kind;
  for (auto& i : j["issues"]) by_kind[i["kind"]] = i;
  EXPECT_EQ(by_kind["corrupt"]["addr"], "0x00000010");
  EXPECT_TRUE(by_kind["corrupt"]["recovered"].get<bool>());
  EXPECT_EQ(by_kind["conflict"]["addr"], "0x00000020");
  EXPECT_EQ(by_kind["unconfirmed"]["addr"], "0x00000070");  // its address follows no line: not used
  // The repair: md.b + crc32 of each missing range, merged.
  ASSERT_EQ(j["repair"].size(), 2u);
  EXPECT_EQ(j["repair"][0], "md.b 0x20 0x20");
  EXPECT_EQ(j["repair"][1], "crc32 0x20 0x20");
  // --allow-gaps writes what was read (the conflicting byte as first read), fills the rest, exits 1.
  r = run_shell(kCamdump + " hexlog " + log + " --size 0x40 --allow-gaps --fill 0 -o " + (t / "o.bin"));
  EXPECT_EQ(r.rc, 1);
  auto img = bytes(t / "o.bin");
  ASSERT_EQ(img.size(), 0x40u);
  EXPECT_EQ(img[0x20], 0x61);
  EXPECT_EQ(img[0x21], 0x62);
  EXPECT_EQ(img[0x10], 0x51);
  EXPECT_EQ(img[0x35], 0);
}

TEST(CliHexlog, UsageErrorsExit2) {
  Tmp t;
  EXPECT_EQ(run_shell(kCamdump + " hexlog x.log").rc, 2);  // no -o
  EXPECT_EQ(run_shell(kCamdump + " hexlog " + (kFix / "old_4space_short.log").string() + " -o " + (t / "o") +
                      " --endian middle")
                .rc,
            2);
  EXPECT_EQ(
      run_shell(kCamdump + " hexlog " + (kFix / "old_4space_short.log").string() + " -o " + (t / "o") + " --fill 0x100")
          .rc,
      2);
  EXPECT_EQ(run_shell(kCamdump + " hexlog /nonexistent.log -o " + (t / "o")).rc, 1);
  EXPECT_NE(run_shell(kCamdump + " hexlog --help").out.find("--allow-gaps"), std::string::npos);
}

TEST(CliCompare, IdenticalDifferAndVote) {
  Tmp t;
  std::vector<uint8_t> a(5000, 0x11), b = a, c = a;
  b[100] = 0x22;
  c[4000] = 0x33;
  auto put = [&](const std::string& n, const std::vector<uint8_t>& d) {
    std::ofstream(t / n, std::ios::binary)
        .write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
    return t / n;
  };
  auto pa = put("a.bin", a), pb = put("b.bin", b), pc = put("c.bin", c), pa2 = put("a2.bin", a);
  auto r = run_shell(kCamdump + " compare " + pa + " " + pa2);
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("identical"), std::string::npos);
  r = run_shell(kCamdump + " compare --json " + pa + " " + pb + " " + pc);
  EXPECT_EQ(r.rc, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["identical"].get<bool>());
  ASSERT_EQ(j["ranges"].size(), 2u);
  EXPECT_EQ(j["ranges"][0]["offset"], "0x00000064");
  r = run_shell(kCamdump + " compare " + pa + " " + pb + " " + pc + " --vote " + (t / "v.bin"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(bytes(t / "v.bin"), a);
  EXPECT_EQ(run_shell(kCamdump + " compare " + pa + " " + pb + " --vote " + (t / "v2.bin")).rc, 2);
}

TEST(CliExtract, ExpectCrc32) {
  Tmp t;
  std::vector<uint8_t> card(size_t{64} * 1024);
  for (size_t i = 0; i < card.size(); ++i) card[i] = static_cast<uint8_t>(i * 7);
  std::ofstream(t / "card.img", std::ios::binary)
      .write(reinterpret_cast<const char*>(card.data()), static_cast<std::streamsize>(card.size()));
  auto r = run_shell(kCamdump + " extract " + (t / "card.img") + " -o " + (t / "fw.bin") + " --size 16K --json");
  ASSERT_EQ(r.rc, 0) << r.out;
  auto crc = nlohmann::json::parse(r.out)["crc32"].get<std::string>();
  fs::remove(t / "fw.bin");
  r = run_shell(kCamdump + " extract " + (t / "card.img") + " -o " + (t / "fw.bin") + " --size 16K --expect-crc32 0x" +
                crc);
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(fs::exists(t / "fw.bin"));
  r = run_shell(kCamdump + " extract " + (t / "card.img") + " -o " + (t / "fw2.bin") +
                " --size 16K --expect-crc32 deadbeef");
  EXPECT_EQ(r.rc, 1);
  EXPECT_FALSE(fs::exists(t / "fw2.bin"));
  EXPECT_FALSE(fs::exists(t / "fw2.bin.part"));
  EXPECT_EQ(run_shell(kCamdump + " extract " + (t / "card.img") + " -o " + (t / "fw3.bin") + " --size 64K").rc,
            2);  // past the end
  EXPECT_EQ(
      run_shell(kCamdump + " extract " + (t / "card.img") + " -o " + (t / "fw3.bin") + " --size 1K --expect-crc32 xyz")
          .rc,
      2);
}

TEST(CliCombine, MtdpartsWholeChip) {
  Tmp t;
  std::vector<uint8_t> chip(0x30000);
  for (size_t i = 0; i < chip.size(); ++i) chip[i] = static_cast<uint8_t>(i ^ (i >> 8));
  auto put = [&](const std::string& n, size_t off, size_t len) {
    std::ofstream(t / n, std::ios::binary)
        .write(reinterpret_cast<const char*>(chip.data() + off), static_cast<std::streamsize>(len));
    return t / n;
  };
  std::string parts =
      put("mtd0.bin", 0, 0x10000) + " " + put("mtd1.bin", 0x10000, 0x20000) + " " + put("mtd2.bin", 0, 0x30000);
  auto r = run_shell(kCamdump + " combine " + parts +
                     " --mtdparts 'mtdparts=jz_sfc:64k(boot),128k(rootfs),192k@0(all)' -o " + (t / "full.bin"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(bytes(t / "full.bin"), chip);
  EXPECT_NE(r.out.find("whole chip"), std::string::npos);
  r = run_shell(kCamdump + " combine " + (t / "mtd0.bin") + " " + (t / "mtd0.bin") + " -o " + (t / "x.bin"));
  EXPECT_EQ(r.rc, 2);  // duplicate
}

TEST(CliScript, SdCounts) {
  auto r = run_shell(kCamdump + " script sd --flash-size 16M");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("mmc write ${baseaddr} 0x10 0x8000"), std::string::npos);
  EXPECT_NE(r.out.find("dd bs=512 skip=16 count=32768"), std::string::npos);
  EXPECT_EQ(run_shell(kCamdump + " script floppy --flash-size 16M").rc, 2);
  EXPECT_EQ(run_shell(kCamdump + " script sd --flash-size 16Q").rc, 2);
}

TEST(CliHexlog, CapturedQemuUbootTranscript) {
  // tests/fixtures/offline/qemu_arm_md.log: md.b/md.w/md.l of a known 4 KiB image printed by
  // Debian's qemu_arm U-Boot 2023.01 (captured by tests/qemu_md).
  Tmp t;
  auto r = run_shell(kCamdump + " hexlog --json " + (kFix / "qemu_arm_md.log").string() + " -o " + (t / "o.bin"));
  ASSERT_EQ(r.rc, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["start"], "0x42000000");
  EXPECT_EQ(j["size"], 4096);
  EXPECT_EQ(j["formats"].size(), 3u);
  EXPECT_EQ(bytes(t / "o.bin"), camdump::test::md_test_image());
}
