// SPDX-License-Identifier: MIT
// Internal to the virtual camera: the emulator, composed of its parts (each in its own file: Ram,
// EnvStore, LineEditor, LineNoise, OutputQueue, VirtualClock, JobSlot, RunningLine) plus the board
// state machine (power-on, countdown, prompt, job, baud switch, Linux) and fault injection. Commands:
// sim_command_table.hpp (the table) and the files it names; fixed texts in sim_texts.cpp. Not part
// of the public API: use sim_camera.hpp.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/sim_camera.hpp"
#include "sim/sim_env_store.hpp"
#include "sim/sim_job.hpp"
#include "sim/sim_line_editor.hpp"
#include "sim/sim_line_noise.hpp"
#include "sim/sim_output_queue.hpp"
#include "sim/sim_ram.hpp"
#include "sim/sim_running_line.hpp"
#include "sim/sim_virtual_clock.hpp"

namespace camdump::sim {

using Args = std::vector<std::string>;

/// A hex argument as U-Boot's commands read it (simple_strtoul(arg, &end, 16)): optional 0x, digits
/// up to the first other character, 0 when none; cut to 32 bits (ulong on the 32-bit SoC). `whole`,
/// when given, says whether every character was read (the sf commands reject "12zz").
uint64_t hex_arg(std::string_view s, bool* whole = nullptr);

class Machine {
 public:
  Machine(SimCamera& owner, SimOptions opt, Reporter& rep);
  ~Machine();

  // ---- host side (SimCamera forwards here)
  void host_write(std::span<const uint8_t> data);
  size_t host_read(std::span<uint8_t> buf, double timeout_s);
  bool idle_waiting_for_input();

  // ---- board
  SimCamera& owner_;
  SimOptions opt_;
  Reporter& rep_;
  std::vector<uint8_t> flash_;
  uint64_t ram_size_ = 0;  ///< ram= (the size of ram_)
  Ram ram_;
  std::map<std::string, std::string> env_;  ///< the running variables
  EnvStore env_store_;                      ///< what a boot loads, saveenv replaces
  uint32_t uart_baud_, host_baud_;
  SimStats stats_;
  int sd_fd_ = -1;
  uint64_t sd_size_ = 0;
  bool sf_probed_ = false;

  /// Pointer to `len` bytes at CPU address `addr` (RAM, its alias, or mapped flash when
  /// !write); nullptr when outside.
  uint8_t* mem(uint64_t addr, uint64_t len, bool write);
  /// Every command that writes RAM (sf read, mmc read, mw, cp, crc32's store, a stub upload by
  /// mw.l) calls this first: with guard=1 (default), a write into U-Boot's reserved area (stack,
  /// boot params, gd, bd, malloc arena, code: uboot_reserved()) hangs the board, whose console
  /// then stops answering (true = hung, the command must stop).
  bool clobbers_uboot(uint64_t addr, uint64_t len);
  /// Where U-Boot sits: [first, second) as offsets from the RAM base; uboot_top() is its end.
  std::pair<uint64_t, uint64_t> uboot_reserved() const;
  uint64_t uboot_top() const;

  // ---- console output
  void out(std::string_view s) { tx_.print(s); }          ///< print; '\n' becomes "\r\n" like the serial drivers
  void out_raw(std::string_view s) { tx_.print_raw(s); }  ///< print bytes as they are
  std::string& out_buf() { return tx_.buffer(); }
  /// ctrlc(): consume one pending input byte; true when it was 0x03.
  bool ctrlc();
  std::string& input() { return in_; }
  double now() const { return clock_.now(); }
  /// Virtual time at which the bytes already queued will have left the UART.
  double drain_time() const;

  // ---- lifecycle
  void boot();   ///< power on / reset: boot log, env reload, RAM lost, countdown
  void crash();  ///< bad memory access or unknown code at `go`: the camera reboots
  void boot_linux();
  void start_job(std::unique_ptr<Job> job);

  // ---- commands (sim_commands.cpp)
  void run_line(const std::string& line, bool repeat);
  /// Runs one command; returns false when it failed (forgets the repeatable last command).
  bool run_command(Args& args, bool repeat);
  void usage(const std::string& name);
  std::string expand(const std::string& line) const;

  // sim_mem_commands.cpp
  bool cmd_md(Args& a, bool repeat);
  bool cmd_mw(Args& a);
  bool cmd_cp(Args& a);
  bool cmd_cmp(Args& a);
  bool cmd_crc32(Args& a);
  // sim_flash_commands.cpp
  bool cmd_sf(Args& a);
  // sim_flash_write.cpp: sf erase/write/update with NOR physics
  bool cmd_sf_change(Args& a);
  /// Timing line after every sf command (stock/OpenIPC `--->`, Thingino `command completed`).
  std::string sf_trailer(const std::string& sub, double secs) const;
  /// Erase [off, off+len) to 0xff / program data (old AND new). False when reset-after-flash=
  /// cut the operation (the unit is left half done and the board resets).
  bool flash_erase(uint64_t off, uint64_t len);
  bool flash_program(uint64_t off, std::span<const uint8_t> data);
  bool flash_allowed(uint64_t& n);
  uint64_t flash_touched_ = 0;
  bool flash_reset_done_ = false, reset_requested_ = false;
  bool cmd_mmc(Args& a);
  // sim_tftpput.cpp
  bool cmd_tftpput(Args& a);
  // sim_loady.cpp, sim_tftpboot.cpp (restore routes)
  bool cmd_loady(Args& a);
  bool cmd_tftpboot(Args& a);
  // sim_env_commands.cpp
  bool cmd_setenv(Args& a);
  bool cmd_printenv(Args& a);
  bool cmd_saveenv(Args& a);

  // md state (dp_last_*)
  uint64_t md_last_addr_ = 0, md_last_len_ = 0x40;
  unsigned md_last_size_ = 4;
  bool md_running_ = false;

  // ---- state
  enum class Mode { Prompt, Countdown, Job, BaudWait, Linux, Off };
  Mode mode_ = Mode::Prompt;
  LineEditor editor_;     ///< the prompt's readline
  std::string last_cmd_;  ///< repeatable last command line ("" when none)
  JobSlot job_;           ///< the command that holds the console while it runs
  RunningLine line_;      ///< the rest of the command line (split at ';'); jobs resume it
  int countdown_left_ = 0;
  uint64_t countdown_text_end_ = 0;  ///< output position where "Hit any key ... N " ends
  // `setenv baudrate`: the rate requested, and the stream position after which the UART switches
  uint32_t switch_to_ = 0;
  bool switch_pending_ = false;
  uint64_t baud_switch_pos_ = 0;
  uint64_t delivered() const { return tx_.delivered(); }
  size_t queued() const { return tx_.queued(); }

  void continue_line();
  void finish_job(bool ok);
  bool keyed() const;

 private:
  void pump(size_t want);
  void fire_events();
  void on_input_prompt();
  void on_input_countdown();
  void on_input_baudwait();
  void apply_baud_switch();
  void countdown_tick();
  void end_countdown(bool aborted);
  void print_prompt();
  void after_command();
  size_t take(std::span<uint8_t> buf);
  size_t deliver(uint8_t* dst, size_t cap, const char* src, size_t n);

  OutputQueue tx_;
  std::string in_;  ///< what the host typed and the camera has not read yet
  VirtualClock clock_;
  bool reset_done_ = false;
  double stall_until_ = 0;
  uint64_t next_stall_ = 0;
  LineNoise noise_;          ///< noise= on the TX line (and a wrong-rate host's garbage)
  double noise_now() const;  ///< noise=, or noise-fast= while the UART runs above baud=
};

}  // namespace camdump::sim
