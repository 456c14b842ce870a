// SPDX-License-Identifier: MIT
// The environment commands of the virtual camera: printenv, setenv (with the baudrate dialogue of
// docs/reference/uboot-console.md#baudrate) and saveenv (into the sim's EnvStore only: the flash
// image is never modified, so a dump stays comparable; SimStats::saveenv counts calls).
#include <fmt/core.h>

#include <cstdlib>

#include "sim/sim_machine.hpp"

namespace camdump::sim {

bool Machine::cmd_printenv(Args& a) {
  if (a.size() == 1 || (a.size() == 2 && a[1] == "-a")) {
    uint64_t used = 1;
    for (const auto& [k, v] : env_) {
      out(fmt::format("{}={}\n", k, v));
      used += k.size() + v.size() + 2;
    }
    out(fmt::format("\nEnvironment size: {}/{} bytes\n", used, env_store_.size));
    return true;
  }
  bool ok = true;
  for (size_t i = 1; i < a.size(); ++i) {
    auto it = env_.find(a[i]);
    if (it == env_.end()) {
      out(fmt::format("## Error: \"{}\" not defined\n", a[i]));
      ok = false;
    } else {
      out(fmt::format("{}={}\n", it->first, it->second));
    }
  }
  return ok;
}

bool Machine::cmd_setenv(Args& a) {
  if (a.size() < 2) {
    usage("setenv");
    return false;
  }
  const std::string& name = a[1];
  if (a.size() == 2) {
    env_.erase(name);
    return true;
  }
  std::string value;
  for (size_t i = 2; i < a.size(); ++i) value += (i > 2 ? " " : "") + a[i];
  if (name == "baudrate") {
    // on_baudrate (drivers/serial/serial.c): table check, then the interactive dialogue.
    char* end = nullptr;
    unsigned long v = std::strtoul(value.c_str(), &end, 10);
    bool ok = *end == '\0';
    bool in_table = false;
    for (auto b : opt_.baud_table())
      if (ok && b == v) in_table = true;
    if (!in_table) {
      out(fmt::format("## Baudrate {} bps not supported\n## Error inserting \"baudrate\" variable, errno=22\n",
                      std::strtol(value.c_str(), nullptr, 10)));
      return false;
    }
    auto cur = env_.find("baudrate");
    if (cur != env_.end() && std::strtoul(cur->second.c_str(), nullptr, 10) == v) return true;  // no-op
    out(fmt::format("## Switch baudrate to {} bps and press ENTER ...\n", v));
    switch_to_ = static_cast<uint32_t>(v);
    switch_pending_ = true;
    baud_switch_pos_ = delivered() + queued();
    mode_ = Mode::BaudWait;
    return true;
  }
  env_[name] = value;
  return true;
}

bool Machine::cmd_saveenv(Args&) {
  ++stats_.saveenv;
  env_store_.saved = env_;
  if (opt_.ingenic()) out("Saving Environment to SPI Flash...\nErasing SPI flash...Writing to SPI flash...done\n");
  else out("Saving Environment to SPIFlash... Erasing SPI flash...Writing to SPI flash...done\nOK\n");
  return true;
}

}  // namespace camdump::sim
