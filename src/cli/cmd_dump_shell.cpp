// SPDX-License-Identifier: MIT
// `camdump dump shell PORT -o OUT`: the Linux-shell route. Logs in, reads /proc/mtd, moves each
// partition over the console (base64 …), to camdump's TFTP server, or to the camera's SD card,
// verifies each against the camera's md5sum/sha256sum (or two reads), assembles the full image
// and writes the per-partition files next to it.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/context.hpp"
#include "cli/groups.hpp"
#include "cli/port.hpp"
#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/combine.hpp"
#include "dump/shell_dump.hpp"
#include "dump/shell_progress.hpp"
#include "image/inspect.hpp"
#include "shell/shell_session.hpp"
#include "dump/tftp_inbox.hpp"

namespace camdump::cli {
namespace {

struct ShellArgs {
  std::string port, out, user = "root", password, password_file, via = "console", server_ip, listen, sd_path, log,
      chunk = "64K";
  uint32_t baud = 115200;
  unsigned retries = 3;
  bool no_skip_blank = false, no_parts = false, resume = false, json = false, force = false;
};

std::filesystem::path part_file(const std::filesystem::path& out, const MtdPart& p) {
  auto stem = out.stem().string();
  auto name = fmt::format("{}.mtd{}-{}.bin", stem, p.index, p.name);
  return out.parent_path() / name;
}

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

void run(const ShellArgs& a, Context& ctx) {
  if (a.port == "sim" || a.port.rfind("sim:", 0) == 0)
    fail(ErrorKind::Usage, "the virtual camera (sim:) has a U-Boot console only, no Linux shell",
         "try the U-Boot routes on it: camdump dump uart sim: -o fw.bin (or dump tftp / dump sd)");
  shell::LoginOptions login = login_options(a);
  dump::ShellDumpOptions o;
  if (a.via == "console") o.via = dump::ShellVia::Console;
  else if (a.via == "tftp") o.via = dump::ShellVia::Tftp;
  else if (a.via == "sd") o.via = dump::ShellVia::Sd;
  else fail(ErrorKind::Usage, "--via must be console, tftp or sd");
  if (o.via != dump::ShellVia::Sd && a.out.empty()) fail(ErrorKind::Usage, "-o OUT is required (except with --via sd)");
  if (!a.out.empty()) check_output_path(a.out, {.force = a.force, .resume = a.resume});  // before the camera
  o.chunk = size_arg("--chunk", a.chunk);
  if (o.chunk < 4096 || o.chunk % 512) fail(ErrorKind::Usage, "--chunk must be a multiple of 512 and at least 4K");
  o.retries = a.retries;
  o.skip_blank = !a.no_skip_blank;
  o.sd_path = a.sd_path;

  std::unique_ptr<dump::TftpInbox> rx;
  if (o.via == dump::ShellVia::Tftp) {
    if (a.server_ip.empty()) fail(ErrorKind::Usage, "--via tftp needs --server-ip (this PC's address as the camera sees it)");
    rx = std::make_unique<dump::TftpInbox>(a.listen.empty() ? a.server_ip + ":69" : a.listen, ctx.reporter, ctx.cancel);
    o.server_ip = a.server_ip;
    o.server_port = rx->port();
    o.tftp_receive = [&rx](const std::string& name) { return rx->wait_for(name); };
  }

  if (a.resume && o.via == dump::ShellVia::Sd)
    fail(ErrorKind::Usage, "--resume applies to --via console and --via tftp (with --via sd the copies stay on the card)");
  // Verified chunks go to OUT-stem.mtdN-NAME.bin.part as they arrive, so that an interrupted run
  // can be resumed; the finished partition copies replace them.
  const std::filesystem::path out_dir =
      std::filesystem::path(a.out).parent_path().empty() ? "." : std::filesystem::path(a.out).parent_path();
  dump::ShellProgressFiles progress(
      [&](const MtdPart& p) { return part_path_for(out_dir / part_file(a.out, p).filename()); }, a.resume);
  if (o.via != dump::ShellVia::Sd) {
    o.on_verified = [&](const MtdPart& p, uint64_t off, std::span<const uint8_t> b) { progress.save(p, off, b); };
    if (a.resume) o.saved = [&](const MtdPart& p, uint64_t off, uint64_t len) { return progress.saved(p, off, len); };
  }

  auto t = open_cli_port(a.port, a.baud, a.log, ctx);
  shell::ShellSession sh(*t, ctx.reporter, ctx.cancel);
  sh.attach(login);
  dump::ShellDumper d(sh, ctx.reporter, ctx.cancel);
  dump::ShellDumpResult r;
  try {
    r = d.run(o);
  } catch (const Error& e) {
    if (progress.saved_bytes() == 0) throw;
    std::string files;
    for (const auto& f : progress.paths()) files += (files.empty() ? "" : ", ") + f.filename().string();
    throw Error(e.kind(),
                fmt::format("{}; {} verified this run kept in {}: run again with --resume to continue", e.what(),
                            format_size(progress.saved_bytes()), files),
                e.hint());
  }
  progress.close();

  nlohmann::json j;
  j["route"] = "shell";
  j["via"] = a.via;
  j["flash_size"] = r.flash_size;
  j["whole_chip_partition"] = r.whole_chip_used;
  j["blank_bytes_skipped"] = r.blank_bytes;
  j["rereads"] = r.retries;
  j["resumed_bytes"] = r.resumed_bytes;
  j["wire_bytes_received"] = t->rx_bytes();
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& c : r.copies)
    parts.push_back({{"mtd", c.part.index}, {"name", c.part.name}, {"offset", c.part.offset.value_or(0)},
                     {"size", c.part.size}, {"verified_by", c.hash_algo}, {"device_hash", c.device_hash},
                     {"card_file", c.card_file}});
  j["transferred"] = parts;

  if (o.via == dump::ShellVia::Sd) {
    // The data is on the card now; the user brings it to this PC.
    std::string files;
    for (const auto& c : r.copies) files += " " + std::filesystem::path(c.card_file).filename().string();
    if (a.json) {
      fmt::print("{}\n", j.dump(2));
      return;
    }
    fmt::print("Copied and verified on the camera ({}):\n", r.copies.front().hash_algo);
    for (const auto& c : r.copies)
      fmt::print("  {}  {} ({}, {})\n", c.device_hash, c.card_file, c.part.name, format_size(c.part.size));
    fmt::print("Now power the camera off, move the card to this PC, and from the card's folder run:\n");
    fmt::print("  md5sum{}   # must print the hashes above\n", files);
    if (r.copies.size() == 1)
      fmt::print("  cp{} fw.bin && camdump inspect fw.bin\n", files);
    else
      fmt::print("  camdump combine{} -o fw.bin && camdump inspect fw.bin\n", files);
    return;
  }

  std::vector<uint8_t> image = dump::assemble_image(r);
  const std::string sha = sha256_hex(image);
  const std::filesystem::path out = a.out;
  // The partition files first, each cut from the verified copies; then OUT is assembled from
  // them by the same code as `camdump combine`, which checks order, sizes and names against
  // /proc/mtd again and that a whole-chip copy agrees with every other part.
  std::filesystem::path dir = out.parent_path().empty() ? std::filesystem::path(".") : out.parent_path();
  std::string scratch;
  if (a.no_parts) {
    scratch = (std::filesystem::temp_directory_path() / "camdump-parts-XXXXXX").string();
    if (!::mkdtemp(scratch.data())) fail(ErrorKind::Io, "cannot create a temporary directory for the partition files");
    dir = scratch;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& p : r.layout.parts) {
    uint64_t off = p.offset.value_or(0);
    if (off + p.size > image.size()) continue;
    files.push_back(dir / part_file(out, p).filename());
    write_file_atomic(files.back(), std::span<const uint8_t>(image).subspan(off, p.size));
  }
  {
    auto plan = dump::plan_combine(files, &r.layout);
    AtomicFile f(out);
    auto cr = dump::run_combine(plan, f);
    if (cr.size != image.size() || cr.sha256 != sha)
      fail(ErrorKind::VerifyMismatch, "the combined image differs from the verified partitions");
    f.commit();
  }
  if (!scratch.empty()) {
    std::filesystem::remove_all(scratch);
    progress.remove_all();  // with --no-parts no partition copy replaced them
  }
  j["output"] = out.string();
  j["sha256"] = sha;
  j["crc32"] = crc_hex(crc32(image));
  auto report = image::inspect(image);
  j["inspect"] = image::short_summary(report);
  if (a.json) {
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("{}\n", image::short_summary(report));
  fmt::print("partitions: {} transferred{}, {} blank skipped, {}{} re-reads, {} received on the wire ({:.2f} per "
             "flash byte)\n",
             r.copies.size(), r.whole_chip_used ? " (whole-chip partition)" : "", format_size(r.blank_bytes),
             r.resumed_bytes ? format_size(r.resumed_bytes) + " resumed, " : "", r.retries, format_size(t->rx_bytes()),
             double(t->rx_bytes()) / double(image.size() ? image.size() : 1));
  fmt::print("wrote {} ({}), sha256 {}\n", out.string(), format_size(image.size()), sha);
}

}  // namespace

void register_dump_shell(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<ShellArgs>();
  CLI::App* c = dump_group(app).add_subcommand(
      "shell", "Dump through the camera's Linux shell: each /dev/mtdN, verified by the camera's md5sum");
  c->add_option("PORT", a->port, "Console or telnet: /dev/ttyUSB0, auto, tcp:H:P, rfc2217:H:P, telnet:H[:P], exec:CMD (the virtual camera "
                "sim: has only a U-Boot console, no Linux shell)")
      ->required();
  c->add_option("-o,--output", a->out, "Full image file (OUT.part until verified); parts go to OUT-stem.mtdN-NAME.bin");
  c->add_option("--user", a->user, "Login name when a login prompt appears")->capture_default_str();
  c->add_option("--password-file", a->password_file,
                "File whose first line is the password, sent when a password prompt appears (or set "
                "CAMDUMP_PASSWORD; otherwise camdump asks on the terminal). Never written to --log");
  c->add_option("--password", a->password, "Refused: a password in argv is visible to every user; use the above")
      ->group("");
  c->add_option("--via", a->via, "How data leaves the camera: console (base64 over the console), tftp (busybox tftp -p "
                                 "to camdump's server), sd (copy to the camera's mounted SD card)")
      ->check(CLI::IsMember({"console", "tftp", "sd"}))
      ->capture_default_str();
  c->add_option("--server-ip", a->server_ip, "--via tftp: this PC's address as the camera reaches it");
  c->add_option("--listen", a->listen, "--via tftp: where the built-in TFTP server listens (ADDR[:PORT], default: --server-ip, port 69)");
  c->add_option("--sd-path", a->sd_path, "--via sd: the card's mount point on the camera (default: found in /proc/mounts)");
  c->add_option("--chunk", a->chunk, "Console transfer and verification unit")->capture_default_str();
  c->add_option("--retries", a->retries, "Re-reads of a chunk whose hash disagrees")->capture_default_str();
  c->add_flag("--no-skip-blank", a->no_skip_blank, "Transfer blank (all 0xff) chunks too");
  c->add_flag("--no-parts", a->no_parts, "Do not keep the per-partition files");
  c->add_flag("--force", a->force, "Replace an existing OUT (otherwise refused, naming its size and date)");
  c->add_flag("--resume", a->resume,
              "Continue an interrupted dump: take the chunks kept in OUT-stem.mtdN-NAME.bin.part where the "
              "camera's md5sum/sha256sum of them agrees, transfer the rest");
  c->add_option("--baud", a->baud, "Serial line rate")->capture_default_str();
  c->add_option("--log", a->log, "Write the full console transcript to this file");
  c->add_flag("--json", a->json, "Print the result as JSON on stdout");
  c->callback([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
