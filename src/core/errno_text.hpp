// SPDX-License-Identifier: MIT
// errno_text(): the C library's message for an errno value ("No such file or directory"), safe to
// call from several threads at once. std::strerror may hand every thread one shared buffer (POSIX
// allows it; the glibc manual marks it "MT-Unsafe race:strerror"), and camdump formats errors on
// its TFTP server, hexlog worker and inbox threads. strerror_r is the reentrant form; this is the
// GNU variant (g++ and clang++ define _GNU_SOURCE), which returns the message, in buf or not.
#pragma once

#include <cstring>
#include <string>

namespace camdump {

inline std::string errno_text(int err) {
  char buf[256];
  return ::strerror_r(err, buf, sizeof buf);
}

}  // namespace camdump
