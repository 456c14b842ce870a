// SPDX-License-Identifier: MIT
// Parsing of the `sim:` spec into SimOptions, and the per-dialect defaults (sim_camera.hpp lists
// every option).
#include <fmt/core.h>

#include <charconv>
#include <cstdlib>

#include "core/error.hpp"
#include "core/key_value.hpp"
#include "core/size.hpp"
#include "sim/sim_camera.hpp"

namespace camdump::sim {
namespace {

[[noreturn]] void bad(std::string_view what) {
  fail(ErrorKind::Usage, fmt::format("sim: {}", what),
       "options: flash, dialect, sf, prompt, bootdelay, stop, state, powercycle-after, noise, seed, "
       "stall, reset-after, reset-after-flash, erase, save, bauds, baud, fixedbaud, ram, tftpput, net, sd, mapped, "
       "guard, uart, baud-timing, "
       "adapter-max, noise-fast (see docs/cli.md)");
}

uint64_t size_opt(std::string_view key, std::string_view v) {
  auto n = parse_size(v);
  if (!n) bad(fmt::format("{}={}: not a size (use 16M, 0x1000000 or 16777216)", key, v));
  return *n;
}

uint64_t num_opt(std::string_view key, std::string_view v) {
  auto n = parse_number(v);
  if (!n) bad(fmt::format("{}={}: not a number", key, v));
  return *n;
}

double real_opt(std::string_view key, std::string_view v) {
  std::string s(v);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !(d >= 0)) bad(fmt::format("{}={}: not a number >= 0", key, v));
  return d;
}

bool bool_opt(std::string_view key, std::string_view v) {
  if (v == "1" || v == "yes" || v == "on" || v == "true") return true;
  if (v == "0" || v == "no" || v == "off" || v == "false") return false;
  bad(fmt::format("{}={}: expected 0 or 1", key, v));
}

// The board: flash, RAM, SD card, mapped flash, what is saved.
// False when `key` is not one of them.
bool apply_board(SimOptions& o, std::string_view key, std::string_view v) {
  if (key == "flash") {
    o.flash_size = size_opt(key, v);
    if (*o.flash_size == 0 || (*o.flash_size & (*o.flash_size - 1)) || *o.flash_size > (256u << 20))
      bad(fmt::format("flash={}: must be a power of two up to 256M", v));
  } else if (key == "erase") {
    o.erase_size = size_opt(key, v);
    if (*o.erase_size < 4096 || *o.erase_size > (256u << 10) || (*o.erase_size & (*o.erase_size - 1)))
      bad(fmt::format("erase={}: a power of two from 4K to 256K", v));
  } else if (key == "save") {
    if (v.empty()) bad("save= needs a file");
    o.save_path = std::string(v);
  } else if (key == "ram") {
    o.ram_size = size_opt(key, v);
    if (o.ram_size < (1u << 20) || o.ram_size > (512u << 20)) bad("ram: between 1M and 512M");
  } else if (key == "tftpput") {
    o.tftpput = bool_opt(key, v);
  } else if (key == "net") {
    o.net = bool_opt(key, v);
  } else if (key == "sd") {
    if (v.empty()) bad("sd= needs a file");
    o.sd_path = std::string(v);
  } else if (key == "mapped") {
    o.mapped_addr = num_opt(key, v);
  } else if (key == "guard") {
    o.guard = bool_opt(key, v);
  } else if (key == "image") {
    o.image_path = std::string(v);
  } else {
    return false;
  }
  return true;
}

// The console U-Boot shows: dialect, prompt, autoboot, the state at power-on.
// False when `key` is not one of them.
bool apply_console(SimOptions& o, std::string_view key, std::string_view v) {
  if (key == "dialect") {
    if (v == "ingenic2013" || v == "ingenic" || v == "stock") o.dialect = Dialect::Ingenic2013;
    else if (v == "thingino") o.dialect = Dialect::Thingino;
    else if (v == "openipc") o.dialect = Dialect::OpenIpc;
    else if (v == "modern") o.dialect = Dialect::Modern;
    else bad(fmt::format("dialect={}: expected thingino, ingenic2013, openipc or modern", v));
  } else if (key == "sf") {
    if (v == "vendor") o.sf = SfDialect::Vendor;
    else if (v == "thingino") o.sf = SfDialect::Thingino;
    else if (v == "upstream") o.sf = SfDialect::Upstream2013;
    else if (v == "modern") o.sf = SfDialect::Modern;
    else bad(fmt::format("sf={}: expected vendor, thingino, upstream or modern", v));
  } else if (key == "prompt") {
    std::string p(v);
    for (char& c : p)
      if (c == '_') c = ' ';
    if (p.empty()) bad("prompt= must not be empty");
    o.prompt = p;
  } else if (key == "bootdelay") {
    auto n = num_opt(key, v);  // (-1, no autoboot at all, is state=uboot)
    if (n > 3600) bad("bootdelay: at most 3600 seconds");
    o.bootdelay = static_cast<int>(n);
  } else if (key == "stop") {
    if (v == "any") o.stop = StopKey::Any;
    else if (v == "ctrlc") o.stop = StopKey::CtrlC;
    else if (v == "enter") o.stop = StopKey::Enter;
    else bad(fmt::format("stop={}: expected any, ctrlc or enter", v));
  } else if (key == "state") {
    if (v == "uboot") o.state = BootState::UBoot;
    else if (v == "autoboot") o.state = BootState::Autoboot;
    else if (v == "linux") o.state = BootState::Linux;
    else bad(fmt::format("state={}: expected uboot, autoboot or linux", v));
  } else if (key == "powercycle-after") {
    o.powercycle_after_s = real_opt(key, v);
  } else {
    return false;
  }
  return true;
}

// The serial line: rates, UART, and the faults injected on it.
// False when `key` is not one of them.
bool apply_line(SimOptions& o, std::string_view key, std::string_view v) {
  if (key == "noise") {
    o.noise = real_opt(key, v);
    if (o.noise > 0.5) bad("noise: at most 0.5 errors per character");
  } else if (key == "seed") {
    o.seed = num_opt(key, v);
  } else if (key == "stall") {
    auto at = v.find('@');
    if (at == std::string_view::npos) bad(fmt::format("stall={}: expected MS@BYTES, e.g. 500@65536", v));
    o.stall_ms = num_opt(key, v.substr(0, at));
    o.stall_every = size_opt(key, v.substr(at + 1));
    if (o.stall_every == 0) bad("stall: BYTES must be > 0");
  } else if (key == "reset-after") {
    o.reset_after = size_opt(key, v);
  } else if (key == "reset-after-flash") {
    o.reset_after_flash = size_opt(key, v);
  } else if (key == "bauds") {
    o.bauds.clear();
    while (!v.empty()) {
      auto c = v.find(':') != std::string_view::npos ? v.find(':') : v.find(' ');
      auto item = v.substr(0, c);
      auto n = num_opt(key, item);
      if (n == 0 || n > 16000000) bad(fmt::format("bauds: {} is not a baud rate", item));
      o.bauds.push_back(static_cast<uint32_t>(n));
      v = c == std::string_view::npos ? std::string_view{} : v.substr(c + 1);
    }
  } else if (key == "baud") {
    auto n = num_opt(key, v);
    if (n == 0 || n > 16000000) bad(fmt::format("baud={}: not a baud rate", v));
    o.baud = static_cast<uint32_t>(n);
  } else if (key == "fixedbaud") {
    o.fixed_baud = bool_opt(key, v);
  } else if (key == "uart") {  // binary stub (issue 13 item 4): the console's UART number
    auto n = num_opt(key, v);
    if (n > 9) bad(fmt::format("uart={}: a UART number 0..9", v));
    o.uart = static_cast<unsigned>(n);
  } else if (key == "baud-timing") {  // issue 18: the line's time on the virtual clock
    o.baud_timing = bool_opt(key, v);
  } else if (key == "adapter-max") {
    auto n = num_opt(key, v);
    if (n < 1200 || n > 16000000) bad(fmt::format("adapter-max={}: not a baud rate", v));
    o.adapter_max = static_cast<uint32_t>(n);
  } else if (key == "noise-fast") {
    o.noise_fast = real_opt(key, v);
    if (*o.noise_fast > 0.5) bad("noise-fast: at most 0.5 errors per character");
  } else {
    return false;
  }
  return true;
}

void apply(SimOptions& o, std::string_view key, std::string_view v) {
  if (!apply_board(o, key, v) && !apply_console(o, key, v) && !apply_line(o, key, v))
    bad(fmt::format("unknown option '{}'", key));
}

}  // namespace

SimOptions parse_sim_spec(std::string_view spec) {
  SimOptions o;
  if (spec.starts_with("sim:")) spec.remove_prefix(4);  // tolerate the whole PORT
  // `bauds=9600,19200` uses commas too: an item without '=' right after a bauds item is a rate.
  bool first = true;
  std::string bauds;
  bool in_bauds = false;
  for (const KeyValueItem& kv : split_key_values(spec)) {
    const std::string_view item = kv.text;
    if (!kv.has_value) {
      if (in_bauds && !item.empty()) {
        bauds += ':';
        bauds += item;
      } else if (first && !item.empty()) {
        o.image_path = std::string(item);
      } else if (!item.empty()) {
        bad(fmt::format("'{}' is not option=value", item));
      }
    } else {
      if (in_bauds) apply(o, "bauds", bauds);
      in_bauds = false;
      const std::string_view key = kv.key, val = kv.value;
      if (key == "bauds") {
        in_bauds = true;
        bauds = std::string(val);
      } else {
        apply(o, key, val);
      }
    }
    first = false;
  }
  if (in_bauds) apply(o, "bauds", bauds);
  if (o.powercycle_after_s && o.state != BootState::Linux && *o.powercycle_after_s <= 0)
    bad("powercycle-after must be > 0");
  for (auto b : o.baud_table())
    if (b == o.baud) return o;
  bad(fmt::format("baud={} is not in the baud table", o.baud));
}

const char* dialect_name(Dialect d) {
  switch (d) {
    case Dialect::Ingenic2013: return "ingenic2013";
    case Dialect::Thingino: return "thingino";
    case Dialect::OpenIpc: return "openipc";
    case Dialect::Modern: break;
  }
  return "modern";
}

SfDialect SimOptions::sf_dialect() const {
  if (sf) return *sf;
  switch (dialect) {
    case Dialect::Thingino: return SfDialect::Thingino;
    case Dialect::Modern: return SfDialect::Modern;
    default: return SfDialect::Vendor;  // stock and OpenIPC print "--->read spend N ms"
  }
}

std::string SimOptions::prompt_text() const {
  if (prompt) return *prompt;
  // CONFIG_SYS_BOARD "# " on the Ingenic builds; OpenIPC's isvp_common.h sets "OpenIPC # ".
  return dialect == Dialect::Modern ? "=> " : dialect == Dialect::OpenIpc ? "OpenIPC # " : "isvp_t31# ";
}

int SimOptions::bootdelay_s() const {
  if (bootdelay) return *bootdelay;
  return ingenic() ? 1 : 2;  // CONFIG_BOOTDELAY 1 (isvp_common.h); 2 upstream
}

StopKey SimOptions::stop_key() const {
  if (stop) return *stop;
  switch (dialect) {
    case Dialect::Thingino: return StopKey::CtrlC;
    case Dialect::OpenIpc: return StopKey::Enter;
    default: return StopKey::Any;
  }
}

bool SimOptions::stops_on_any_key() const { return stop_key() == StopKey::Any; }

uint64_t SimOptions::erase_unit() const {
  if (erase_size) return *erase_size;
  return ingenic() ? 0x10000 : 0x1000;  // CONFIG_SFC_MIN_ALIGN 0x10000 (isvp_common.h); "erase size 4 KiB"
}

std::vector<uint32_t> SimOptions::baud_table() const {
  if (!bauds.empty()) return bauds;
  if (ingenic()) return {9600, 19200, 38400, 57600, 115200};
  return {9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600};
}

bool SimOptions::baud_fixed() const {
  if (fixed_baud) return *fixed_baud;
  return ingenic();
}

}  // namespace camdump::sim
