// SPDX-License-Identifier: MIT
// errno_text(): the C library's message for an errno value ("No such file or directory"), safe to
// call from several threads at once. std::strerror may hand every thread one shared buffer (POSIX
// allows it; the glibc manual marks it "MT-Unsafe race:strerror"), and camdump formats errors on
// its TFTP server, hexlog worker and inbox threads. strerror_r is the reentrant form; this is the
// GNU variant (g++ and clang++ define _GNU_SOURCE), which returns the message, in buf or not.
//
// errno_kind() and fail_errno(): one mapping from a failed call's errno to an ErrorKind, for every
// layer (it was written out after nine open/stat calls, not always the same).
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace camdump {

inline std::string errno_text(int err) {
  char buf[256];
  return ::strerror_r(err, buf, sizeof buf);
}

/// The kind of a failed open/stat/read's errno: ENOENT (and ENOTDIR) not-found; EACCES and EPERM
/// (open(2): "the operation was prevented by a file seal" or O_NOATIME by a non-owner) permission;
/// anything else an I/O error.
inline ErrorKind errno_kind(int err) noexcept {
  switch (err) {
    case ENOENT:
    case ENOTDIR: return ErrorKind::NotFound;
    case EACCES:
    case EPERM: return ErrorKind::Permission;
    default: return ErrorKind::Io;
  }
}

/// fail() for a system call on a file that set `err`: "<what>: <the C library's text>", kind from
/// errno_kind(). `what` says which call on which file, e.g. "cannot open /x/y".
[[noreturn]] inline void fail_errno(int err, const std::string& what, std::string hint = {}) {
  fail(errno_kind(err), what + ": " + errno_text(err), std::move(hint));
}

}  // namespace camdump
