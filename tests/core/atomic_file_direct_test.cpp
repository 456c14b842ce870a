// SPDX-License-Identifier: MIT
// AtomicFile::bypass_cache (aligned appends with O_DIRECT, the rest through the page cache) and
// HugeBuffer, whose alignment it relies on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <numeric>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "core/huge_buffer.hpp"

using namespace camdump;

namespace {

void write_mixed(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto out = dir / "img.bin";
  std::filesystem::remove(out);
  HugeBuffer buf(3 * AtomicFile::kDirectAlign + 100);
  std::iota(buf.data(), buf.data() + buf.size(), uint8_t{7});
  {
    AtomicFile f(out);
    f.bypass_cache();
    f.write({buf.data(), 2 * AtomicFile::kDirectAlign});                                   // aligned: direct
    f.write({buf.data() + 2 * AtomicFile::kDirectAlign, 100});                             // unaligned size: cached
    f.write({buf.data() + 2 * AtomicFile::kDirectAlign + 100, AtomicFile::kDirectAlign});  // unaligned offset
    f.write({buf.data() + 3 * AtomicFile::kDirectAlign + 100, 0});
    EXPECT_FALSE(std::filesystem::exists(out));
    f.commit();
  }
  EXPECT_EQ(read_file(out), std::vector<uint8_t>(buf.data(), buf.data() + 3 * AtomicFile::kDirectAlign + 100));
  std::filesystem::remove_all(dir);
}

}  // namespace

TEST(HugeBuffer, ZeroFilledAlignedAndMovable) {
  HugeBuffer a(5u << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % HugeBuffer::kHugePage, 0u);
  EXPECT_EQ(a.size(), 5u << 20);
  EXPECT_EQ(a.data()[0], 0);
  EXPECT_EQ(a.data()[a.size() - 1], 0);
  a.data()[123] = 9;
  HugeBuffer b(std::move(a));
  EXPECT_EQ(a.data(), nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state is what is tested
  EXPECT_EQ(b.data()[123], 9);
  HugeBuffer small(size_t{100} * 1024);  // under one huge page: plain pages
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data()) % 4096, 0u);
  EXPECT_EQ(small.data()[100 * 1024 - 1], 0);
}

TEST(AtomicFile, BypassCacheWritesTheSameBytes) {
  write_mixed(std::filesystem::temp_directory_path() / ("camdump-direct-" + std::to_string(::getpid())));
}

TEST(AtomicFile, BypassCacheOnAFileSystemWithoutODirect) {
  // tmpfs refuses O_DIRECT: the file must still be written, through the page cache.
  if (!std::filesystem::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm";
  write_mixed(std::filesystem::path("/dev/shm") / ("camdump-direct-" + std::to_string(::getpid())));
}
