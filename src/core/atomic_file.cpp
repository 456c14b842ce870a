// SPDX-License-Identifier: MIT
#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace camdump {
namespace {

[[noreturn]] void io_fail(const std::string& what, const std::filesystem::path& p) {
  int e = errno;
  ErrorKind kind = (e == EACCES || e == EPERM) ? ErrorKind::Permission
                   : e == ENOENT               ? ErrorKind::NotFound
                                               : ErrorKind::Io;
  fail(kind, fmt::format("{} {}: {}", what, p.string(), std::strerror(e)));
}

}  // namespace

std::filesystem::path part_path_for(const std::filesystem::path& out) {
  auto p = out;
  p += ".part";
  return p;
}

std::filesystem::path state_path_for(const std::filesystem::path& out) {
  auto p = part_path_for(out);
  p += ".state";
  return p;
}

AtomicFile::AtomicFile(std::filesystem::path out, Open mode, OnAbandon on_abandon)
    : out_(std::move(out)), part_(part_path_for(out_)), on_abandon_(on_abandon) {
  int flags = O_RDWR | O_CREAT | O_CLOEXEC | (mode == Open::Truncate ? O_TRUNC : 0);
  fd_ = ::open(part_.c_str(), flags, 0600);
  if (fd_ < 0) io_fail("cannot create", part_);
  ::fchmod(fd_, 0600);  // an existing .part may have had wider permissions
  if (mode == Open::Resume) append_pos_ = size();
}

AtomicFile::~AtomicFile() {
  if (direct_fd_ >= 0) ::close(direct_fd_);
  if (fd_ >= 0) {
    ::close(fd_);
    if (on_abandon_ == OnAbandon::Remove) ::unlink(part_.c_str());
  }
}

void AtomicFile::bypass_cache() {
#ifdef O_DIRECT
  if (fd_ >= 0 && direct_fd_ < 0) direct_fd_ = ::open(part_.c_str(), O_WRONLY | O_CLOEXEC | O_DIRECT);
#endif
}

void AtomicFile::write(std::span<const uint8_t> data) {
  write_at(append_pos_, data);
  append_pos_ += data.size();
}

void AtomicFile::write_at(uint64_t offset, std::span<const uint8_t> data) {
  if (fd_ < 0) fail(ErrorKind::Io, "write after commit: " + part_.string());
  // O_DIRECT needs the buffer, offset and length aligned to the logical block size (4096 covers
  // 512-byte and 4Kn disks); the kernel keeps both descriptors' views of the file coherent.
  const bool aligned = reinterpret_cast<uintptr_t>(data.data()) % kDirectAlign == 0 && offset % kDirectAlign == 0 &&
                       data.size() % kDirectAlign == 0;
  const int fd = direct_fd_ >= 0 && aligned ? direct_fd_ : fd_;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && fd == direct_fd_ && errno == EINVAL) {  // the file system refused O_DIRECT after all
      ::close(direct_fd_);
      direct_fd_ = -1;
      return write_at(offset + done, data.subspan(done));
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      io_fail("cannot write", part_);
    }
    done += static_cast<size_t>(n);
  }
}

void AtomicFile::read_at(uint64_t offset, std::span<uint8_t> data) const {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pread(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) io_fail("cannot read back", part_);
    done += static_cast<size_t>(n);
  }
}

void AtomicFile::truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) io_fail("cannot resize", part_);
  if (append_pos_ > size) append_pos_ = size;
}

uint64_t AtomicFile::size() const {
  struct stat st{};
  if (::fstat(fd_, &st) != 0) io_fail("cannot stat", part_);
  return static_cast<uint64_t>(st.st_size);
}

void AtomicFile::sync() {
  if (fd_ >= 0 && ::fsync(fd_) != 0) io_fail("cannot sync", part_);
}

void AtomicFile::commit() {
  if (fd_ < 0) return;
  if (direct_fd_ >= 0) {
    ::close(direct_fd_);
    direct_fd_ = -1;
  }
  if (::fsync(fd_) != 0) io_fail("cannot sync", part_);
  ::close(fd_);
  fd_ = -1;
  if (::rename(part_.c_str(), out_.c_str()) != 0) io_fail("cannot rename to", out_);
  auto dir = out_.parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void AtomicFile::discard() {
  if (direct_fd_ >= 0) {
    ::close(direct_fd_);
    direct_fd_ = -1;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  ::unlink(part_.c_str());
}

void write_file_atomic(const std::filesystem::path& out, std::span<const uint8_t> data) {
  AtomicFile f(out);
  f.write(data);
  f.commit();
}

}  // namespace camdump
