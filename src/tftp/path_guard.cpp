// SPDX-License-Identifier: MIT
// TFTP filename -> path under the root, with the refusals described in path_guard.hpp.
#include "tftp/path_guard.hpp"

#include <fmt/core.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace camdump::tftp {
namespace fs = std::filesystem;

namespace {

PathDecision refuse(ErrorCode code, std::string message) {
  PathDecision d;
  d.code = code;
  d.message = std::move(message);
  return d;
}

}  // namespace

std::string printable_name(std::string_view name, size_t cap) {
  std::string out;
  const size_t n = std::min(name.size(), cap);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c == '\\') out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  if (name.size() > cap) out += fmt::format("...({} bytes)", name.size());
  return out;
}

PathGuard::PathGuard(const fs::path& root) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec) fail(ErrorKind::NotFound, fmt::format("TFTP root {}: {}", root.string(), ec.message()));
  if (!fs::is_directory(root_)) fail(ErrorKind::Usage, fmt::format("TFTP root {} is not a directory", root.string()));
}

bool PathGuard::inside(const fs::path& canonical) const {
  auto r = root_.native();
  auto c = canonical.native();
  if (r == "/") return c.size() > 1;
  return c.size() > r.size() && c.compare(0, r.size(), r) == 0 && c[r.size()] == '/';
}

bool PathGuard::lexically_safe(std::string_view name, PathDecision& out) const {
  if (name.empty()) {
    out = refuse(ErrorCode::AccessViolation, "empty filename");
    return false;
  }
  if (name.front() == '/') {
    out = refuse(ErrorCode::AccessViolation, "absolute paths are not allowed");
    return false;
  }
  if (name.back() == '/') {
    out = refuse(ErrorCode::AccessViolation, "not a file name");
    return false;
  }
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out = refuse(ErrorCode::AccessViolation, "control characters are not allowed in file names");
      return false;
    }
  }
  fs::path rel(name);
  if (rel.filename().native().starts_with(kUniqueTempPrefix)) {
    out = refuse(ErrorCode::AccessViolation, "names starting with .camdump-tmp- are the server's own");
    return false;
  }
  for (const auto& part : rel) {
    if (part == "..") {
      out = refuse(ErrorCode::AccessViolation, "'..' is not allowed in file names");
      return false;
    }
  }
  out.path = root_ / rel.lexically_normal();
  return true;
}

PathDecision PathGuard::for_read(std::string_view name) const {
  PathDecision d;
  if (!lexically_safe(name, d)) return d;
  std::error_code ec;
  fs::path real = fs::canonical(d.path, ec);  // follows every symlink on the way
  if (ec) return refuse(ErrorCode::FileNotFound, "file not found");
  if (!inside(real)) return refuse(ErrorCode::AccessViolation, "path leads outside the TFTP root");
  if (!fs::is_regular_file(real, ec)) return refuse(ErrorCode::AccessViolation, "not a regular file");
  d.ok = true;
  d.path = real;
  return d;
}

PathDecision PathGuard::for_write(std::string_view name, bool allow_overwrite) const {
  PathDecision d;
  if (!lexically_safe(name, d)) return d;
  std::error_code ec;
  fs::path dir = fs::canonical(d.path.parent_path(), ec);
  if (ec || !fs::is_directory(dir)) return refuse(ErrorCode::FileNotFound, "directory does not exist");
  if (dir != root_ && !inside(dir)) return refuse(ErrorCode::AccessViolation, "path leads outside the TFTP root");
  fs::path target = dir / d.path.filename();
  struct stat st {};
  if (::lstat(target.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) return refuse(ErrorCode::AccessViolation, "refusing to write through a symlink");
    if (!S_ISREG(st.st_mode)) return refuse(ErrorCode::AccessViolation, "not a regular file");
    if (!allow_overwrite) return refuse(ErrorCode::FileExists, "file exists (the server does not overwrite)");
  }
  d.ok = true;
  d.path = target;
  return d;
}

}  // namespace camdump::tftp
