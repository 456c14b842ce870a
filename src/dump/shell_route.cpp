// SPDX-License-Identifier: MIT
#include "dump/shell_route.hpp"

#include <fmt/core.h>
#include <stdlib.h>

#include <chrono>
#include <memory>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "dump/combine.hpp"
#include "dump/shell_progress.hpp"
#include "dump/tftp_inbox.hpp"
#include "image/inspect.hpp"

namespace camdump::dump {
namespace {

std::filesystem::path dir_of(const std::filesystem::path& out) {
  return out.parent_path().empty() ? std::filesystem::path(".") : out.parent_path();
}

// The transfer, with every verified chunk kept in the partition's .part file as it arrives; an
// error names what was kept so that the user knows --resume has something to continue from.
ShellDumpResult transfer(ShellDumper& d, ShellDumpOptions o, ShellProgressFiles& progress, bool resume) {
  if (o.via != ShellVia::Sd) {
    o.on_verified = [&](const MtdPart& p, uint64_t off, std::span<const uint8_t> b) { progress.save(p, off, b); };
    if (resume) o.saved = [&](const MtdPart& p, uint64_t off, uint64_t len) { return progress.saved(p, off, len); };
  }
  try {
    return d.run(o);
  } catch (const Error& e) {
    if (progress.saved_bytes() == 0) throw;
    std::string files;
    for (const auto& f : progress.paths()) files += (files.empty() ? "" : ", ") + f.filename().string();
    throw Error(e.kind(),
                fmt::format("{}; {} verified this run kept in {}: run again with --resume to continue", e.what(),
                            format_size(progress.saved_bytes()), files),
                e.hint());
  }
}

// A fresh private directory for partition files nobody asked to keep (--no-parts), removed again
// however the run ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string dir = (std::filesystem::temp_directory_path() / "camdump-parts-XXXXXX").string();
    if (!::mkdtemp(dir.data())) fail(ErrorKind::Io, "cannot create a temporary directory for the partition files");
    dir_ = dir;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// The partition files, each cut from the verified image, in `dir`.
std::vector<std::filesystem::path> write_part_files(const std::vector<uint8_t>& image, const MtdLayout& layout,
                                                    const std::filesystem::path& out,
                                                    const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& p : layout.parts) {
    const uint64_t off = p.offset.value_or(0);
    if (off > image.size() || p.size > image.size() - off) continue;
    files.push_back(dir / shell_part_file(out, p).filename());
    write_file_atomic(files.back(), std::span<const uint8_t>(image).subspan(off, p.size));
  }
  return files;
}

// OUT assembled from the partition files by `camdump combine`'s code, kept only when it equals
// the verified image.
void combine_into(const std::vector<std::filesystem::path>& files, const MtdLayout& layout,
                  const std::filesystem::path& out, uint64_t size, const std::string& sha) {
  auto plan = plan_combine(files, &layout);
  AtomicFile f(out);
  auto cr = run_combine(plan, f);
  if (cr.size != size || cr.sha256 != sha)
    fail(ErrorKind::VerifyMismatch, "the combined image differs from the verified partitions");
  f.commit();
}

}  // namespace

std::filesystem::path shell_part_file(const std::filesystem::path& out, const MtdPart& p) {
  return out.parent_path() / fmt::format("{}.mtd{}-{}.bin", out.stem().string(), p.index, p.name);
}

void check_shell_route(const ShellRouteOptions& opt) {
  const bool sd = opt.dump.via == ShellVia::Sd;
  if (!sd && opt.out.empty()) fail(ErrorKind::Usage, "-o OUT is required (except with --via sd)");
  if (opt.dump.via == ShellVia::Tftp && opt.server_ip.empty())
    fail(ErrorKind::Usage, "--via tftp needs --server-ip (this PC's address as the camera sees it)");
  if (opt.resume && sd)
    fail(ErrorKind::Usage,
         "--resume applies to --via console and --via tftp (with --via sd the copies stay on the card)");
}

ShellRouteResult run_shell_route(shell::ShellSession& sh, const ShellRouteOptions& opt, Reporter& rep,
                                 const CancelFlag* cancel) {
  check_shell_route(opt);
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  ShellDumpOptions o = opt.dump;
  std::unique_ptr<TftpInbox> rx;
  if (o.via == ShellVia::Tftp) {
    rx = std::make_unique<TftpInbox>(opt.listen.empty() ? opt.server_ip + ":69" : opt.listen, rep, cancel);
    o.server_ip = opt.server_ip;
    o.server_port = rx->port();
    o.tftp_receive = [&rx](const std::string& name) { return rx->wait_for(name); };
  }
  // Verified chunks go to OUT-stem.mtdN-NAME.bin.part as they arrive, so that an interrupted run
  // can be resumed; the finished partition copies replace them.
  const std::filesystem::path out_dir = dir_of(opt.out);
  ShellProgressFiles progress(
      [&](const MtdPart& p) { return part_path_for(out_dir / shell_part_file(opt.out, p).filename()); }, opt.resume);
  ShellDumper d(sh, rep, cancel);
  ShellRouteResult r;
  r.dump = transfer(d, o, progress, opt.resume);
  progress.close();
  if (o.via == ShellVia::Sd) {  // the data is on the card; the user brings it to this PC
    r.seconds = elapsed();
    return r;
  }

  const std::vector<uint8_t> image = assemble_image(r.dump);
  r.out = opt.out;
  r.size = image.size();
  r.sha256 = sha256_hex(image);
  r.crc32 = crc32(image);
  r.inspect_summary = image::short_summary(image::inspect(image));
  std::optional<ScratchDir> scratch;
  if (!opt.keep_parts) scratch.emplace();
  const std::filesystem::path dir = scratch ? scratch->path() : out_dir;
  combine_into(write_part_files(image, r.dump.layout, opt.out, dir), r.dump.layout, opt.out, r.size, r.sha256);
  if (scratch) progress.remove_all();  // with --no-parts no partition copy replaced them
  r.seconds = elapsed();
  return r;
}

}  // namespace camdump::dump
