// SPDX-License-Identifier: MIT
// The check every command that writes a file makes before it touches a camera or reads a long
// input: OUT must be a new name in an existing writable directory, or an existing regular file the
// user allowed us to replace (--force, or --resume). Devices, FIFOs, directories, symlinks and an
// empty name are refused with one line, so a dump never runs for an hour only to fail at the rename
// (or replace /dev/null with a regular file). OUT.part must not be anything but a regular file.
#pragma once
#include <sys/stat.h>

#include <filesystem>
#include <string>

namespace camdump {

struct OutputCheck {
  bool force = false;         ///< an existing regular OUT may be replaced
  bool resume = false;        ///< an existing OUT may be replaced (the user continues an earlier run)
  const char* option = "-o";  ///< how the user named OUT, for messages ("-o", "--vote", "--svg")
};

/// Throws Error(Usage) (NotFound/Permission for the directory) naming OUT and what is wrong;
/// an existing OUT is named with its size and modification time.
void check_output_path(const std::filesystem::path& out, const OutputCheck& check = {});

/// "regular file", "directory", "FIFO", "character device", ... for an lstat mode.
inline std::string file_type_name(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "regular file";
    case S_IFDIR: return "directory";
    case S_IFLNK: return "symbolic link";
    case S_IFIFO: return "FIFO";
    case S_IFCHR: return "character device";
    case S_IFBLK: return "block device";
    case S_IFSOCK: return "socket";
    default: return "special file";
  }
}

}  // namespace camdump
