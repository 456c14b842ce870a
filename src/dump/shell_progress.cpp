// SPDX-License-Identifier: MIT
#include "dump/shell_progress.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "core/errno_text.hpp"

namespace camdump::dump {

ShellProgressFiles::ShellProgressFiles(PathOf path_of, bool resume) : path_of_(std::move(path_of)), resume_(resume) {}

ShellProgressFiles::~ShellProgressFiles() { close(); }

int ShellProgressFiles::fd_for(const MtdPart& p, bool create) {
  if (auto it = fds_.find(p.index); it != fds_.end()) return it->second;
  const std::filesystem::path path = path_of_(p);
  int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW;  // a symlink planted at a .part name is never written through
  if (create) flags |= O_CREAT | (resume_ ? 0 : O_TRUNC);
  const int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) {
    if (!create) return -1;
    fail(ErrorKind::Io, fmt::format("cannot create {}: {}", path.string(), errno_text(errno)));
  }
  fds_[p.index] = fd;
  paths_[p.index] = path;
  return fd;
}

std::vector<uint8_t> ShellProgressFiles::saved(const MtdPart& p, uint64_t off, uint64_t len) {
  const int fd = fd_for(p, false);
  std::vector<uint8_t> out(len);
  size_t got = 0;
  while (fd >= 0 && got < len) {
    const ssize_t n = ::pread(fd, out.data() + got, len - got, static_cast<off_t>(off + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

void ShellProgressFiles::save(const MtdPart& p, uint64_t off, std::span<const uint8_t> bytes) {
  const int fd = fd_for(p, true);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(ErrorKind::Io, fmt::format("cannot write {}: {}", paths_[p.index].string(), errno_text(errno)));
    done += static_cast<size_t>(n);
  }
  saved_bytes_ += bytes.size();
}

void ShellProgressFiles::close() {
  for (auto& [index, fd] : fds_) ::close(fd);
  fds_.clear();
}

void ShellProgressFiles::remove_all() {
  close();
  std::error_code ec;
  for (const auto& [index, path] : paths_) std::filesystem::remove(path, ec);
  paths_.clear();
}

std::vector<std::filesystem::path> ShellProgressFiles::paths() const {
  std::vector<std::filesystem::path> v;
  for (const auto& [index, path] : paths_) v.push_back(path);
  return v;
}

}  // namespace camdump::dump
