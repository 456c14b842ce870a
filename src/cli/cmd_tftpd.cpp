// SPDX-License-Identifier: MIT
// `camdump tftpd`: the built-in TFTP server (tftp/server.hpp) as a command. Serves and receives
// files under --root until Ctrl-C, or until the first completed upload with --once (for scripts:
// the received file's path is then the last line of stdout). Every transfer is logged on stderr
// with peer, name, size, rate and SHA-256.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/size.hpp"
#include "tftp/server.hpp"

namespace camdump::cli {
namespace {

struct TftpdArgs {
  std::string root = ".", listen = "0.0.0.0:69", max_size = "256M";
  bool allow_overwrite = false, once = false, read_only = false, write_only = false, json = false;
  unsigned timeout_ms = 1000;
};

void run(const TftpdArgs& a, Context& ctx) {
  if (a.read_only && a.write_only) fail(ErrorKind::Usage, "--read-only and --write-only exclude each other");
  if (a.once && a.read_only) fail(ErrorKind::Usage, "--once waits for an upload, which --read-only forbids");
  tftp::ServerConfig cfg;
  cfg.root = a.root;
  auto ep = tftp::parse_endpoint(a.listen, tftp::kWellKnownPort);
  if (!ep) fail(ErrorKind::Usage, fmt::format("--listen: '{}' is not ADDR[:PORT] (IPv4)", a.listen));
  cfg.listen = *ep;
  cfg.allow_overwrite = a.allow_overwrite;
  cfg.max_size = size_arg("--max-size", a.max_size);
  cfg.allow_read = !a.write_only;
  cfg.allow_write = !a.read_only;
  cfg.once = a.once;
  if (a.timeout_ms < 10 || a.timeout_ms > 255000) fail(ErrorKind::Usage, "--timeout-ms must be 10..255000");
  cfg.timeout = std::chrono::milliseconds(a.timeout_ms);

  tftp::Server server(cfg, ctx.reporter);
  std::optional<tftp::TransferReport> upload;
  server.on_complete([&](const tftp::TransferReport& r) {
    if (r.ok && r.direction == tftp::Direction::Write && !upload) upload = r;
  });
  ctx.reporter.log(LogLevel::Info,
                   fmt::format("tftpd: serving {} on UDP {} ({}{}, max upload {})", server.root().string(),
                               server.local().str(),
                               cfg.allow_read && cfg.allow_write ? "read+write" : cfg.allow_read ? "read-only" : "write-only",
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

void register_tftpd(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<TftpdArgs>();
  CLI::App* sub = app.add_subcommand(
      "tftpd",
      "TFTP server for camera uploads (U-Boot tftpput) and downloads: RFC 1350 octet mode with blksize, "
      "timeout, tsize and windowsize; uploads land as NAME.part and are renamed (mode 0600) when complete");
  sub->add_option("--root", a->root, "Directory to serve and to store uploads in (nothing outside it is reachable)")
      ->capture_default_str();
  sub->add_option("--listen", a->listen,
                  "IPv4 ADDR[:PORT] to listen on; U-Boot's tftpput sends to port 69 unless its tftpdstp "
                  "variable says otherwise (port 69 needs root or cap_net_bind_service)")
      ->capture_default_str();
  sub->add_flag("--allow-overwrite", a->allow_overwrite, "Let an upload replace an existing file (default: refuse, error 6)");
  sub->add_option("--max-size", a->max_size, "Refuse uploads larger than SIZE (e.g. 64M, 0x4000000); error 3")
      ->capture_default_str();
  sub->add_flag("--once", a->once, "Exit after the first completed upload and print its path as the last line of stdout");
  sub->add_flag("--read-only", a->read_only, "Serve downloads only (uploads refused with error 2)");
  sub->add_flag("--write-only", a->write_only, "Accept uploads only (downloads refused with error 2)");
  sub->add_option("--timeout-ms", a->timeout_ms,
                  "Retransmission interval when the client does not negotiate one (the timeout option)")
      ->capture_default_str();
  sub->add_flag("--json", a->json, "With --once: print the upload's report as JSON on stdout");
  sub->callback([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
