// SPDX-License-Identifier: MIT
// Maps a TFTP filename to a file under the server root, refusing everything that could leave it:
// absolute names, ".." components, symlinks (anywhere in the path) that resolve outside the root,
// control characters (a name with a newline could forge log lines and the path that `tftpd --once`
// prints last), names of the server's own temporary files (AtomicFile::TempName::Unique), and
// uploads onto an existing file unless overwriting is allowed. Refusal messages never contain the
// root's path; names are quoted with printable_name() wherever they are logged or echoed. The answer carries the TFTP
// error code to send (RFC 1350: 1 file not found, 2 access violation, 6 file exists).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "tftp/packet.hpp"

namespace camdump::tftp {

struct PathDecision {
  bool ok = false;
  std::filesystem::path path;  ///< absolute path of the file under the root (when ok)
  ErrorCode code = ErrorCode::AccessViolation;
  std::string message;  ///< why it was refused (sent in the ERROR packet and logged)
};

/// Longest filename echoed in a log line or ERROR packet; longer ones are cut and their length given.
inline constexpr size_t kEchoedNameMax = 64;

/// `name` safe to print: printable ASCII as is (backslash doubled), every other byte as \xHH,
/// cut at `cap` bytes with "...(N bytes)".
std::string printable_name(std::string_view name, size_t cap = kEchoedNameMax);

class PathGuard {
 public:
  /// `root` must be an existing directory; throws Error(NotFound/Usage) otherwise.
  explicit PathGuard(const std::filesystem::path& root);
  const std::filesystem::path& root() const { return root_; }

  /// For an RRQ: an existing regular file inside the root.
  PathDecision for_read(std::string_view name) const;
  /// For a WRQ: a name whose directory exists inside the root, which is not a symlink, and which
  /// does not exist yet unless `allow_overwrite` (then it must be a regular file).
  PathDecision for_write(std::string_view name, bool allow_overwrite) const;

 private:
  /// Lexical checks shared by both directions; fills `out.path` with root/name.
  bool lexically_safe(std::string_view name, PathDecision& out) const;
  bool inside(const std::filesystem::path& canonical) const;
  std::filesystem::path root_;  ///< canonical
};

}  // namespace camdump::tftp
