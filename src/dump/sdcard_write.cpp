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
  if (::stat(o.target.c_str(), &st) != 0)
    fail(ErrorKind::NotFound, fmt::format("{}: {}", o.target.string(), errno_text(errno)),
         "name the card's whole device, e.g. /dev/sdb or /dev/mmcblk0 (lsblk lists them)");
  r.block_device = S_ISBLK(st.st_mode);
  if (!r.block_device && !S_ISREG(st.st_mode))
    fail(ErrorKind::Usage,
         fmt::format("{} is neither a block device nor a regular file: refusing to write it", o.target.string()),
         "name the card's whole device, e.g. /dev/sdb (lsblk lists them)");
  if (auto m = mounted_as(o.target, o.mounts); !m.empty())
    fail(ErrorKind::Usage, fmt::format("{}: {}: refusing to write it", o.target.string(), m),
         "unmount it first (umount), so nothing writes to the card at the same time");
  Fd fd;
  fd.fd = ::open(o.target.c_str(), O_RDWR | O_CLOEXEC);
  if (fd.fd < 0)
    fail(errno == EACCES ? ErrorKind::Permission : ErrorKind::Io,
         fmt::format("cannot open {}: {}", o.target.string(), errno_text(errno)),
         errno == EACCES ? "the card needs root or the disk group: run with sudo" : "");
  if (r.block_device) {
    uint64_t sz = 0;
    if (::ioctl(fd.fd, BLKGETSIZE64, &sz) == 0) r.target_size = sz;
    if (r.target_size && r.target_size < kSdcardImageOffset + image.size())
      fail(ErrorKind::Usage, fmt::format("{} holds {}, the image needs {} from byte 8192", o.target.string(),
                                         format_size(r.target_size), format_size(image.size())));
  } else {
    r.target_size = static_cast<uint64_t>(st.st_size);
  }
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
  constexpr size_t kStep = 1 << 20;
  for (size_t done = 0; done < image.size();) {
    check_cancel(cancel);
    const size_t n = std::min(kStep, image.size() - done);
    const ssize_t w = ::pwrite(fd.fd, image.data() + done, n, static_cast<off_t>(kSdcardImageOffset + done));
    if (w <= 0)
      fail(ErrorKind::Io,
           fmt::format("writing {} at {}: {}", o.target.string(), hex(kSdcardImageOffset + done), errno_text(errno)));
    done += static_cast<size_t>(w);
    p.done = done;
    rep.progress(p);
  }
  if (::fsync(fd.fd) != 0) fail(ErrorKind::Io, fmt::format("flushing {}: {}", o.target.string(), errno_text(errno)));
  // Read what the card holds, not what the page cache kept.
  if (r.block_device) ::ioctl(fd.fd, BLKFLSBUF, 0);
  ::posix_fadvise(fd.fd, 0, 0, POSIX_FADV_DONTNEED);
  std::vector<uint8_t> back(kStep);
  Digest sha(Digest::Algo::Sha256);
  p.stage = "reading the card back";
  for (size_t done = 0; done < image.size();) {
    check_cancel(cancel);
    const size_t n = std::min(kStep, image.size() - done);
    const ssize_t g = ::pread(fd.fd, back.data(), n, static_cast<off_t>(kSdcardImageOffset + done));
    if (g != static_cast<ssize_t>(n))
      fail(ErrorKind::Io, fmt::format("reading {} back at {}: {}", o.target.string(), hex(kSdcardImageOffset + done),
                                      g < 0 ? errno_text(errno) : "short read"));
    if (std::memcmp(back.data(), image.data() + done, n) != 0)
      fail(ErrorKind::VerifyMismatch,
           fmt::format("{} reads back different bytes in {}+{}: the card is failing or was written by something else",
                       o.target.string(), hex(kSdcardImageOffset + done), hex(n)),
           "try another card");
    sha.update({back.data(), n});
    done += n;
    p.done = image.size() + done;
    p.finished = done == image.size();
    rep.progress(p);
  }
  r.bytes = image.size();
  r.sha256 = sha.hex_final();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace camdump::dump
