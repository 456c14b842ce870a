// SPDX-License-Identifier: MIT
// The virtual camera behind the PORT `sim:`: an in-process U-Boot console emulator with the exact
// output formats of the Ingenic 2013.07 vendor/Thingino dialect and of modern U-Boot
// (docs/reference/uboot-console.md, docs/reference/qemu-test-cameras.md), plus fault injection
// (noise, stalls, resets, baud mismatch). Host writes feed the emulated console's input; host
// reads return what the camera printed. Time is virtual: it advances with the bytes read (10 bit
// times each at the console rate) and with read timeouts, so a 5 s countdown costs no wall time.
//
// Spec (what follows `sim:` in a PORT): `[IMAGE][,option=value...]`, e.g. `sim:`,
// `sim:fw.bin,dialect=modern`, `sim:dialect=modern,noise=1e-4,seed=7`. Options:
//   flash=SIZE          flash size (default: the image's size; 16M for the built-in image)
//   dialect=thingino|ingenic2013|openipc|modern   console dialect (default thingino; `ingenic` is
//                       ingenic2013). The three Ingenic 2013.07 builds share the old formats (md
//                       ASCII column after 4 spaces, `CRC32 for`, baud fixed at 115200) and differ
//                       in banner, autoboot and sf output (docs/reference/uboot-console.md):
//                       ingenic2013 = the stock Ingenic import (`U-Boot 2013.07 (...)`, `Hit any key
//                       to stop autoboot: %2d `, `the manufacturer 20` / `--->read spend N ms`);
//                       thingino = gtxaspec/u-boot-ingenic (`Thingino U-Boot for Ingenic 2013.07`,
//                       `KEY: ... Press Ctrl-C now to interrupt boot...`, `JZSFC:`, `SF:    ...
//                       command completed in N ms`); openipc = OpenIPC/u-boot-ingenic since 90873ad
//                       (`OpenIPC # `, `Press ENTER to interrupt boot in %d...`, CR only);
//                       modern = current upstream (`=> `, two spaces, `crc32 for`, any key)
//   sf=vendor|thingino|upstream|modern   `sf` output dialect (default by dialect: vendor for
//                       ingenic2013 and openipc, thingino, modern)
//   prompt=TEXT         override the prompt (a trailing space is kept; `_` stands for a space)
//   bootdelay=N         autoboot countdown in seconds (default 1 for the Ingenic builds, 2 modern).
//                       0: no countdown, only a key already waiting when U-Boot looks stops it
//                       (CONFIG_ZERO_BOOTDELAY_CHECK)
//   stop=any|ctrlc|enter   the key that stops autoboot, with the text that goes with it: any =
//                       `Hit any key to stop autoboot`, ctrlc = the keyed Ctrl-C text (Thingino's,
//                       OpenIPC's older `Press Ctrl-c to abort autoboot`, modern `Autoboot in N
//                       seconds`), enter = `Press ENTER to interrupt boot in N...` (default by
//                       dialect: any, ctrlc, enter, any)
//   state=uboot|autoboot|linux   initial state (default autoboot: boot log + countdown).
//                       uboot: sitting at a prompt, prints nothing until input. linux: prints a
//                       kernel log and ignores input (the user must power-cycle)
//   powercycle-after=S  in state linux, reboot after S virtual seconds (models the user
//                       power-cycling while the tool keeps sending Ctrl-C)
//   noise=RATE          per output character probability of a drop, a flipped bit or an inserted
//                       character (one third each); seed=N makes it reproducible (default seed 1)
//   stall=MS@BYTES      after every BYTES output bytes, output pauses for MS virtual ms
//   reset-after=BYTES   the camera reboots once after BYTES output bytes (mid-line): boot log
//                       again, RAM scrambled, unsaved env (incl. baudrate) lost
//   reset-after-flash=BYTES   the camera reboots once when `sf erase/write/update` have erased or
//                       programmed BYTES bytes in all: the unit being erased or written is left
//                       half done, as after a power cut
//   erase=SIZE          the flash's erase unit for `sf erase` alignment and `sf update` (default 64K
//                       for the Ingenic builds, CONFIG_SFC_MIN_ALIGN 0x10000; 4K modern)
//   save=FILE           write the flash as it is when the camera is closed to FILE (what sf erase/
//                       write/update did; the image file itself is never changed)
//   bauds=9600,...      accepted `setenv baudrate` table (default 9600..115200 for ingenic2013,
//                       9600..921600 for modern). Initial rate: baud=N (default 115200)
//   fixedbaud=0|1       1 = the UART keeps its rate after `setenv baudrate` (Ingenic 2013.07's
//                       jz_serial_setbrg ignores gd->baudrate; default 1 for ingenic2013)
//   ram=SIZE            RAM size (default 64M) at 0x80000000, also seen through the MIPS kseg1
//                       alias 0xa0000000
//   net=0|1             0: tftpboot/tftpput say the network is unavailable at once (default 1;
//                       the fuzz target uses 0: real UDP waits would make it wait seconds)
//   tftpput=0|1         whether `tftpput` exists (default 0, like stock Ingenic): real UDP TFTP
//                       to 127.0.0.1:tftpdstp (env, default 69) when serverip is 127.0.0.1;
//                       any other serverip times out (nothing leaves the machine)
//   sd=FILE             SD card image for `mmc` (written in place). Without it, `mmc` has no card.
//   mapped=ADDR         also map the flash read-only at ADDR (for `--mapped` dumps)
//   guard=0|1           1 (default) = a write (sf read, mmc read, mw, cp, crc32's store, a stub
//                       upload) into U-Boot's reserved area at the top of RAM (stack, boot params,
//                       gd, bd, malloc arena, code: 0x81f5c000..0x84000000 on a 64 MiB T31; the
//                       Ingenic dialects stop at 0x84000000 whatever ram=) hangs the board: its
//                       console stops answering, as a real camera's would. 0 = no check
//   uart=N              the console's UART (default 1, the reference boards' ttyS1): the boot log
//                       names serial@1003N000, and a stub (go) told another UART gets no answer
//   baud-timing=0|1     1 (default): every character costs 10 bit times at the UART's current
//                       rate on the virtual clock (also after a stub's divisor change); 0: none
//   adapter-max=RATE    the host adapter cannot go above RATE (Transport::set_baud refuses)
//   noise-fast=RATE     per-character error rate while a stub runs the UART above baud= (default:
//                       the noise= rate)
// Bad options throw Error(Usage).
//
// Host-side rules the emulation enforces like real U-Boot: commands end at CR (LF also ends a
// line, so CR LF is a command plus an EMPTY line, which repeats the last md/crc32 like U-Boot's
// CMD_FLAG_REPEAT); a byte received while md prints is swallowed by ctrlc() unless it is 0x03,
// which stops md at the next line; Ctrl-C at the prompt prints `<INTERRUPT>`. After
// `setenv baudrate N` the camera switches and waits for '\r' at the new rate: call
// Transport::set_baud(N) on the sim transport to follow; while the rates differ, the host reads
// scrambled bytes and its input is ignored.
//
// `go ADDR`: programs "run" through the camera's own GoPrograms (given at construction or added
// with go_programs().add; never shared between cameras). Each handler looks at the bytes at ADDR
// (e.g. a stub's magic / parameter block, written with mw.l) and returns a SimProgram when it
// recognises them; the program then produces console output and
// reads console input until it returns its rc. U-Boot prints `## Starting application at
// 0x%08lX ...` before and `## Application terminated, rc = 0x%lX` after. When no handler
// recognises the code, the camera crashes and reboots (boot log again).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/report.hpp"
#include "io/transport.hpp"

namespace camdump::sim {

enum class Dialect { Ingenic2013, Thingino, OpenIpc, Modern };
enum class StopKey { Any, CtrlC, Enter };
/// The name `dialect=` takes ("thingino", "ingenic2013", "openipc", "modern").
const char* dialect_name(Dialect d);
enum class SfDialect { Vendor, Thingino, Upstream2013, Modern };
enum class BootState { UBoot, Autoboot, Linux };

/// Console UART facts the sim reveals (modern `coninfo`/boot log `In:    serial@10031000` for uart=1;
/// Ingenic T31 UART0 base, 16550-style registers at a 4-byte stride).
inline constexpr uint64_t kSimUartBase = 0x10030000;
inline constexpr uint64_t kSimRamBase = 0x80000000;
inline constexpr uint64_t kSimRamAlias = 0xa0000000;  ///< MIPS kseg1 (uncached) view of RAM

struct SimOptions {
  std::string image_path;              ///< empty: built-in Thingino-like image
  std::optional<uint64_t> flash_size;  ///< default: image size (16 MiB built-in)
  Dialect dialect = Dialect::Thingino;
  std::optional<SfDialect> sf;        ///< default by dialect
  std::optional<std::string> prompt;  ///< default by dialect
  std::optional<int> bootdelay;       ///< default by dialect
  std::optional<StopKey> stop;        ///< default by dialect
  BootState state = BootState::Autoboot;
  std::optional<double> powercycle_after_s;
  double noise = 0;
  uint64_t seed = 1;
  uint64_t stall_ms = 0, stall_every = 0;
  uint64_t reset_after = 0;            ///< 0: never
  uint64_t reset_after_flash = 0;      ///< 0: never
  std::optional<uint64_t> erase_size;  ///< default by dialect
  std::string save_path;               ///< empty: the flash is not saved
  std::vector<uint32_t> bauds;         ///< empty: default by dialect
  uint32_t baud = 115200;
  std::optional<bool> fixed_baud;  ///< default by dialect
  uint64_t ram_size = 64u << 20;
  bool tftpput = false;
  bool net = true;  ///< false: tftpboot/tftpput fail at once (no UDP, no waiting)
  std::string sd_path;
  std::optional<uint64_t> mapped_addr;
  unsigned uart = 1;                    ///< console UART number (stub sim, boot log)
  bool baud_timing = true;              ///< characters cost time at the current rate
  std::optional<uint32_t> adapter_max;  ///< host adapter's highest rate
  std::optional<double> noise_fast;     ///< error rate above baud= (a stub's fast rate)
  bool guard = true;

  // Resolved defaults.
  SfDialect sf_dialect() const;
  std::string prompt_text() const;
  int bootdelay_s() const;
  bool stops_on_any_key() const;
  StopKey stop_key() const;
  bool ingenic() const { return dialect != Dialect::Modern; }  ///< one of the 2013.07 builds
  uint64_t erase_unit() const;
  std::vector<uint32_t> baud_table() const;
  bool baud_fixed() const;
};

/// Parse the text after `sim:`. Throws Error(Usage) naming the bad option.
SimOptions parse_sim_spec(std::string_view spec);

/// Counters for tests (the tool must never saveenv, should not re-read needlessly...).
struct SimStats {
  uint64_t commands = 0;             ///< command lines executed (empty-line repeats included)
  uint64_t md_lines = 0;             ///< md lines printed
  uint64_t boots = 0;                ///< boot logs printed (1 for state=autoboot at open)
  uint64_t saveenv = 0;              ///< times saveenv ran
  uint64_t swallowed = 0;            ///< input bytes discarded by md's ctrlc()
  uint64_t noise_events = 0;         ///< characters dropped, flipped or inserted
  uint64_t output_bytes = 0;         ///< bytes the camera printed (before noise)
  uint64_t sf_erase_units = 0;       ///< erase units (erase=) erased by sf erase/update
  uint64_t sf_program_bytes = 0;     ///< bytes programmed by sf write/update
  uint64_t sf_writes = 0;            ///< sf write/update commands that programmed something
  uint64_t uboot_corrupted = 0;      ///< writes into U-Boot's reserved area (guard=1: the board hung)
  std::vector<std::string> history;  ///< the command lines, in order
};

class SimCamera;

/// A program started by `go` (see the file comment). run() is called whenever the console
/// wants output or input arrived: consume bytes from the front of `in`, append output to `out`
/// (keep each call's output modest, e.g. <= 64 KiB, so output stays lazy); return the program's
/// rc when it has finished, nullopt while it still runs.
class SimProgram {
 public:
  virtual ~SimProgram() = default;
  virtual std::optional<int32_t> run(SimCamera& cam, std::string& in, std::string& out) = 0;
  /// True for a program that polls its UART all the time (the stub's receive mode): host bytes
  /// reach it without the RX FIFO limit and cost their wire time on the virtual clock.
  virtual bool reads_input() const { return false; }
};

/// Returns a program when it recognises the code at `addr` (RAM via cam.ram()), else nullptr.
using GoHandler =
    std::function<std::unique_ptr<SimProgram>(SimCamera& cam, uint64_t addr, std::span<const std::string> args)>;
/// The programs one camera can run at `go`: named handlers, tried in the order added. Each
/// SimCamera owns its own (injected at construction), so cameras in one process never share them.
class GoPrograms {
 public:
  /// Adds `handler` under `name`, replacing a handler of the same name in place.
  void add(std::string name, GoHandler handler);
  void remove(const std::string& name);
  bool has(const std::string& name) const;
  /// The first handler's program that recognises the code at `addr`, else nullptr.
  std::unique_ptr<SimProgram> find(SimCamera& cam, uint64_t addr, std::span<const std::string> args) const;

 private:
  std::vector<std::pair<std::string, GoHandler>> handlers_;
};

class Machine;  // the emulator (sim_machine.hpp)

/// The virtual camera. Not thread-safe by itself; SimTransport serialises access.
class SimCamera {
 public:
  SimCamera(SimOptions opt, Reporter& rep, GoPrograms programs = {});
  ~SimCamera();
  SimCamera(const SimCamera&) = delete;
  SimCamera& operator=(const SimCamera&) = delete;

  /// Host side: bytes written to the console; bytes the console printed (0 on timeout).
  void host_write(std::span<const uint8_t> data);
  size_t host_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout);
  /// True when printed output is waiting to be read.
  bool has_output() const;
  /// True when the camera waits for input with nothing printed or scheduled.
  bool idle() const;
  void set_host_baud(uint32_t baud);
  uint32_t host_baud() const;

  /// Board view for go handlers and tests.
  const SimOptions& options() const;
  /// RAM bytes at a CPU address (kseg0 0x80000000 or kseg1 0xa0000000 view); empty when the
  /// range is not entirely inside RAM.
  std::span<uint8_t> ram(uint64_t addr, uint64_t len);
  std::span<const uint8_t> flash() const;
  uint32_t console_baud() const;
  void set_console_baud(uint32_t baud);
  std::string prompt() const;
  double virtual_seconds() const;
  const SimStats& stats() const;
  /// What `go` can run on this camera (configure before the host talks to it).
  GoPrograms& go_programs();

 private:
  GoPrograms go_;
  std::unique_ptr<Machine> m_;
};

/// The Transport for a SimCamera (thread-safe: one mutex around the camera).
class SimTransport : public io::Transport {
 public:
  SimTransport(SimOptions opt, Reporter& rep, GoPrograms programs = {});
  ~SimTransport() override;
  bool set_baud(uint32_t baud) override;
  std::optional<uint32_t> baud() const override;
  bool eight_bit_clean() const override { return true; }
  std::string describe() const override;
  /// Direct access for tests (do not use concurrently with read/write).
  SimCamera& camera() { return *cam_; }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  void do_write(std::span<const uint8_t> data) override;

 private:
  struct Sync;
  std::unique_ptr<Sync> sync_;
  std::unique_ptr<SimCamera> cam_;
  std::string spec_desc_;
};

/// Open the virtual camera described by `spec` (the text after `sim:`), running `programs` at `go`.
std::unique_ptr<io::Transport> open_sim(std::string_view spec, Reporter& rep, GoPrograms programs = {});

}  // namespace camdump::sim
