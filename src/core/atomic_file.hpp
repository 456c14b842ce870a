// SPDX-License-Identifier: MIT
// The only way the library writes a result file: bytes go to OUT.part (mode 0600, because dumps
// hold Wi-Fi keys and password hashes) and appear under OUT only after commit(), which fsyncs
// and renames. Nothing half-written is ever left under the output name.
// The temporary file is created with O_EXCL|O_NOFOLLOW in OUT's directory: a symlink or a hard
// link planted at OUT.part is never written through (it is refused, or a stale regular OUT.part is
// unlinked first), and commit() replaces OUT only if OUT is a regular file or absent.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

namespace camdump {

class AtomicFile {
 public:
  enum class Open {
    Truncate,  ///< start a fresh OUT.part
    Resume,    ///< keep an existing OUT.part (resumable dumps); create it if absent
  };
  /// What the destructor does with OUT.part when commit() was not called.
  enum class OnAbandon { Remove, Keep };
  /// Name of the temporary file: OUT.part (resumable, documented), or a fresh unpredictable
  /// `.camdump-tmp-<random>` next to OUT, for writers whose OUT names come from other people (the
  /// TFTP server: no client can name, reach or race another transfer's temporary file).
  enum class TempName { Part, Unique };

  explicit AtomicFile(std::filesystem::path out, Open mode = Open::Truncate, OnAbandon on_abandon = OnAbandon::Remove,
                      TempName temp = TempName::Part);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Append at the current end of what was written with write().
  void write(std::span<const uint8_t> data);
  /// From now on, writes whose buffer, offset and size are kDirectAlign-aligned go to the disk
  /// directly (O_DIRECT), not through the page cache; others still go through it. For a whole
  /// image written once: its bytes reach the disk while it is written, not all in commit()'s
  /// fsync. A file system without O_DIRECT (tmpfs) just keeps the page cache.
  void bypass_cache();
  static constexpr size_t kDirectAlign = 4096;
  /// Write at an absolute offset (does not move the append position).
  void write_at(uint64_t offset, std::span<const uint8_t> data);
  /// Read back from OUT.part (resume checks).
  void read_at(uint64_t offset, std::span<uint8_t> data) const;
  void truncate(uint64_t size);
  uint64_t size() const;
  /// fsync OUT.part (before recording how much of it a resumed run may trust).
  void sync();
  /// fsync, rename OUT.part -> OUT (replacing OUT only if it is a regular file), fsync the
  /// directory. Throws Error(Usage) when OUT has become a directory, device, FIFO or symlink.
  void commit();
  /// Remove OUT.part now.
  void discard();
  void set_on_abandon(OnAbandon a) { on_abandon_ = a; }

  const std::filesystem::path& path() const { return out_; }
  const std::filesystem::path& part_path() const { return part_; }

 private:
  std::filesystem::path out_, part_;
  int fd_ = -1;
  int direct_fd_ = -1;  ///< the same file opened O_DIRECT (bypass_cache), or -1
  uint64_t append_pos_ = 0;
  OnAbandon on_abandon_;
  bool unique_ = false;  ///< TempName::Unique
};

/// Path of the partial file for `out` ("fw.bin" -> "fw.bin.part").
std::filesystem::path part_path_for(const std::filesystem::path& out);
/// Where a resumable dump records how far OUT.part got ("fw.bin" -> "fw.bin.part.state").
std::filesystem::path state_path_for(const std::filesystem::path& out);

/// Prefix of TempName::Unique files; names starting with it are reserved for camdump.
inline constexpr std::string_view kUniqueTempPrefix = ".camdump-tmp-";

/// Write a whole file (a state or side file, a small result) atomically, mode 0600: the bytes go to
/// OUT.part created O_EXCL|O_NOFOLLOW next to `out` (anything but a stale regular file there is
/// refused, never written through), are fsync'ed, and replace `out` by rename (then the directory
/// is fsync'ed). A reader sees the old file or the new one, never a torn one.
void write_file_atomic(const std::filesystem::path& out, std::span<const uint8_t> data);
void write_file_atomic(const std::filesystem::path& out, std::string_view text);

}  // namespace camdump
