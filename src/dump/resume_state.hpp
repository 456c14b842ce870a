// SPDX-License-Identifier: MIT
// The one format of camdump's state and side files (OUT.part.state of the chunked console routes
// and of the programmer route, IMAGE.restore-state, OUT.chip): versioned `key=value` lines a user
// can read,
//   format=camdump-resume 1
//   kind=chunks
//   offset=0x0
//   ...
//   check=1a2b3c4d
// whose last line is the CRC-32 of every byte before it. One parser and one writer: a file that is
// garbage, truncated, edited, of another kind or of another format version is refused with a
// one-line Error(Corrupt) naming the file — never trusted. Files are written whole with
// write_file_atomic (core/atomic_file.hpp), so a reader sees the old file or the new one.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace camdump::dump {

class ResumeState {
 public:
  static constexpr std::string_view kFormat = "camdump-resume 1";

  /// `kind` says what the file describes ("chunks", "ch341a-read", "restore", "chip"); `file` names
  /// it in errors.
  ResumeState(std::string kind, std::filesystem::path file = {});

  /// Add a line. Keys are [a-z0-9_.]+ and unique; values are one line (no CR/LF). Throws Error(Usage)
  /// on a key or value the format cannot hold (a programming error, not input).
  void set(std::string_view key, std::string_view value);
  void set_number(std::string_view key, uint64_t value);  ///< written as 0x... hex

  /// The file's text (with the check line).
  std::string text() const;
  /// Write it with write_file_atomic (mode 0600).
  void save(const std::filesystem::path& path) const;

  /// Parse `text`, which must be of `kind`; `file` names it in the error. Throws Error(Corrupt).
  static ResumeState parse(std::string_view text, std::string_view kind, const std::filesystem::path& file);
  /// nullopt when `path` does not exist; otherwise parse (throws Error(Corrupt) on a bad file).
  static std::optional<ResumeState> load(const std::filesystem::path& path, std::string_view kind);

  const std::string& kind() const { return kind_; }
  const std::filesystem::path& file() const { return file_; }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return kv_; }
  /// The value of `key`, or nullopt.
  std::optional<std::string_view> find(std::string_view key) const;
  /// The value of `key`; a missing key is Error(Corrupt) naming the file and the key.
  std::string_view get(std::string_view key) const;
  /// A number (0x hex or decimal); missing or not a number is Error(Corrupt).
  uint64_t number(std::string_view key) const;
  /// Error(Corrupt) "FILE: WHY" with the hint to delete it (for checks of the values by callers).
  [[noreturn]] void refuse(std::string_view why) const;

 private:
  std::string kind_;
  std::filesystem::path file_;
  std::vector<std::pair<std::string, std::string>> kv_;
};

}  // namespace camdump::dump
