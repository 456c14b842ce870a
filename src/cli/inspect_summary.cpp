// SPDX-License-Identifier: MIT
#include "cli/inspect_summary.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/file_util.hpp"
#include "core/size.hpp"
#include "core/errno_text.hpp"
#include "image/inspect.hpp"
#include "spi/chip_table.hpp"

namespace camdump::cli {

std::string dump_inspect_summary(const std::filesystem::path& out, uint64_t offset) {
  if (offset != 0) return {};
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(out, ec);
  if (ec || size < (1u << 20) || (size & (size - 1)) != 0) return {};
  auto data = read_file(out);
  return image::short_summary(image::inspect(data));
}

uint64_t max_image_size() {
  uint64_t best = 0;
  for (const auto& c : spi::chip_table()) {
    uint64_t n = c.size;
    if (c.page) n += c.size / c.page * c.oob;
    best = std::max(best, n);
  }
  return (best + (1u << 20) - 1) & ~uint64_t((1u << 20) - 1);
}

std::vector<uint8_t> read_inspect_input(const std::filesystem::path& path, const CancelFlag* cancel) {
  const uint64_t cap = max_image_size();
  const std::string name = path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail_errno(errno, "cannot open " + name);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(ErrorKind::Io, fmt::format("cannot stat {}: {}", name, errno_text(errno)));
  if (S_ISDIR(st.st_mode)) fail(ErrorKind::Usage, fmt::format("{} is a directory, not a flash image", name));
  const bool regular = S_ISREG(st.st_mode);
  const std::string too_big =
      fmt::format("{} is larger than {} (the largest flash camdump knows, spare bytes included): not a flash dump",
                  name, format_size(cap));
  if (regular && uint64_t(st.st_size) > cap)
    fail(ErrorKind::Usage, too_big, "inspect takes a whole-chip dump; cut a part out with `camdump extract`");
  std::vector<uint8_t> data;
  data.reserve(regular ? size_t(st.st_size) : size_t(16) << 20);
  uint8_t buf[1 << 16];
  for (;;) {
    check_cancel(cancel);
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;  // a signal: the cancel check above decides
    if (n < 0) fail(ErrorKind::Io, fmt::format("cannot read {}: {}", name, errno_text(errno)));
    if (n == 0) break;
    if (data.size() + size_t(n) > cap)
      fail(ErrorKind::Usage, too_big + (regular ? "" : " (stopped reading the stream there)"),
           "give inspect a dump file; a device such as /dev/zero never ends");
    if (data.size() + size_t(n) > data.capacity()) data.reserve(std::min<size_t>(cap, data.capacity() * 2));
    data.insert(data.end(), buf, buf + n);
  }
  return data;
}

}  // namespace camdump::cli
