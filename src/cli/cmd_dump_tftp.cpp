// SPDX-License-Identifier: MIT
// `camdump dump tftp PORT -o OUT --server-ip IP`: the U-Boot + TFTP route (issue 4). Drives the
// console (same PORT forms and staging options as `dump uart`), makes U-Boot `tftpput` the flash to
// camdump's built-in TFTP server, and keeps the file only when every chunk's CRC32 equals the
// device's `crc32` (dump/tftp_dump.hpp).
#include <fmt/core.h>

#include <arpa/inet.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/groups.hpp"
#include "cli/inspect_summary.hpp"
#include "cli/json.hpp"
#include "cli/option_groups.hpp"
#include "cli/uart_options.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/tftp_dump.hpp"
#include "tftp/packet.hpp"
#include "tftp/udp.hpp"

namespace camdump::cli {
namespace {

struct TftpArgs {
  ConsoleArgs console;
  OutputArgs output;
  RangeArgs range;
  std::string server_ip, camera_ip, netmask, listen;
  uint64_t chunk = 16ull << 20;
  uint32_t retries = 2;
};

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

// Everything that can be checked here is checked before the camera is touched (attaching stops
// its autoboot): the addresses, and that the TFTP port can be bound (69 needs privileges).
void network_options(const TftpArgs& a, dump::TftpDumpOptions& o) {
  o.server_ip = a.server_ip;
  if (!is_ipv4(a.server_ip))
    fail(ErrorKind::Usage, fmt::format("--server-ip '{}' is not an IPv4 address", a.server_ip));
  if (a.camera_ip != "keep") {
    if (!is_ipv4(a.camera_ip))
      fail(ErrorKind::Usage, fmt::format("--camera-ip '{}' is not an IPv4 address", a.camera_ip),
           "give an address on this PC's network for the camera, or 'keep' to use the ipaddr saved in its U-Boot");
    o.camera_ip = a.camera_ip;
  }
  // The server listens only on the address the camera sends to (--server-ip, this PC's address on
  // the camera's network), not on every interface, unless --listen says otherwise.
  const std::string listen = a.listen.empty() ? a.server_ip + ":69" : a.listen;
  if (auto at = tftp::parse_endpoint(listen, tftp::kWellKnownPort)) {
    try {
      tftp::UdpSocket::bind(*at);  // throws the privilege/in-use error now; closed again at once
    } catch (const Error& e) {
      if (!a.listen.empty()) throw;
      fail(e.kind(), e.what(),
           fmt::format("--server-ip {} must be an address of this PC on the camera's network (ip -4 addr); "
                       "or give --listen ADDR[:PORT]",
                       a.server_ip));
    }
  } else {
    fail(ErrorKind::Usage, fmt::format("--listen '{}' is not ADDR[:PORT]", a.listen));
  }
  if (!a.netmask.empty()) o.netmask = a.netmask;
  o.listen = listen;
}

void run(const TftpArgs& a, Context& ctx) {
  check_output_path(a.output.out, a.output.check());  // before the camera is touched
  dump::TftpDumpOptions o;
  o.out = a.output.out;
  network_options(a, o);
  apply_console_args(a.console, o.staging, o.flash_size);
  o.offset = a.range.offset.value_or(0);
  o.length = a.range.length;
  o.chunk = a.chunk;
  if (o.chunk < 4096) fail(ErrorKind::Usage, "--chunk must be at least 4K");
  o.retries = a.retries;
  o.resume = a.output.resume;
  SerializedReporter rep(ctx.reporter);  // the TFTP server reports from its own thread
  Console con = open_console(a.console, ctx, rep);
  auto r = dump::dump_tftp(*con.session, o, rep, ctx.cancel);
  if (a.output.json) {
    nlohmann::json j = route_json({.command = "dump tftp",
                                   .route = "tftp",
                                   .output = r.out.string(),
                                   .offset = r.offset,
                                   .length = r.length,
                                   .flash_size = r.flash_size,
                                   .verified_by = "device crc32 of every chunk",
                                   .crc32 = r.crc32,
                                   .sha256 = r.sha256,
                                   .seconds = r.seconds},
                                  uboot_device_json(r.device));
    j["chunks"] = r.chunks;
    j["chunk"] = r.chunk;
    j["retries"] = r.retries;
    j["resumed_bytes"] = r.resumed_bytes;
    j["resets"] = r.resets;
    j["inspect"] = dump_inspect_summary(r.out, r.offset);
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("device:   {} (prompt '{}')\n", r.device.version.empty() ? "U-Boot" : r.device.version, r.device.prompt);
  fmt::print("flash:    {} (dumped 0x{:x} + 0x{:x})\n", format_size(r.flash_size), r.offset, r.length);
  fmt::print("tftpput:  {} chunk(s) of {}, {} re-upload(s), {:.1f} s ({:.1f} MiB/s)\n", r.chunks, format_size(r.chunk),
             r.retries, r.seconds, r.seconds > 0 ? double(r.length) / r.seconds / (1 << 20) : 0.0);
  if (r.resumed_bytes || r.resets)
    fmt::print("resumed:  {} from OUT.part; {} camera reset(s) survived\n", format_size(r.resumed_bytes), r.resets);
  fmt::print("crc32:    {} (every chunk: device == file)\n", crc_hex(r.crc32));
  fmt::print("sha256:   {}\n", r.sha256);
  fmt::print("wrote {} ({}, verified)\n", r.out.string(), format_size(r.length));
  if (auto s = dump_inspect_summary(r.out, r.offset); !s.empty()) fmt::print("{}\n", s);
}

}  // namespace

void register_dump_tftp(Command app, Context& ctx) {
  auto a = std::make_shared<TftpArgs>();
  Command c = add_command(
      dump_group(app), "tftp",
      "Dump the flash with U-Boot's tftpput to camdump's built-in TFTP server; each chunk is accepted only when "
      "its CRC32 equals the device's crc32 (needs a U-Boot with tftpput; stock Ingenic builds lack it: use uart or "
      "sd)");
  add_console_options(c, a->console, {.port = kConsolePortHelp});
  add_output_options(c, a->output,
                     {.resume = "Continue from OUT.part and OUT.part.state (saved chunks are re-checked by the "
                                "device's crc32)"});
  c.option("--server-ip", a->server_ip, "This PC's IPv4 address as the camera reaches it (setenv serverip)").required();
  c.option("--camera-ip", a->camera_ip,
           "IPv4 address for the camera (setenv ipaddr; never saved), or 'keep' for the ipaddr already in its "
           "U-Boot environment")
      .required();
  c.option("--netmask", a->netmask, "Netmask for the camera (setenv netmask; never saved)");
  c.option("--listen", a->listen,
           "Where the built-in TFTP server listens, ADDR[:PORT] (default: --server-ip, port 69; port 69 needs root or "
           "cap_net_bind_service; another port needs a U-Boot with tftpdstp, CONFIG_TFTP_PORT)");
  add_range_options(c, a->range);
  c.size("--chunk", a->chunk,
         "Bytes per staged tftpput (default 16M); made smaller, with a warning, when buffer + chunk would "
         "reach U-Boot's reserved area (learned from the boot log, bdinfo or the SoC)");
  c.option("--retries", a->retries, "Re-uploads of a chunk whose CRC32 does not match (default 2)");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
