// SPDX-License-Identifier: MIT
// Test support: QEMU command lines for Debian's u-boot-qemu and a launcher for TCP/pty consoles.
#include "support/qemu.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

namespace camdump::test {
namespace {

constexpr const char* kArmBios = "/usr/lib/u-boot/qemu_arm/u-boot.bin";
constexpr const char* kMaltaBios = "/usr/lib/u-boot/maltael/u-boot.bin";
constexpr uint64_t kArmPflashSize = 64ull << 20;   // QEMU virt requires exactly 64 MiB per bank
constexpr uint64_t kMaltaPflashSize = 4ull << 20;  // Malta boot flash

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// Copies `src` to `dst`, optionally swapping the bytes of every 32-bit word (little-endian Malta
// U-Boot under QEMU: U-Boot doc qemu-mips.rst, tools/endian-swap.py), padded with 0xff to `size`.
void make_flash(const std::string& src, const std::filesystem::path& dst, uint64_t size, bool swap) {
  std::string data = read_file(src);
  if (data.empty()) throw std::runtime_error("cannot read " + src);
  if (data.size() > size) throw std::runtime_error(src + " is larger than the flash bank");
  if (swap) {
    data.resize((data.size() + 3) & ~size_t{3}, '\xff');
    for (size_t i = 0; i < data.size(); i += 4) {
      std::swap(data[i], data[i + 3]);
      std::swap(data[i + 1], data[i + 2]);
    }
  }
  data.resize(size, '\xff');
  write_file(dst, data);
}

// Sabrelite / Ast2500 (docs/reference/qemu-boards.md): U-Boot from scripts/build-uboot-qemu, the
// flash images as mtd drives, the on-board NIC on user-mode networking.
std::vector<std::string> sf_board_argv(const QemuConfig& cfg, const std::vector<std::string>& console) {
  if (cfg.bios.empty()) throw std::runtime_error("Sabrelite/Ast2500 need cfg.bios (scripts/build-uboot-qemu)");
  std::vector<std::string> a;
  if (cfg.board == Board::Sabrelite) {
    a = {"qemu-system-arm", "-M", "sabrelite", "-smp", "1", "-m", "1G", "-kernel", cfg.bios};
    a.insert(a.end(), {"-serial", "null"});  // the console is the second UART
  } else {
    a = {"qemu-system-arm", "-M", "ast2500-evb"};  // boots u-boot.bin from the first mtd image
  }
  a.insert(a.end(), {"-display", "none", "-monitor", "none"});
  for (const auto& img : cfg.mtd_images) a.insert(a.end(), {"-drive", "if=mtd,format=raw,file=" + img});
  if (cfg.user_net) a.insert(a.end(), {"-nic", cfg.net_options.empty() ? "user" : "user," + cfg.net_options});
  else a.insert(a.end(), {"-nic", "none"});
  a.insert(a.end(), console.begin(), console.end());
  a.insert(a.end(), cfg.extra_args.begin(), cfg.extra_args.end());
  return a;
}

}  // namespace

std::string cached_uboot(const std::string& board) {
  std::string env = "CAMDUMP_UBOOT_";
  for (char c : board) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* e = std::getenv(env.c_str()); e && std::filesystem::exists(e)) return e;
  std::filesystem::path cache;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) cache = x;
  else if (const char* h = std::getenv("HOME")) cache = std::filesystem::path(h) / ".cache";
  // Names as scripts/build-uboot-qemu writes them; the newest build wins.
  std::filesystem::path best;
  std::filesystem::file_time_type best_time{};
  std::error_code ec;
  for (auto& f : std::filesystem::directory_iterator(cache / "camdump", ec)) {
    const std::string name = f.path().filename().string();
    std::filesystem::path p;
    if (board == "qemu_arm" && name.rfind("u-boot-qemu_arm-", 0) == 0 && name.find("tftpput") != std::string::npos)
      p = f.path();
    else if (board == "sabrelite" && name.rfind("u-boot-sabrelite-", 0) == 0) p = f.path() / "u-boot";
    else if (board == "ast2500" && name.rfind("u-boot-ast2500-", 0) == 0) p = f.path() / "u-boot.bin";
    if (p.empty() || !std::filesystem::is_regular_file(p, ec)) continue;
    auto t = std::filesystem::last_write_time(p, ec);
    if (best.empty() || t > best_time) best = p, best_time = t;
  }
  return best.string();
}

bool qemu_available(Board board) {
  if (board == Board::Sabrelite || board == Board::Ast2500) return ::access("/usr/bin/qemu-system-arm", X_OK) == 0;
  if (board == Board::QemuArm) return ::access(kArmBios, R_OK) == 0 && ::access("/usr/bin/qemu-system-arm", X_OK) == 0;
  return ::access(kMaltaBios, R_OK) == 0 && ::access("/usr/bin/qemu-system-mipsel", X_OK) == 0;
}

std::vector<std::string> console_stdio_args() {
  return {"-chardev", "stdio,id=c0,signal=off", "-serial", "chardev:c0"};
}

std::vector<std::string> console_tcp_args(uint16_t port, const std::string& logfile) {
  std::string spec = "socket,id=c0,host=127.0.0.1,port=" + std::to_string(port) + ",server=on,wait=on";
  if (!logfile.empty()) spec += ",logfile=" + logfile;
  return {"-chardev", spec, "-serial", "chardev:c0"};
}

std::vector<std::string> console_pty_args() { return {"-serial", "pty"}; }

std::vector<std::string> qemu_argv(const QemuConfig& cfg, const std::vector<std::string>& console,
                                   const std::filesystem::path& work_dir) {
  std::vector<std::string> a;
  if (cfg.board == Board::Sabrelite || cfg.board == Board::Ast2500) return sf_board_argv(cfg, console);
  bool arm = cfg.board == Board::QemuArm;
  if (arm) {
    a = {"qemu-system-arm",
         "-M",
         "virt",
         "-cpu",
         "cortex-a15",
         "-m",
         "512",
         "-bios",
         cfg.bios.empty() ? kArmBios : cfg.bios};
  } else {
    auto flash = work_dir / "malta-pflash.bin";
    make_flash(cfg.bios.empty() ? kMaltaBios : cfg.bios, flash, kMaltaPflashSize, true);
    // -vga none: Malta's default Cirrus VGA needs vgabios-cirrus.bin, which may not be installed.
    a = {"qemu-system-mipsel",
         "-M",
         "malta",
         "-cpu",
         "24Kc",
         "-m",
         "256",
         "-vga",
         "none",
         "-drive",
         "if=pflash,format=raw,file=" + flash.string()};
  }
  a.insert(a.end(), {"-display", "none", "-monitor", "none"});
  if (cfg.user_net) {
    std::string nd = "user,id=n0";
    if (!cfg.net_options.empty()) nd += "," + cfg.net_options;
    a.insert(a.end(), {"-netdev", nd, "-device", arm ? "virtio-net-device,netdev=n0" : "pcnet,netdev=n0"});
  } else {
    a.insert(a.end(), {"-nic", "none"});
  }
  if (!cfg.ram_image.empty()) {
    uint64_t addr = cfg.ram_addr.value_or(arm ? 0x42000000 : 0x02000000);
    a.insert(a.end(), {"-device", "loader,file=" + cfg.ram_image + ",addr=" + hex(addr) + ",force-raw=on"});
  }
  if (!cfg.pflash_image.empty()) {
    if (!arm) throw std::runtime_error("pflash_image: only the QemuArm board has a free flash bank");
    auto flash = work_dir / "pflash1.bin";
    make_flash(cfg.pflash_image, flash, kArmPflashSize, false);
    a.insert(a.end(), {"-drive", "if=pflash,unit=1,format=raw,readonly=on,file=" + flash.string()});
  }
  if (!cfg.sd_image.empty()) {
    if (!arm)
      throw std::runtime_error("sd_image: Malta U-Boot detects no disk (docs/reference/qemu-test-cameras.md#malta)");
    a.insert(a.end(), {"-drive", "if=none,id=sdcard,format=raw,file=" + cfg.sd_image, "-device",
                       "virtio-blk-device,drive=sdcard"});
  }
  a.insert(a.end(), console.begin(), console.end());
  a.insert(a.end(), cfg.extra_args.begin(), cfg.extra_args.end());
  return a;
}

std::string shell_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-+=/.,:@%") == std::string::npos)
    return word;
  std::string q = "'";
  for (char c : word) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

std::string exec_port(const std::vector<std::string>& argv) {
  std::string s = "exec:";
  for (size_t i = 0; i < argv.size(); ++i) s += (i ? " " : "") + shell_quote(argv[i]);
  return s;
}

std::string qemu_exec_port(const QemuConfig& cfg, const std::filesystem::path& work_dir) {
  return exec_port(qemu_argv(cfg, console_stdio_args(), work_dir));
}

Qemu Qemu::start_stdio(const QemuConfig& cfg) {
  Qemu q;
  auto argv = qemu_argv(cfg, console_stdio_args(), q.dir_->path());
  q.proc_ = Process::spawn(
      argv, {.pipe_stdin = true, .pipe_stdout = true, .stderr_file = (q.dir_->path() / "qemu.err").string()});
  return q;
}

Qemu Qemu::start_tcp(const QemuConfig& cfg, std::string logfile) {
  Qemu q;
  q.port_ = free_tcp_port();
  q.logfile_ = logfile.empty() ? (q.dir_->path() / "console.log").string() : std::move(logfile);
  auto argv = qemu_argv(cfg, console_tcp_args(q.port_, q.logfile_), q.dir_->path());
  q.proc_ = Process::spawn(argv, {.stdout_file = (q.dir_->path() / "qemu.out").string(),
                                  .stderr_file = (q.dir_->path() / "qemu.err").string()});
  if (!wait_tcp_listening(q.port_, 10000ms)) {
    std::string out = q.qemu_output();
    q.stop();
    throw std::runtime_error("QEMU did not listen on 127.0.0.1:" + std::to_string(q.port_) + ": " + out);
  }
  return q;
}

Qemu Qemu::start_pty(const QemuConfig& cfg) {
  Qemu q;
  auto argv = qemu_argv(cfg, console_pty_args(), q.dir_->path());
  q.proc_ = Process::spawn(argv, {.stdout_file = (q.dir_->path() / "qemu.out").string(),
                                  .stderr_file = (q.dir_->path() / "qemu.err").string()});
  // QEMU prints "char device redirected to /dev/pts/N (label serial0)" (on stderr in 7.2).
  static const std::regex re("char device redirected to (/dev/pts/[0-9]+)");
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string out = q.qemu_output();
    if (std::regex_search(out, m, re)) {
      q.pty_path_ = m[1];
      return q;
    }
    if (!q.proc_.running()) break;
    std::this_thread::sleep_for(5ms);
  }
  std::string out = q.qemu_output();
  q.stop();
  throw std::runtime_error("QEMU printed no pty path: " + out);
}

std::string Qemu::qemu_output() const {
  return read_file(dir_->path() / "qemu.out") + read_file(dir_->path() / "qemu.err");
}

}  // namespace camdump::test
