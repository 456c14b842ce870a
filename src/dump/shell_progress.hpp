// SPDX-License-Identifier: MIT
// Where an interrupted `dump shell` keeps what it had: one file per partition (OUT-stem.mtdN-NAME
// .bin.part, the partial file of the partition copy it will write anyway), holding each verified
// chunk at its offset. A resumed run offers these bytes back (ShellDumpOptions::saved), and the
// dumper takes them only where the camera's hash agrees, so a stale or damaged file costs a
// transfer, never a wrong byte.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <vector>

#include "core/mtd_layout.hpp"

namespace camdump::dump {

class ShellProgressFiles {
 public:
  using PathOf = std::function<std::filesystem::path(const MtdPart&)>;
  /// `resume`: keep what the files hold; otherwise each is emptied when first written.
  ShellProgressFiles(PathOf path_of, bool resume);
  ~ShellProgressFiles();
  ShellProgressFiles(const ShellProgressFiles&) = delete;
  ShellProgressFiles& operator=(const ShellProgressFiles&) = delete;

  /// Up to `len` bytes at `off` of partition p's file (shorter or empty where it has none).
  std::vector<uint8_t> saved(const MtdPart& p, uint64_t off, uint64_t len);
  /// Write verified bytes at `off` of partition p's file (created 0600). Throws Error(Io).
  void save(const MtdPart& p, uint64_t off, std::span<const uint8_t> bytes);
  /// Close the files (before they are replaced by the finished partition copies).
  void close();
  /// Remove every file this run wrote to.
  void remove_all();
  uint64_t saved_bytes() const { return saved_bytes_; }
  std::vector<std::filesystem::path> paths() const;

 private:
  int fd_for(const MtdPart& p, bool create);
  PathOf path_of_;
  bool resume_;
  std::map<unsigned, int> fds_;
  std::map<unsigned, std::filesystem::path> paths_;
  uint64_t saved_bytes_ = 0;
};

}  // namespace camdump::dump
