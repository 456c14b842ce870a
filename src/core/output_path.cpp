// SPDX-License-Identifier: MIT
// Output-path check (see output_path.hpp).
#include "core/output_path.hpp"

#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/size.hpp"
#include "core/errno_text.hpp"

namespace camdump {
namespace fs = std::filesystem;

namespace {

std::string when(const struct stat& st) {
  std::time_t t = st.st_mtime;
  std::tm local{};
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", ::localtime_r(&t, &local));
  return buf;
}

void check_part(const fs::path& out) {
  const fs::path part = part_path_for(out);
  struct stat st {};
  if (::lstat(part.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return;
  fail(ErrorKind::Usage,
       fmt::format("{} is a {}: refusing to write through it", part.string(), file_type_name(st.st_mode)),
       "camdump writes OUT.part itself; remove that " + file_type_name(st.st_mode));
}

}  // namespace

void check_output_path(const fs::path& out, const OutputCheck& c) {
  if (out.empty()) fail(ErrorKind::Usage, fmt::format("{}: the output file name is empty", c.option));
  const std::string& s = out.native();
  struct stat st {};
  if (s.back() == '/' || (::lstat(out.c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
    fail(ErrorKind::Usage, fmt::format("{} {} is a directory", c.option, out.string()),
         fmt::format("name a file, e.g. {}", (out / "fw.bin").lexically_normal().string()));
  if (::lstat(out.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      fail(ErrorKind::Usage,
           fmt::format("{} {} is a {}: camdump writes regular files only", c.option, out.string(),
                       file_type_name(st.st_mode)),
           "name a new file (or an existing regular file with --force)");
    if (!c.force && !c.resume)
      fail(ErrorKind::Usage,
           fmt::format("{} exists ({}, {} bytes, modified {}): not replaced", out.string(),
                       format_size(static_cast<uint64_t>(st.st_size)), st.st_size, when(st)),
           "choose another name, or add --force to replace it");
  } else {
    if (errno != ENOENT) fail(ErrorKind::Io, fmt::format("cannot check {}: {}", out.string(), errno_text(errno)));
    const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
    struct stat ds {};
    if (::stat(dir.c_str(), &ds) != 0 || !S_ISDIR(ds.st_mode))
      fail(ErrorKind::NotFound, fmt::format("{} {}: directory {} does not exist", c.option, out.string(), dir.string()),
           "create it first, or name a file in an existing directory");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      fail(ErrorKind::Permission,
           fmt::format("{} {}: cannot create files in {}: {}", c.option, out.string(), dir.string(), errno_text(errno)),
           "choose a directory you can write to");
  }
  check_part(out);
}

}  // namespace camdump
