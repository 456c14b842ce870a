// SPDX-License-Identifier: MIT
// Test support: files and temporary directories, written once for every suite.
//
//   TempDir dir;                                 // removed with its contents at scope end
//   write_bytes(dir / "img.bin", random_bytes(4096, 1));
//   EXPECT_EQ(slurp(dir / "img.bin").size(), 4096u);
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace camdump::test {

/// The whole file as text / as bytes; empty when it cannot be opened.
std::string read_file(const std::filesystem::path& file);
std::vector<uint8_t> slurp(const std::filesystem::path& file);
/// Creates or truncates `file` with exactly `data`; throws std::runtime_error when it cannot.
void write_file(const std::filesystem::path& file, std::string_view data);
void write_bytes(const std::filesystem::path& file, std::span<const uint8_t> data);

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents by the destructor.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "camdump-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace camdump::test
