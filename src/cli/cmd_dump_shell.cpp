// SPDX-License-Identifier: MIT
// `camdump dump shell PORT -o OUT`: the Linux-shell route. Logs in, reads /proc/mtd, moves each
// partition over the console (base64 …), to camdump's TFTP server, or to the camera's SD card,
// verifies each against the camera's md5sum/sha256sum (or two reads), assembles the full image
// and writes the per-partition files next to it (dump/shell_route.hpp does the work; this file
// parses the options, logs in and prints).
#include <fmt/core.h>

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/groups.hpp"
#include "cli/json.hpp"
#include "cli/option_groups.hpp"
#include "cli/port.hpp"
#include "core/file_util.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/shell_route.hpp"
#include "shell/shell_session.hpp"

namespace camdump::cli {
namespace {

struct ShellArgs {
  std::string port, user = "root", password, password_file, via = "console", server_ip, listen, sd_path, log;
  OutputArgs output;
  uint64_t chunk = 64 << 10;
  uint32_t baud = 115200, retries = 3;
  bool no_skip_blank = false, no_parts = false;
};

// The login password never travels in argv (every user sees it in ps): CAMDUMP_PASSWORD, the first
// line of --password-file, or a prompt on the terminal when the camera asks for one.
std::string read_password_file(const std::string& path) {
  auto bytes = read_file(path, 4096);
  std::string pw(bytes.begin(), bytes.end());
  pw = pw.substr(0, pw.find('\n'));
  if (!pw.empty() && pw.back() == '\r') pw.pop_back();
  return pw;
}

std::string prompt_password(const ShellArgs& a) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0 || !::isatty(0))
    fail(ErrorKind::Usage, "the camera asks for a password and there is no terminal to ask on",
         "set CAMDUMP_PASSWORD or pass --password-file FILE");
  termios old{};
  ::tcgetattr(fd, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  const std::string q = fmt::format("Password for {} on {}: ", a.user, a.port);
  [[maybe_unused]] auto w = ::write(fd, q.data(), q.size());
  ::tcsetattr(fd, TCSAFLUSH, &quiet);
  std::string pw;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r') pw.push_back(c);
  ::tcsetattr(fd, TCSAFLUSH, &old);
  w = ::write(fd, "\n", 1);
  ::close(fd);
  return pw;
}

shell::LoginOptions login_options(const ShellArgs& a) {
  if (!a.password.empty())
    fail(ErrorKind::Usage, "--password on the command line is visible to every user (ps, shell history)",
         "set CAMDUMP_PASSWORD, pass --password-file FILE, or let camdump ask on the terminal");
  shell::LoginOptions lo{.user = a.user};
  if (const char* env = std::getenv("CAMDUMP_PASSWORD")) lo.password = env;
  else if (!a.password_file.empty()) lo.password = read_password_file(a.password_file);
  else lo.ask_password = [&a] { return prompt_password(a); };
  return lo;
}

dump::ShellRouteOptions route_options(const ShellArgs& a) {
  dump::ShellRouteOptions o;
  o.dump.via = a.via == "tftp" ? dump::ShellVia::Tftp : a.via == "sd" ? dump::ShellVia::Sd : dump::ShellVia::Console;
  o.dump.chunk = a.chunk;
  if (a.chunk < 4096 || a.chunk % 512) fail(ErrorKind::Usage, "--chunk must be a multiple of 512 and at least 4K");
  o.dump.retries = a.retries;
  o.dump.skip_blank = !a.no_skip_blank;
  o.dump.sd_path = a.sd_path;
  o.out = a.output.out;
  o.keep_parts = !a.no_parts;
  o.resume = a.output.resume;
  o.server_ip = a.server_ip;
  o.listen = a.listen;
  return o;
}

nlohmann::json to_json(const ShellArgs& a, const dump::ShellRouteResult& r, uint64_t rx_bytes) {
  const auto& d = r.dump;
  nlohmann::json j = route_json({.command = "dump shell",
                                 .route = "shell",
                                 .output = r.out.string(),
                                 .length = r.size,
                                 .flash_size = d.flash_size,
                                 .verified_by = d.copies.empty() ? "" : "camera's " + d.copies.front().hash_algo,
                                 .crc32 = r.out.empty() ? std::nullopt : std::optional<uint32_t>(r.crc32),
                                 .sha256 = r.sha256,
                                 .seconds = r.seconds},
                                {{"kind", "linux-shell"}, {"port", a.port}, {"via", a.via}});
  j["via"] = a.via;
  j["whole_chip_partition"] = d.whole_chip_used;
  j["blank_bytes_skipped"] = d.blank_bytes;
  j["rereads"] = d.retries;
  j["resumed_bytes"] = d.resumed_bytes;
  j["wire_bytes_received"] = rx_bytes;
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& c : d.copies)
    parts.push_back({{"mtd", c.part.index},
                     {"name", c.part.name},
                     {"offset", c.part.offset.value_or(0)},
                     {"size", c.part.size},
                     {"verified_by", c.hash_algo},
                     {"device_hash", c.device_hash},
                     {"card_file", c.card_file}});
  j["transferred"] = parts;
  if (!r.out.empty()) j["inspect"] = r.inspect_summary;
  return j;
}

// --via sd: the data is on the card now; the user brings it to this PC.
void print_card_steps(const dump::ShellDumpResult& r) {
  std::string files;
  for (const auto& c : r.copies) files += " " + std::filesystem::path(c.card_file).filename().string();
  fmt::print("Copied and verified on the camera ({}):\n", r.copies.front().hash_algo);
  for (const auto& c : r.copies)
    fmt::print("  {}  {} ({}, {})\n", c.device_hash, c.card_file, c.part.name, format_size(c.part.size));
  fmt::print("Now power the camera off, move the card to this PC, and from the card's folder run:\n");
  fmt::print("  md5sum{}   # must print the hashes above\n", files);
  if (r.copies.size() == 1) fmt::print("  cp{} fw.bin && camdump inspect fw.bin\n", files);
  else fmt::print("  camdump combine{} -o fw.bin && camdump inspect fw.bin\n", files);
}

void print_summary(const dump::ShellRouteResult& r, uint64_t rx_bytes) {
  const auto& d = r.dump;
  fmt::print("{}\n", r.inspect_summary);
  fmt::print(
      "partitions: {} transferred{}, {} blank skipped, {}{} re-reads, {} received on the wire ({:.2f} per "
      "flash byte)\n",
      d.copies.size(), d.whole_chip_used ? " (whole-chip partition)" : "", format_size(d.blank_bytes),
      d.resumed_bytes ? format_size(d.resumed_bytes) + " resumed, " : "", d.retries, format_size(rx_bytes),
      double(rx_bytes) / double(r.size ? r.size : 1));
  fmt::print("wrote {} ({}), sha256 {}\n", r.out.string(), format_size(r.size), r.sha256);
}

void run(const ShellArgs& a, Context& ctx) {
  if (a.port == "sim" || a.port.rfind("sim:", 0) == 0)
    fail(ErrorKind::Usage, "the virtual camera (sim:) has a U-Boot console only, no Linux shell",
         "try the U-Boot routes on it: camdump dump uart sim: -o fw.bin (or dump tftp / dump sd)");
  shell::LoginOptions login = login_options(a);
  const dump::ShellRouteOptions o = route_options(a);
  dump::check_shell_route(o);  // before the camera is touched
  if (!a.output.out.empty()) check_output_path(a.output.out, a.output.check());
  auto t = open_cli_port(a.port, a.baud, a.log, ctx);
  shell::ShellSession sh(*t, ctx.reporter, ctx.cancel);
  sh.attach(login);
  const dump::ShellRouteResult r = dump::run_shell_route(sh, o, ctx.reporter, ctx.cancel);
  if (a.output.json) fmt::print("{}\n", to_json(a, r, t->rx_bytes()).dump(2));
  else if (o.dump.via == dump::ShellVia::Sd) print_card_steps(r.dump);
  else print_summary(r, t->rx_bytes());
}

}  // namespace

void register_dump_shell(Command app, Context& ctx) {
  auto a = std::make_shared<ShellArgs>();
  Command c = add_command(dump_group(app), "shell",
                          "Dump through the camera's Linux shell: each /dev/mtdN, verified by the camera's md5sum");
  c.option("PORT", a->port,
           "Console or telnet: /dev/ttyUSB0, auto, tcp:H:P, rfc2217:H:P, telnet:H[:P], exec:CMD (the virtual camera "
           "sim: has only a U-Boot console, no Linux shell)")
      .required();
  add_output_options(c, a->output,
                     {.out = "Full image file (OUT.part until verified); parts go to OUT-stem.mtdN-NAME.bin",
                      .required = false,
                      .resume = "Continue an interrupted dump: take the chunks kept in OUT-stem.mtdN-NAME.bin.part "
                                "where the camera's md5sum/sha256sum of them agrees, transfer the rest",
                      .json = "Print the result as JSON on stdout"});
  c.option("--user", a->user, "Login name when a login prompt appears").show_default();
  c.option("--password-file", a->password_file,
           "File whose first line is the password, sent when a password prompt appears (or set "
           "CAMDUMP_PASSWORD; otherwise camdump asks on the terminal). Never written to --log");
  c.option("--password", a->password, "Refused: a password in argv is visible to every user; use the above").hidden();
  c.option("--via", a->via,
           "How data leaves the camera: console (base64 over the console), tftp (busybox tftp -p "
           "to camdump's server), sd (copy to the camera's mounted SD card)")
      .choices({"console", "tftp", "sd"})
      .show_default();
  c.option("--server-ip", a->server_ip, "--via tftp: this PC's address as the camera reaches it");
  c.option("--listen", a->listen,
           "--via tftp: where the built-in TFTP server listens (ADDR[:PORT], default: --server-ip, port 69)");
  c.option("--sd-path", a->sd_path, "--via sd: the card's mount point on the camera (default: found in /proc/mounts)");
  c.size("--chunk", a->chunk, "Console transfer and verification unit (default 64K)");
  c.option("--retries", a->retries, "Re-reads of a chunk whose hash disagrees").show_default();
  c.flag("--no-skip-blank", a->no_skip_blank, "Transfer blank (all 0xff) chunks too");
  c.flag("--no-parts", a->no_parts, "Do not keep the per-partition files");
  c.option("--baud", a->baud, "Serial line rate").show_default();
  c.option("--log", a->log, "Write the full console transcript to this file");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
