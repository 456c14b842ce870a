// SPDX-License-Identifier: MIT
// build_squashfs (image/squashfs_build.hpp) checked against the real tools: unsquashfs
// (squashfs-tools) lists and extracts what it writes, file by file, with the modes asked for;
// the same entries give the same bytes; the zlib level chosen is recorded in the image.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "image/squashfs_build.hpp"
#include "support/files.hpp"
#include "support/process.hpp"
#include "support/random.hpp"

namespace camdump::image {
namespace {

constexpr uint32_t kTime = 1700000000;

std::vector<uint8_t> text(size_t n) {
  static const std::string kWords = "gpio sensor isp stream=1 rtsp motion\n";
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(kWords[i % kWords.size()]);
  return v;
}

// Sizes around the 128 KiB block: empty, a fragment only, exactly one block, blocks + a tail;
// random (stored raw) and text (zlib); parents created implicitly; an empty directory.
std::vector<SquashEntry> sample() {
  return {
      {"empty", {}, true, 0700},
      {"etc/hostname", text(15), false, 0644},
      {"etc/shadow", text(60), false, 0600},
      {"bin/busybox", test::random_bytes(300 * 1024 + 7, 1), false, 0755},
      {"lib/exact", text(size_t{128} * 1024), false, 0644},
      {"lib/deep/er/still.txt", text(200 * 1024 + 1), false, 0640},
      {"zero", {}, false, 0644},
  };
}

bool have_unsquashfs() { return test::run_shell("command -v unsquashfs").rc == 0; }

TEST(SquashfsBuild, UnsquashfsExtractsEveryFileWithItsMode) {
  if (!have_unsquashfs()) GTEST_SKIP() << "unsquashfs (squashfs-tools) not installed";
  test::TempDir dir;
  const auto entries = sample();
  test::write_bytes(dir / "fs.sqfs", build_squashfs(entries, kTime));
  const auto r = test::run_command(
      {"unsquashfs", "-no-progress", "-d", (dir / "out").string(), (dir / "fs.sqfs").string()}, dir.path());
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  for (const auto& e : entries) {
    const auto path = dir / "out" / e.path;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << e.path;
    EXPECT_EQ(st.st_mode & 07777, e.mode) << e.path;
    if (e.directory) {
      EXPECT_TRUE(S_ISDIR(st.st_mode)) << e.path;
    } else {
      EXPECT_TRUE(S_ISREG(st.st_mode)) << e.path;
      EXPECT_EQ(test::slurp(path), e.data) << e.path;
    }
  }
}

TEST(SquashfsBuild, UnsquashfsListsTheTreeWithImplicitParents) {
  if (!have_unsquashfs()) GTEST_SKIP() << "unsquashfs (squashfs-tools) not installed";
  test::TempDir dir;
  test::write_bytes(dir / "fs.sqfs", build_squashfs(sample(), kTime));
  const auto r = test::run_command({"unsquashfs", "-l", "-no-progress", (dir / "fs.sqfs").string()}, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* p : {"squashfs-root/empty", "squashfs-root/lib/deep/er", "squashfs-root/lib/deep/er/still.txt",
                        "squashfs-root/bin/busybox", "squashfs-root/zero"})
    EXPECT_NE(r.out.find(std::string(p) + "\n"), std::string::npos) << p << "\n" << r.out;
}

TEST(SquashfsBuild, TheSameEntriesGiveTheSameBytes) {
  const auto a = build_squashfs(sample(), kTime), b = build_squashfs(sample(), kTime);
  EXPECT_EQ(a, b);
  ASSERT_GE(a.size(), 96u);
  EXPECT_EQ(std::string(a.begin(), a.begin() + 4), "hsqs");
  EXPECT_EQ(a.size() % 4096, 0u) << "padded to 4 KiB as mksquashfs pads";
  EXPECT_NE(build_squashfs(sample(), kTime + 1), a) << "mkfs_time is in the image";
}

TEST(SquashfsBuild, TheZlibLevelIsRecordedAndBothLevelsRead) {
  if (!have_unsquashfs()) GTEST_SKIP() << "unsquashfs (squashfs-tools) not installed";
  test::TempDir dir;
  test::write_bytes(dir / "fast.sqfs", build_squashfs(sample(), kTime, 1));
  test::write_bytes(dir / "best.sqfs", build_squashfs(sample(), kTime, 9));
  const auto fast = test::run_command({"unsquashfs", "-s", (dir / "fast.sqfs").string()}, dir.path());
  ASSERT_EQ(fast.status, 0) << fast.err;
  EXPECT_NE(fast.out.find("Compression gzip"), std::string::npos) << fast.out;
  EXPECT_NE(fast.out.find("compression-level 1"), std::string::npos) << fast.out;
  const auto best = test::run_command({"unsquashfs", "-s", (dir / "best.sqfs").string()}, dir.path());
  ASSERT_EQ(best.status, 0) << best.err;
  EXPECT_NE(best.out.find("Compression gzip"), std::string::npos) << best.out;
  EXPECT_EQ(best.out.find("compression-level 1"), std::string::npos) << best.out;
}

}  // namespace
}  // namespace camdump::image
