// SPDX-License-Identifier: MIT
// Test support: Debian's u-boot-qemu under QEMU as a virtual camera (facts:
// docs/reference/qemu-test-cameras.md). Two boards:
//   QemuArm: qemu-system-arm -M virt -cpu cortex-a15 -m 512 -bios /usr/lib/u-boot/qemu_arm/u-boot.bin
//            (PL011 console, prompt "=> ", 2-s autoboot countdown stopped by any key);
//            image in RAM at 0x42000000 and/or in pflash bank 1 (seen at 0x04000000), virtio disk, user net.
//   MaltaEl: qemu-system-mipsel -M malta -cpu 24Kc -m 256, word-swapped maltael u-boot.bin padded to
//            4 MiB in pflash (NS16550 console, prompt "maltael # ", no countdown); image in RAM at
//            physical 0x02000000 (U-Boot sees it at 0x82000000 / 0xa2000000).
// and two boards with a real SPI NOR that U-Boot's `sf` drives (docs/reference/qemu-boards.md;
// their U-Boot comes from scripts/build-uboot-qemu, see cached_uboot()):
//   Sabrelite: qemu-system-arm -M sabrelite -smp 1 -m 1G -kernel <ELF u-boot>, console on the second
//            UART, mtd_images[0] = the 2 MiB SST chip (written back by QEMU: pass a copy).
//   Ast2500: qemu-system-arm -M ast2500-evb, mtd_images[0] = 32 MiB boot flash with u-boot.bin at 0
//            (`sf probe 0:0`), mtd_images[1] = the second chip (`sf probe 1:0`; blank if not given).
// Three console forms:
//   (a) stdio: exec_port(qemu_argv(cfg, console_stdio_args())) is an "exec:..." PORT for camdump;
//       stdio uses signal=off so a Ctrl-C byte reaches U-Boot instead of killing QEMU.
//   (b) TCP socket chardev on 127.0.0.1 (server, wait=on: the guest starts only when the client
//       connects, so the full boot log is seen; logfile records every byte the guest printed):
//       auto q = Qemu::start_tcp(cfg);  open_port(q.port_spec()) ...
//   (c) -serial pty: auto q = Qemu::start_pty(cfg); q.pty_path(). QEMU drops output while nobody has
//       the pty open, so the boot log may be partly lost; the U-Boot prompt is still reachable.
// The network is user-mode only (slirp); keep serverip at 10.0.2.2.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace camdump::test {

enum class Board { QemuArm, MaltaEl, Sabrelite, Ast2500 };

struct QemuConfig {
  Board board = Board::QemuArm;
  std::string bios;                     ///< alternative u-boot.bin (e.g. a rebuilt one); empty = Debian's
  std::string ram_image;                ///< file loaded into RAM with -device loader (force-raw=on)
  std::optional<uint64_t> ram_addr;     ///< physical load address; default 0x42000000 / 0x02000000
  std::string pflash_image;             ///< QemuArm: copied, padded with 0xff to 64 MiB, pflash bank 1 readonly
  std::string sd_image;                 ///< QemuArm: raw disk as virtio-blk (`virtio scan` sees it)
  bool user_net = false;                ///< -netdev user (virtio-net-device on QemuArm, pcnet on MaltaEl)
  std::string net_options;              ///< appended to "-netdev user,id=n0", e.g. "restrict=on,tftp=/dir"
  std::vector<std::string> extra_args;  ///< appended last
  std::vector<std::string> mtd_images;  ///< Sabrelite/Ast2500: SPI NOR images (-drive if=mtd), in chip order
};

/// The binary scripts/build-uboot-qemu cached for `board` ("qemu_arm", "sabrelite", "ast2500"),
/// or "" when it has not been built (tests then skip; `make uboot-qemu` builds all three). The
/// environment variable CAMDUMP_UBOOT_<BOARD> (upper case) overrides it.
std::string cached_uboot(const std::string& board);

/// Debian's u-boot-qemu is installed (and the QEMU binary for `board` exists).
bool qemu_available(Board board = Board::QemuArm);

/// Console argument sets (c0 is the chardev id).
std::vector<std::string> console_stdio_args();
std::vector<std::string> console_tcp_args(uint16_t port, const std::string& logfile);
std::vector<std::string> console_pty_args();

/// The full QEMU command line. Files that must be derived (padded pflash, swapped Malta BIOS) are
/// written into `work_dir`.
std::vector<std::string> qemu_argv(const QemuConfig& cfg, const std::vector<std::string>& console,
                                   const std::filesystem::path& work_dir);

/// Quotes one word for the exec: PORT form (single quotes where needed).
std::string shell_quote(const std::string& word);
/// "exec:" + the shell-quoted argv: a PORT string camdump's exec: transport splits back.
std::string exec_port(const std::vector<std::string>& argv);

/// exec_port(qemu_argv(cfg, console_stdio_args(), work_dir)): the PORT that runs this QEMU on
/// camdump's own pty (`exec:`). Derived files go to `work_dir`, which must outlive the port.
std::string qemu_exec_port(const QemuConfig& cfg, const std::filesystem::path& work_dir);

/// A running QEMU (TCP, pty or stdio-pipe console). Owns a temp dir for derived files; the destructor stops
/// QEMU by PID and reaps it.
class Qemu {
 public:
  /// Starts QEMU with a TCP server chardev on 127.0.0.1:free port (logfile: `logfile`, or
  /// console.log in the temp dir) and returns once QEMU listens. Throws std::runtime_error.
  static Qemu start_tcp(const QemuConfig& cfg, std::string logfile = {});
  /// Starts QEMU with -serial pty and returns once it printed the pty path.
  static Qemu start_pty(const QemuConfig& cfg);
  /// Starts QEMU with the console on its stdio (signal=off) through pipes: write to stdin_fd(),
  /// read stdout_fd(). QEMU's own messages go to qemu_output().
  static Qemu start_stdio(const QemuConfig& cfg);

  pid_t pid() const { return proc_.pid(); }
  int stdin_fd() const { return proc_.stdin_fd(); }    ///< start_stdio only
  int stdout_fd() const { return proc_.stdout_fd(); }  ///< start_stdio only
  uint16_t port() const { return port_; }
  std::string port_spec() const { return "tcp:127.0.0.1:" + std::to_string(port_); }
  const std::string& pty_path() const { return pty_path_; }
  const std::string& logfile() const { return logfile_; }
  const std::filesystem::path& work_dir() const { return dir_->path(); }
  /// QEMU's own stdout+stderr so far (diagnostics).
  std::string qemu_output() const;
  int stop() { return proc_.stop(); }

 private:
  std::unique_ptr<TempDir> dir_ = std::make_unique<TempDir>("camdump-qemu");
  Process proc_;
  uint16_t port_ = 0;
  std::string pty_path_, logfile_;
};

}  // namespace camdump::test
