// SPDX-License-Identifier: MIT
// `camdump restore tftp PORT IMAGE --server-ip IP`: write a verified image back to the flash
// through U-Boot, the data fetched by `tftpboot` from camdump's built-in TFTP server (read-only);
// dump/uboot_restore.hpp does the work. The backup goes by `dump tftp` (tftpput) where U-Boot has
// it, else by the UART md reader.
#include <arpa/inet.h>
#include <fmt/core.h>

#include "cli/groups.hpp"
#include "cli/restore_uboot_args.hpp"
#include "dump/restore_loader.hpp"
#include "dump/tftp_dump.hpp"

namespace camdump::cli {
namespace {

struct Args {
  RestoreUbootArgs r;
  std::string server_ip, camera_ip = "keep", netmask, listen;
};

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

void run(const Args& a, Context& ctx) {
  if (!is_ipv4(a.server_ip))
    fail(ErrorKind::Usage, fmt::format("--server-ip '{}' is not an IPv4 address", a.server_ip));
  dump::TftpLoaderOptions t;
  t.server_ip = a.server_ip;
  if (a.camera_ip != "keep") {
    if (!is_ipv4(a.camera_ip))
      fail(ErrorKind::Usage, fmt::format("--camera-ip '{}' is not an IPv4 address", a.camera_ip),
           "give an address on this PC's network for the camera, or 'keep' to use the ipaddr saved in its U-Boot");
    t.camera_ip = a.camera_ip;
  }
  if (!a.netmask.empty()) t.netmask = a.netmask;
  t.listen = a.listen.empty() ? a.server_ip + ":69" : a.listen;
  auto o = restore_uboot_options(a.r, ctx);
  o.make_backup = [t, st = o.staging, fs = o.flash_size, &ctx](uboot::UbootSession& s,
                                                               const std::filesystem::path& out) {
    if (!s.has_command("tftpput")) {
      s.reporter().log(LogLevel::Info, "this U-Boot has no tftpput: the backup is read over the console (md)");
      backup_by_md(s, out, st, fs);
      return;
    }
    dump::TftpDumpOptions d;
    d.out = out;
    d.server_ip = t.server_ip;
    d.camera_ip = t.camera_ip;
    d.netmask = t.netmask;
    d.listen = t.listen;
    d.staging.buffer = st.buffer;
    d.staging.mapped = st.mapped;
    d.flash_size = fs;
    d.chunk = 1 << 20;
    dump::dump_tftp(s, d, s.reporter(), ctx.cancel);
  };
  dump::TftpbootLoader loader(t, ctx.cancel);
  run_restore_uboot(a.r, o, loader, ctx);
}

}  // namespace

void register_restore_tftp(Command app, Context& ctx) {
  auto a = std::make_shared<Args>();
  a->r.command = "restore tftp";
  Command c = restore_group(app).subcommand(
      "tftp",
      "Write IMAGE (a verified dump) to the flash through U-Boot: compares by device crc32, fetches only the "
      "erase units that differ with tftpboot from the built-in TFTP server, sf erase + sf write, checks each "
      "by sf read + crc32 (boot region last), backs the flash up first");
  add_restore_uboot_options(c, a->r);
  c.option("--server-ip", a->server_ip, "This PC's IPv4 address as the camera reaches it (setenv serverip)").required();
  c.option("--camera-ip", a->camera_ip,
           "IPv4 address for the camera (setenv ipaddr; never saved), or 'keep' (default) for the ipaddr in its "
           "U-Boot environment");
  c.option("--netmask", a->netmask, "Netmask for the camera (setenv netmask; never saved)");
  c.option("--listen", a->listen,
           "Where the built-in TFTP server listens, ADDR[:PORT] (default: --server-ip, port 69; another port "
           "needs a U-Boot with tftpdstp, CONFIG_TFTP_PORT)");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
