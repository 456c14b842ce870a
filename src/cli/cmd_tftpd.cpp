// SPDX-License-Identifier: MIT
// `camdump tftpd`: the built-in TFTP server (tftp/server.hpp) as a command. Serves and receives
// files under --root until Ctrl-C, or until the first completed upload with --once (for scripts:
// the received file's path is then the last line of stdout; --once accepts uploads only unless
// --read). Every transfer is logged on stderr with peer, name, size, rate and SHA-256. Started as
// root (for port 69), it binds the port and then drops to the invoking user (SUDO_UID/SUDO_GID) or
// --user before it touches a file: no file is ever read or written as root.
#include <fmt/core.h>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/fs_identity.hpp"
#include "core/size.hpp"
#include "tftp/server.hpp"

namespace camdump::cli {
namespace {

struct TftpdArgs {
  std::string root = ".", listen = "0.0.0.0:69", max_size = "256M", user;
  bool allow_overwrite = false, once = false, read_only = false, write_only = false, json = false, read = false;
  unsigned timeout_ms = 1000;
};

// Whom a root-started server becomes: --user, else the user sudo was called by, else the owner
// of the served directory (unless that is root).
std::optional<Identity> unprivileged_identity(const std::string& user, const std::filesystem::path& root) {
  if (!user.empty()) {
    auto id = user_identity(user);
    if (!id) fail(ErrorKind::Usage, fmt::format("--user: no user named '{}'", user));
    return Identity{id->uid, id->gid, user};
  }
  if (auto id = sudo_identity()) return id;
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0 || st.st_uid == 0) return std::nullopt;
  if (auto owner = user_identity(st.st_uid)) return owner;
  return Identity{st.st_uid, st.st_gid, std::to_string(st.st_uid)};
}

// Port 69 is bound: give up root before any file is opened (setgroups, setgid, then setuid, and
// make sure root cannot be taken back).
void drop_root(const TftpdArgs& a, const std::filesystem::path& root, Context& ctx) {
  if (::geteuid() != 0) {
    if (!a.user.empty()) fail(ErrorKind::Usage, "--user needs tftpd to be started as root");
    return;
  }
  auto id = unprivileged_identity(a.user, root);
  if (!id)
    fail(ErrorKind::Usage, "tftpd does not handle files as root",
         "run it with sudo (it drops to your user after binding port 69), pass --user NAME, or grant the port "
         "once: sudo setcap cap_net_bind_service=+ep $(command -v camdump)");
  const auto account = user_identity(id->uid);
  if ((account ? ::initgroups(account->name.c_str(), id->gid) : ::setgroups(0, nullptr)) != 0 ||
      ::setgid(id->gid) != 0 || ::setuid(id->uid) != 0 || ::setuid(0) == 0)
    fail(ErrorKind::Permission, fmt::format("cannot drop root privileges to {}", id->name));
  ctx.reporter.log(LogLevel::Info, fmt::format("tftpd: port bound; now running as {} (uid {})", id->name, id->uid));
}

void run(const TftpdArgs& a, Context& ctx) {
  if (a.read_only && a.write_only) fail(ErrorKind::Usage, "--read-only and --write-only exclude each other");
  if (a.once && a.read_only) fail(ErrorKind::Usage, "--once waits for an upload, which --read-only forbids");
  if (a.read && a.write_only) fail(ErrorKind::Usage, "--read and --write-only exclude each other");
  tftp::ServerConfig cfg;
  cfg.root = a.root;
  auto ep = tftp::parse_endpoint(a.listen, tftp::kWellKnownPort);
  if (!ep) fail(ErrorKind::Usage, fmt::format("--listen: '{}' is not ADDR[:PORT] (IPv4)", a.listen));
  cfg.listen = *ep;
  cfg.allow_overwrite = a.allow_overwrite;
  cfg.max_size = size_arg("--max-size", a.max_size);
  // --once collects one upload: serving the directory as well is asked for with --read.
  cfg.allow_read = !a.write_only && (!a.once || a.read);
  cfg.allow_write = !a.read_only;
  cfg.once = a.once;
  if (a.timeout_ms < 10 || a.timeout_ms > 255000) fail(ErrorKind::Usage, "--timeout-ms must be 10..255000");
  cfg.timeout = std::chrono::milliseconds(a.timeout_ms);

  tftp::Server server(cfg, ctx.reporter);
  drop_root(a, server.root(), ctx);
  std::optional<tftp::TransferReport> upload;
  server.on_complete([&](const tftp::TransferReport& r) {
    if (r.ok && r.direction == tftp::Direction::Write && !upload) upload = r;
  });
  ctx.reporter.log(
      LogLevel::Info,
      fmt::format("tftpd: serving {} on UDP {} ({}{}, max upload {})", server.root().string(), server.local().str(),
                  cfg.allow_read && cfg.allow_write ? "read+write"
                  : cfg.allow_read                  ? "read-only"
                                                    : "write-only",
                  cfg.allow_overwrite ? ", overwrite allowed" : "", format_size(cfg.max_size)));
  server.run(ctx.cancel);
  if (!a.once) return;  // Ctrl-C ends a plain server normally
  if (!upload) check_cancel(ctx.cancel);
  if (!upload) fail(ErrorKind::Io, "tftpd stopped before an upload completed");
  if (a.json) {
    nlohmann::json j;
    j["path"] = upload->path.string();
    j["name"] = upload->name;
    j["peer"] = upload->peer;
    j["bytes"] = upload->bytes;
    j["seconds"] = upload->seconds;
    j["sha256"] = upload->sha256;
    j["blksize"] = upload->blksize;
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("sha256: {}\n{}\n", upload->sha256, upload->path.string());
  }
}

}  // namespace

void register_tftpd(Command app, Context& ctx) {
  auto a = std::make_shared<TftpdArgs>();
  Command sub = app.subcommand(
      "tftpd",
      "TFTP server for camera uploads (U-Boot tftpput) and downloads: RFC 1350 octet mode with blksize, "
      "timeout, tsize and windowsize; uploads land as NAME.part and are renamed (mode 0600) when complete");
  sub.option("--root", a->root, "Directory to serve and to store uploads in (nothing outside it is reachable)")
      .show_default();
  sub.option("--listen", a->listen,
             "IPv4 ADDR[:PORT] to listen on; U-Boot's tftpput sends to port 69 unless its tftpdstp "
             "variable says otherwise (port 69 needs root or cap_net_bind_service)")
      .show_default();
  sub.flag("--allow-overwrite", a->allow_overwrite,
           "Let an upload replace an existing file (default: refuse, error 6)");
  sub.option("--max-size", a->max_size, "Refuse uploads larger than SIZE (e.g. 64M, 0x4000000); error 3")
      .show_default();
  sub.flag("--once", a->once,
           "Exit after the first completed upload and print its path as the last line of stdout; uploads only "
           "(add --read to serve downloads too)");
  sub.flag("--read", a->read, "With --once: serve downloads of files under --root as well");
  sub.option("--user", a->user,
             "Started as root: the user to become once port 69 is bound (default: the user who ran sudo, else "
             "the owner of --root; tftpd never opens files as root)");
  sub.flag("--read-only", a->read_only, "Serve downloads only (uploads refused with error 2)");
  sub.flag("--write-only", a->write_only, "Accept uploads only (downloads refused with error 2)");
  sub.option("--timeout-ms", a->timeout_ms,
             "Retransmission interval when the client does not negotiate one (the timeout option)")
      .show_default();
  sub.flag("--json", a->json, "With --once: print the upload's report as JSON on stdout");
  sub.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
