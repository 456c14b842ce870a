// SPDX-License-Identifier: MIT
#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errno_text.hpp"
#include "core/error.hpp"
#include "core/output_path.hpp"

namespace camdump {
namespace {

[[noreturn]] void io_fail(const std::string& what, const std::filesystem::path& p) {
  fail_errno(errno, what + " " + p.string());
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

namespace {

// A stale regular OUT.part from an earlier run is removed (not truncated: it may be a hard link to
// someone else's file); anything else at that name is refused.
void clear_stale_part(const std::filesystem::path& part) {
  struct stat st {};
  if (::lstat(part.c_str(), &st) != 0) return;
  if (!S_ISREG(st.st_mode))
    fail(ErrorKind::Usage,
         fmt::format("{} is a {}: refusing to write through it", part.string(), file_type_name(st.st_mode)),
         "camdump creates that file itself; remove what is there");
  if (::unlink(part.c_str()) != 0) io_fail("cannot remove the stale", part);
}

int create_exclusive(const std::filesystem::path& part) {
  int fd = ::open(part.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    fail(ErrorKind::Usage, fmt::format("{} appeared while camdump was creating it: refusing to use it", part.string()),
         "another program is writing next to OUT; run again when it is done");
  if (fd < 0) io_fail("cannot create", part);
  return fd;
}

// An existing OUT.part to continue: opened without following a symlink, and only if it is a
// regular file of ours with no other names (a hard link would let a resumed run write elsewhere).
int open_for_resume(const std::filesystem::path& part) {
  int fd = ::open(part.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return create_exclusive(part);
  if (fd < 0 && errno == ELOOP)
    fail(ErrorKind::Usage, fmt::format("{} is a symbolic link: refusing to write through it", part.string()),
         "remove the link");
  if (fd < 0) io_fail("cannot open", part);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != ::geteuid()) {
    ::close(fd);
    fail(ErrorKind::Usage,
         fmt::format("{} is not a plain file of this user (other links, owner or type): not resumed", part.string()),
         "remove it and start again without --resume");
  }
  return fd;
}

std::filesystem::path unique_temp_in(const std::filesystem::path& out) {
  uint8_t r[8];
  if (::getrandom(r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) io_fail("cannot get random bytes for", out);
  std::string name(kUniqueTempPrefix);
  for (uint8_t b : r) name += fmt::format("{:02x}", b);
  return out.parent_path() / name;
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path out, Open mode, OnAbandon on_abandon, TempName temp)
    : out_(std::move(out)), part_(part_path_for(out_)), on_abandon_(on_abandon) {
  if (out_.empty()) fail(ErrorKind::Usage, "the output file name is empty");
  if (temp == TempName::Unique) {
    unique_ = true;
    for (int tries = 0; fd_ < 0; ++tries) {  // 64 random bits: a collision means someone is guessing
      part_ = unique_temp_in(out_);
      fd_ = ::open(part_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd_ < 0 && (errno != EEXIST || tries > 8)) io_fail("cannot create a temporary file for", out_);
    }
  } else if (mode == Open::Resume) {
    fd_ = open_for_resume(part_);
  } else {
    clear_stale_part(part_);
    fd_ = create_exclusive(part_);
  }
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
  // Through our descriptor, not the name: the name could have been replaced since we created it.
  if (fd_ >= 0 && direct_fd_ < 0)
    direct_fd_ = ::open(fmt::format("/proc/self/fd/{}", fd_).c_str(), O_WRONLY | O_CLOEXEC | O_DIRECT);
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
  struct stat st {};
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
  // Replace only a regular file: a directory, device, FIFO or symlink put at OUT while we wrote
  // stays as it is (and so does the finished temporary file, for the user to move by hand).
  struct stat st {};
  if (::lstat(out_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    if (unique_) ::unlink(part_.c_str());  // nobody could find it by name
    fail(ErrorKind::Usage,
         fmt::format("{} is a {}: not replaced{}", out_.string(), file_type_name(st.st_mode),
                     unique_ ? "" : "; the verified data is in " + part_.string()),
         "move that file where you want it");
  }
  ::close(fd_);
  fd_ = -1;
  if (::rename(part_.c_str(), out_.c_str()) != 0) {
    const int e = errno;
    if (on_abandon_ == OnAbandon::Remove) ::unlink(part_.c_str());  // not committed: as the destructor would
    errno = e;
    io_fail("cannot rename to", out_);
  }
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
  // OUT.part created O_EXCL|O_NOFOLLOW (a stale regular one is unlinked first, anything else there
  // is refused), fsync'ed and renamed by commit(), which also fsyncs the directory.
  AtomicFile f(out);
  f.write(data);
  f.commit();
}

void write_file_atomic(const std::filesystem::path& out, std::string_view text) {
  write_file_atomic(out, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace camdump
