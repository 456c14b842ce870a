// SPDX-License-Identifier: MIT
// The emulator core: the board's state machine. Power-on and reset, the autoboot countdown, the
// prompt (keys through the LineEditor; Ctrl-C -> <INTERRUPT>, an empty line repeats), running
// commands and jobs, the `setenv baudrate` switch and a board left in Linux. The delivery path to
// the host (clock jumps, stalls, reset-after, baud mismatch, noise) is in sim_delivery.cpp.
#include "sim/sim_machine.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/errno_text.hpp"
#include "image/synth.hpp"
#include "sim/sim_texts.hpp"

namespace camdump::sim {
namespace {

constexpr size_t kRxFifo = 64;  // UART receive FIFO: what survives while U-Boot is busy

// The built-in image, made once per size per process (tests open many cameras).
std::vector<uint8_t> builtin_image(uint64_t size) {
  static std::mutex mu;
  static std::map<uint64_t, std::vector<uint8_t>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(size);
  if (it == cache.end()) {
    image::SynthOptions so;
    so.flash_size = size;
    it = cache.emplace(size, image::make_thingino_image(so)).first;
  }
  return it->second;
}

}  // namespace

Machine::Machine(SimCamera& owner, SimOptions opt, Reporter& rep)
    : owner_(owner),
      opt_(std::move(opt)),
      rep_(rep),
      ram_size_(opt_.ram_size),
      ram_(ram_size_, opt_.seed),
      noise_(opt_.seed, opt_.noise) {
  if (opt_.image_path.empty()) {
    flash_ = builtin_image(opt_.flash_size.value_or(16u << 20));
  } else {
    flash_ = read_file(opt_.image_path);
    if (flash_.empty()) fail(ErrorKind::Usage, fmt::format("sim: image {} is empty", opt_.image_path));
  }
  if (opt_.flash_size) {
    if (flash_.size() > *opt_.flash_size)
      fail(ErrorKind::Usage,
           fmt::format("sim: image is {} bytes, larger than flash={}", flash_.size(), *opt_.flash_size));
    flash_.resize(*opt_.flash_size, 0xff);  // erased NOR past the image
  }
  if (!opt_.sd_path.empty()) {
    sd_fd_ = ::open(opt_.sd_path.c_str(), O_RDWR | O_CLOEXEC);
    if (sd_fd_ < 0)
      fail(ErrorKind::NotFound, fmt::format("sim: cannot open SD image {}: {}", opt_.sd_path, errno_text(errno)),
           "create it first, e.g. truncate -s 64M sd.img");
    struct stat st {};
    ::fstat(sd_fd_, &st);
    sd_size_ = static_cast<uint64_t>(st.st_size);
  }
  env_store_.load(flash_);
  if (opt_.bootdelay) env_store_.saved["bootdelay"] = std::to_string(*opt_.bootdelay);
  env_store_.saved["baudrate"] = std::to_string(opt_.baud);
  uart_baud_ = host_baud_ = opt_.baud;
  next_stall_ = opt_.stall_every;
  switch (opt_.state) {
    case BootState::Autoboot: boot(); break;
    case BootState::UBoot:
      env_ = env_store_.saved;
      ram_.scramble();
      mode_ = Mode::Prompt;
      break;
    case BootState::Linux:
      env_ = env_store_.saved;
      ram_.scramble();
      boot_linux();
      break;
  }
}

Machine::~Machine() {
  if (sd_fd_ >= 0) ::close(sd_fd_);
  if (!opt_.save_path.empty()) {  // save=: the flash as it is now, for another run or program
    try {
      write_file_atomic(opt_.save_path, flash_);
    } catch (const std::exception& e) {
      rep_.log(LogLevel::Error, fmt::format("sim: cannot save the flash to {}: {}", opt_.save_path, e.what()));
    }
  }
}

uint8_t* Machine::mem(uint64_t addr, uint64_t len, bool write) {
  for (uint64_t base : {kSimRamBase, kSimRamAlias}) {
    if (addr >= base && addr - base <= ram_size_ && len <= ram_size_ - (addr - base)) return ram_.at(addr - base, len);
  }
  if (!write && opt_.mapped_addr) {
    uint64_t base = *opt_.mapped_addr;
    if (addr >= base && addr - base <= flash_.size() && len <= flash_.size() - (addr - base))
      return flash_.data() + (addr - base);
  }
  return nullptr;
}

uint64_t Machine::uboot_top() const {
  // Modern U-Boot relocates to the top of RAM; Ingenic's 2013.07 U-Boot stops at its
  // SDRAM_MAX_TOP, 0x84000000 (T31 boot log "Top of RAM usable for U-Boot at: 84000000"), so a
  // 128 MiB board keeps the same layout as a 64 MiB one.
  return opt_.dialect == Dialect::Modern ? ram_size_ : std::min<uint64_t>(ram_size_, 64u << 20);
}

std::pair<uint64_t, uint64_t> Machine::uboot_reserved() const {
  // Stock T31 64 MiB boot log (docs/reference/uboot-console.md#ram): U-Boot relocated to 83f90000, malloc arena
  // 81f8c000..83f8c000, board info, global data and 128 KiB boot params below it, the stack
  // growing down from 81f6bf48. Reserved: 64 KiB of stack below that up to the top, kept
  // relative to the top so other ram= sizes keep the same shape.
  const uint64_t top = uboot_top();
  return {top > 0x20a4000 ? top - 0x20a4000 : 0, top};
}

bool Machine::clobbers_uboot(uint64_t addr, uint64_t len) {
  if (!opt_.guard || len == 0) return false;
  const auto [lo, hi] = uboot_reserved();
  for (uint64_t base : {kSimRamBase, kSimRamAlias}) {
    if (addr < base + hi && addr + len > base + lo) {
      // U-Boot's stack, heap or code is overwritten: the board hangs, as a real one would; only
      // a reset (reset-after) or a new sim brings it back.
      ++stats_.uboot_corrupted;
      job_.stop();
      line_.abandon();
      clock_.cancel_wake();
      mode_ = Mode::Off;
      return true;
    }
  }
  return false;
}

bool Machine::ctrlc() {
  if (in_.empty()) return false;
  char c = in_.front();
  in_.erase(0, 1);
  if (c == 0x03) return true;
  ++stats_.swallowed;
  return false;
}

double Machine::drain_time() const { return clock_.now() + VirtualClock::wire_time(tx_.queued(), uart_baud_); }

void Machine::boot() {
  ++stats_.boots;
  ram_.scramble();
  env_ = env_store_.saved;
  sf_probed_ = false;
  md_last_addr_ = 0;
  md_last_len_ = 0x40;
  md_last_size_ = 4;
  last_cmd_.clear();
  editor_.clear();
  job_.stop();
  line_.abandon();
  in_.clear();
  switch_pending_ = false;
  switch_to_ = 0;
  auto b = env_.find("baudrate");
  uart_baud_ = opt_.baud;
  if (b != env_.end() && !opt_.baud_fixed()) {
    uint32_t v = static_cast<uint32_t>(std::strtoul(b->second.c_str(), nullptr, 10));
    for (auto t : opt_.baud_table())
      if (t == v) uart_baud_ = v;
  }
  out(boot_log(opt_, flash_.size(), uart_baud_));
  int delay = opt_.bootdelay_s();
  if (auto d = env_.find("bootdelay"); d != env_.end()) delay = std::atoi(d->second.c_str());
  if (delay < 0) {
    mode_ = Mode::Prompt;
    print_prompt();
    return;
  }
  countdown_left_ = delay;
  mode_ = Mode::Countdown;
  // With bootdelay 0 the text is still printed and a key already waiting stops autoboot
  // (CONFIG_ZERO_BOOTDELAY_CHECK; modern U-Boot always checks): the countdown ends at once.
  if (keyed()) {
    // abortboot_keyed prints CONFIG_AUTOBOOT_PROMPT once (docs/reference/uboot-console.md#autoboot).
    if (opt_.stop_key() == StopKey::Enter)
      out(fmt::format("\nPress ENTER to interrupt boot in {}...\n", delay));  // OpenIPC since 90873ad
    else if (opt_.dialect == Dialect::OpenIpc)
      out(fmt::format("Press Ctrl-c to abort autoboot... {} \n", delay));  // OpenIPC before 2024
    else if (opt_.ingenic())
      out(fmt::format("KEY:   ###### Press Ctrl-C now to interrupt boot... loading in {}s ######\n", delay));
    else out(fmt::format("Autoboot in {} seconds\n", delay));
    clock_.wake_at(drain_time() + delay);
  } else {
    out(fmt::format("Hit any key to stop autoboot: {:2} ", delay));
    countdown_text_end_ = delivered() + queued();
    clock_.wake_at(drain_time() + (delay > 0 ? 1.0 : 0.0));
  }
}

bool Machine::keyed() const {
  // CONFIG_AUTOBOOT_KEYED builds wait for a stop string (Thingino "\x03", OpenIPC "\x0d"; modern
  // AUTOBOOT_KEYED_CTRLC); the others stop on any key (abortboot_normal / abortboot_single_key).
  return !opt_.stops_on_any_key();
}

void Machine::crash() { boot(); }

void Machine::boot_linux() {
  out(autoboot_linux_log(opt_));
  mode_ = Mode::Linux;
  if (opt_.powercycle_after_s) clock_.wake_at(drain_time() + *opt_.powercycle_after_s);
  else clock_.cancel_wake();
}

void Machine::on_input_countdown() {
  if (in_.empty()) return;
  bool abort = false;
  if (opt_.stops_on_any_key() && !keyed()) {
    in_.erase(0, 1);  // abortboot_single_key: getchar() takes one key
    abort = true;
  } else {
    // abortboot_keyed: reads every key and aborts on the stop string (Ctrl-C, or CR for stop=enter).
    // Keys after the stop string stay in the FIFO for the prompt's readline.
    const size_t at = in_.find(opt_.stop_key() == StopKey::Enter ? '\r' : '\x03');
    abort = at != std::string::npos;
    in_.erase(0, abort ? at + 1 : in_.size());
  }
  if (abort) end_countdown(true);
}

void Machine::countdown_tick() {
  if (keyed()) {
    end_countdown(false);
    return;
  }
  if (countdown_left_ > 0) --countdown_left_;
  out(fmt::format("\b\b\b{:2} ", countdown_left_));
  if (countdown_left_ == 0) end_countdown(false);
  else clock_.wake_at(drain_time() + 1.0);
}

void Machine::end_countdown(bool aborted) {
  clock_.cancel_wake();
  if (!keyed()) {
    // A key already waiting when the countdown starts (its text not yet out) aborts before the
    // loop: no " 0".
    if (aborted && countdown_left_ > 0 && delivered() >= countdown_text_end_) out("\b\b\b 0 ");
    out("\n");
  }
  if (aborted) {
    mode_ = Mode::Prompt;
    print_prompt();
  } else {
    boot_linux();
  }
}

void Machine::print_prompt() { out_raw(opt_.prompt_text()); }

void Machine::start_job(std::unique_ptr<Job> job) {
  job_.start(std::move(job));
  mode_ = Mode::Job;
}

void Machine::finish_job(bool ok) {
  job_.stop();
  if (mode_ == Mode::Job) mode_ = Mode::Prompt;
  if (!ok) line_.failed();
  continue_line();
}

void Machine::on_input_prompt() {
  while (!in_.empty() && mode_ == Mode::Prompt) {
    const auto c = static_cast<unsigned char>(in_.front());
    in_.erase(0, 1);
    std::string echo;
    const LineEditor::Event ev = editor_.key(c, echo);
    out_raw(echo);
    if (ev == LineEditor::Event::Interrupt) {
      out("<INTERRUPT>\n");
      print_prompt();
    } else if (ev == LineEditor::Event::Enter) {
      const std::string line = editor_.take();
      if (!line.empty()) run_line(line, false);
      else if (!last_cmd_.empty()) run_line(last_cmd_, true);  // an empty line repeats
      else print_prompt();
    }
  }
}

void Machine::on_input_baudwait() {
  if (switch_pending_) return;  // the message is still leaving at the old rate
  while (!in_.empty()) {
    char c = in_.front();
    in_.erase(0, 1);
    if (c == '\r') {  // on_baudrate: while (getc() != '\r');
      env_["baudrate"] = std::to_string(switch_to_);
      mode_ = Mode::Prompt;
      continue_line();
      return;
    }
  }
}

void Machine::fire_events() {
  while (clock_.wake_due()) {
    const double t = clock_.wake_time();
    clock_.cancel_wake();
    if (mode_ == Mode::Countdown) {
      countdown_tick();
    } else if (mode_ == Mode::Linux) {
      boot();
    }
    if (clock_.wake_pending() && clock_.wake_time() <= t) break;  // no progress: avoid spinning
  }
}

void Machine::pump(size_t want) {
  for (int guard = 0; guard < 1000000; ++guard) {
    switch (mode_) {
      case Mode::Prompt:
        if (in_.empty()) return;
        on_input_prompt();
        continue;
      case Mode::Countdown:
        on_input_countdown();
        if (mode_ == Mode::Countdown) return;
        continue;
      case Mode::Linux: in_.clear(); return;
      case Mode::BaudWait:
        on_input_baudwait();
        if (mode_ == Mode::BaudWait) return;
        continue;
      case Mode::Job: {
        if (clock_.now() < job_.job().ready_at) return;
        size_t avail = tx_.queued();
        if (avail >= want && want > 0) return;
        size_t before = tx_.size();
        const bool done = job_.job().step(*this, want > avail ? want - avail : 1);
        if (reset_requested_) {  // reset-after-flash=: the power goes mid-erase or mid-write
          reset_requested_ = false;
          tx_.drop_queued();
          boot();
          continue;
        }
        if (done) {
          finish_job(job_.ok());
          continue;
        }
        if (want == 0 || tx_.size() == before) return;  // waiting for input or time
        continue;
      }
      case Mode::Off: return;
    }
  }
}

void Machine::host_write(std::span<const uint8_t> data) {
  apply_baud_switch();
  // A running program catches up first: what it does once its output has left (a stub going
  // back to U-Boot's divisor as its last byte leaves) happens before the host, which has just
  // read that byte, can answer.
  if (mode_ == Mode::Job && tx_.queued() == 0) pump(0);
  if (host_baud_ != uart_baud_) return;  // framing errors: the camera sees garbage, ignores it
  in_.append(reinterpret_cast<const char*>(data.data()), data.size());
  const bool reader = mode_ == Mode::Job && job_.job().reads_input();
  // A job that reads as bytes arrive (loady, the stub's receive mode) waits for them on the line:
  // the host's characters cost their wire time too (8N1: 10 bit times each).
  if (reader && opt_.baud_timing) clock_.advance(VirtualClock::wire_time(data.size(), uart_baud_));
  if (mode_ != Mode::Prompt && !reader && in_.size() > kRxFifo) in_.resize(kRxFifo);  // RX FIFO overrun
  pump(0);
}

void Machine::apply_baud_switch() {
  if (switch_pending_ && baud_switch_pos_ <= tx_.delivered()) {
    switch_pending_ = false;
    // Ingenic 2013.07: jz_serial_setbrg() uses CONFIG_BAUDRATE, the divisor never changes.
    if (!opt_.baud_fixed()) uart_baud_ = switch_to_;
  }
}

bool Machine::idle_waiting_for_input() {
  return tx_.queued() == 0 && !clock_.wake_pending() &&
         (mode_ == Mode::Prompt || mode_ == Mode::BaudWait || (mode_ == Mode::Linux));
}

}  // namespace camdump::sim
