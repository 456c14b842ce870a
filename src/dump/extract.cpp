// SPDX-License-Identifier: MIT
// SD-card read-back (see extract.hpp).
#include "dump/extract.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/crc32.hpp"
#include "core/hash.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "core/errno_text.hpp"

namespace camdump::dump {
namespace {

int open_source(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int e = errno;
    fail_errno(e, "cannot open " + p.string(),
               e == EACCES ? "card devices need root (sudo) or membership of the 'disk' group" : "");
  }
  return fd;
}

// Only a card (block device) or a card image (regular file) has a size to check the read
// against; a character device or FIFO (/dev/zero, a pipe) would be read without end or bound.
uint64_t size_of_fd(int fd, const std::filesystem::path& p) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(ErrorKind::Io, fmt::format("cannot stat {}: {}", p.string(), errno_text(errno)));
  if (S_ISREG(st.st_mode)) return static_cast<uint64_t>(st.st_size);
  if (!S_ISBLK(st.st_mode))
    fail(ErrorKind::Usage,
         fmt::format("{} is a {}: extract reads a card (block device) or a card image file", p.string(),
                     file_type_name(st.st_mode)),
         "name the whole card, e.g. /dev/sdb or /dev/mmcblk0, or an image made with dd");
  uint64_t bytes = 0;
  if (::ioctl(fd, BLKGETSIZE64, &bytes) == 0) return bytes;
  off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) fail(ErrorKind::Io, fmt::format("cannot tell the size of {}", p.string()));
  return static_cast<uint64_t>(end);
}

}  // namespace

uint64_t source_size(const std::filesystem::path& source) {
  int fd = open_source(source);
  uint64_t s = size_of_fd(fd, source);
  ::close(fd);
  return s;
}

ExtractResult extract_image(const std::filesystem::path& source, AtomicFile& out, const ExtractOptions& opt) {
  if (opt.size == 0) fail(ErrorKind::Usage, "--size must not be 0");
  if (opt.block_size == 0) fail(ErrorKind::Usage, "--block-size must not be 0");
  if (opt.offset_blocks > UINT64_MAX / opt.block_size) fail(ErrorKind::Usage, "--offset-blocks is too large");
  const uint64_t offset = opt.offset_blocks * opt.block_size;
  int fd = open_source(source);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  ExtractResult r;
  r.source_size = size_of_fd(fd, source);
  if (offset > r.source_size || opt.size > r.source_size - offset)
    fail(ErrorKind::Usage,
         fmt::format("{} has {} bytes; reading {} bytes from block {} (byte {}) would pass its end", source.string(),
                     r.source_size, opt.size, opt.offset_blocks, hex(offset)),
         "check --size (the flash size) and the device name (the whole card, e.g. /dev/sdb, not a partition)");
  Digest sha(Digest::Algo::Sha256), md5(Digest::Algo::Md5);
  std::vector<uint8_t> buf(4u << 20);
  for (uint64_t pos = 0; pos < opt.size;) {
    check_cancel(opt.cancel);
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), opt.size - pos));
    ssize_t k = ::pread(fd, buf.data(), want, static_cast<off_t>(offset + pos));
    if (k < 0 && errno == EINTR) continue;
    if (k < 0)
      fail(ErrorKind::Io,
           fmt::format("cannot read {} at {}: {}", source.string(), hex(offset + pos), errno_text(errno)));
    if (k == 0) fail(ErrorKind::Io, fmt::format("{} ended early at {}", source.string(), hex(offset + pos)));
    std::span<const uint8_t> s(buf.data(), static_cast<size_t>(k));
    out.write(s);
    sha.update(s);
    md5.update(s);
    r.crc32 = crc32(s, r.crc32);
    pos += static_cast<uint64_t>(k);
    if (opt.reporter) {
      Progress p;
      p.stage = "reading card";
      p.done = pos;
      p.total = opt.size;
      p.finished = pos == opt.size;
      opt.reporter->progress(p);
    }
  }
  r.size = opt.size;
  r.sha256 = sha.hex_final();
  r.md5 = md5.hex_final();
  return r;
}

}  // namespace camdump::dump
