// SPDX-License-Identifier: MIT
// Writing an image to an SD card at block 16 (see sdcard_write.hpp).
#include "dump/sdcard_write.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "core/errno_text.hpp"

namespace camdump::dump {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool digits_only(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether the target is a block device (the card) rather than a regular file (an image of one);
// refuses anything else, a missing target and a mounted one. `st`: the target's stat.
bool check_target(const SdcardWriteOptions& o, struct stat& st) {
  if (::stat(o.target.c_str(), &st) != 0)
    fail(ErrorKind::NotFound, fmt::format("{}: {}", o.target.string(), errno_text(errno)),
         "name the card's whole device, e.g. /dev/sdb or /dev/mmcblk0 (lsblk lists them)");
  const bool block_device = S_ISBLK(st.st_mode);
  if (!block_device && !S_ISREG(st.st_mode))
    fail(ErrorKind::Usage,
         fmt::format("{} is neither a block device nor a regular file: refusing to write it", o.target.string()),
         "name the card's whole device, e.g. /dev/sdb (lsblk lists them)");
  if (auto m = mounted_as(o.target, o.mounts); !m.empty())
    fail(ErrorKind::Usage, fmt::format("{}: {}: refusing to write it", o.target.string(), m),
         "unmount it first (umount), so nothing writes to the card at the same time");
  return block_device;
}

// The card's size as the kernel reports it (0: unknown); fails when the image does not fit from
// byte 8192.
uint64_t card_size(int fd, const std::filesystem::path& target, size_t image_size) {
  uint64_t sz = 0;
  if (::ioctl(fd, BLKGETSIZE64, &sz) != 0) return 0;
  if (sz && sz < kSdcardImageOffset + image_size)
    fail(ErrorKind::Usage, fmt::format("{} holds {}, the image needs {} from byte 8192", target.string(),
                                       format_size(sz), format_size(image_size)));
  return sz;
}

constexpr size_t kStep = 1 << 20;

void write_image(int fd, const std::vector<uint8_t>& image, const std::filesystem::path& target, Progress& p,
                 Reporter& rep, const CancelFlag* cancel) {
  for (size_t done = 0; done < image.size();) {
    check_cancel(cancel);
    const size_t n = std::min(kStep, image.size() - done);
    const ssize_t w = ::pwrite(fd, image.data() + done, n, static_cast<off_t>(kSdcardImageOffset + done));
    if (w <= 0)
      fail(ErrorKind::Io,
           fmt::format("writing {} at {}: {}", target.string(), hex(kSdcardImageOffset + done), errno_text(errno)));
    done += static_cast<size_t>(w);
    p.done = done;
    rep.progress(p);
  }
}

// Reads the range back from the card, not from the page cache, and compares it with the image.
// Returns the SHA-256 of what was read.
std::string read_back(int fd, bool block_device, const std::vector<uint8_t>& image, const std::filesystem::path& target,
                      Progress& p, Reporter& rep, const CancelFlag* cancel) {
  if (block_device) ::ioctl(fd, BLKFLSBUF, 0);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  std::vector<uint8_t> back(kStep);
  Digest sha(Digest::Algo::Sha256);
  p.stage = "reading the card back";
  for (size_t done = 0; done < image.size();) {
    check_cancel(cancel);
    const size_t n = std::min(kStep, image.size() - done);
    const ssize_t g = ::pread(fd, back.data(), n, static_cast<off_t>(kSdcardImageOffset + done));
    if (g != static_cast<ssize_t>(n))
      fail(ErrorKind::Io, fmt::format("reading {} back at {}: {}", target.string(), hex(kSdcardImageOffset + done),
                                      g < 0 ? errno_text(errno) : "short read"));
    if (std::memcmp(back.data(), image.data() + done, n) != 0)
      fail(ErrorKind::VerifyMismatch,
           fmt::format("{} reads back different bytes in {}+{}: the card is failing or was written by something else",
                       target.string(), hex(kSdcardImageOffset + done), hex(n)),
           "try another card");
    sha.update({back.data(), n});
    done += n;
    p.done = image.size() + done;
    p.finished = done == image.size();
    rep.progress(p);
  }
  return sha.hex_final();
}

}  // namespace

std::string mounted_as(const std::filesystem::path& target, const std::filesystem::path& mounts) {
  std::error_code ec;
  const auto canon = std::filesystem::weakly_canonical(target, ec).string();
  std::ifstream f(mounts);
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string src, where;
    in >> src >> where;
    if (src.rfind("/dev/", 0) != 0) continue;
    const auto s = std::filesystem::weakly_canonical(src, ec).string();
    if (s == canon) return fmt::format("{} is mounted on {}", src, where);
    // A partition of it: /dev/sdb1, /dev/mmcblk0p1.
    if (s.rfind(canon, 0) == 0) {
      std::string_view rest(s);
      rest.remove_prefix(canon.size());
      if (rest.starts_with("p")) rest.remove_prefix(1);
      if (digits_only(rest)) return fmt::format("its partition {} is mounted on {}", src, where);
    }
  }
  return {};
}

SdcardWriteResult write_sdcard(const SdcardWriteOptions& o, Reporter& rep, const CancelFlag* cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  SdcardWriteResult r;
  const auto image = read_file(o.image);
  if (image.empty()) fail(ErrorKind::Usage, fmt::format("{} is empty", o.image.string()));
  struct stat st {};
  r.block_device = check_target(o, st);
  Fd fd;
  fd.fd = ::open(o.target.c_str(), O_RDWR | O_CLOEXEC);
  if (fd.fd < 0)
    fail(errno == EACCES ? ErrorKind::Permission : ErrorKind::Io,
         fmt::format("cannot open {}: {}", o.target.string(), errno_text(errno)),
         errno == EACCES ? "the card needs root or the disk group: run with sudo" : "");
  r.target_size = r.block_device ? card_size(fd.fd, o.target, image.size()) : static_cast<uint64_t>(st.st_size);
  if (o.confirm &&
      !o.confirm(fmt::format("write {} ({}) to {}{} from byte 8192 (block 16) to {}: what is there is overwritten; "
                             "block 0 (the partition table) is kept",
                             o.image.string(), format_size(image.size()), o.target.string(),
                             r.target_size ? " (" + format_size(r.target_size) + ")" : std::string(),
                             hex(kSdcardImageOffset + image.size() - 1))))
    fail(ErrorKind::Cancelled, "not confirmed: nothing was written");
  Progress p;
  p.stage = "writing the card";
  p.total = image.size() * 2;
  write_image(fd.fd, image, o.target, p, rep, cancel);
  if (::fsync(fd.fd) != 0) fail(ErrorKind::Io, fmt::format("flushing {}: {}", o.target.string(), errno_text(errno)));
  r.sha256 = read_back(fd.fd, r.block_device, image, o.target, p, rep, cancel);
  r.bytes = image.size();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace camdump::dump
