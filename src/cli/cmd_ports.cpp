// SPDX-License-Identifier: MIT
// `camdump ports`: the serial ports and CH341A programmers present (io/port_list.hpp), with the
// stable /dev/serial/by-id/ name, USB IDs, the usual adapter it is, and whether this user may
// open it (and what to do when not). The last line says what PORT `auto` would pick.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/commands.hpp"
#include "ch341a/libusb_transport.hpp"
#include "io/port_list.hpp"
#include "io/port_lock.hpp"

namespace camdump::cli {
namespace {

struct PortsArgs {
  bool json = false, all = false;
};

// What the adapters and programmers are, for scripts: `auto` is null unless exactly one USB adapter.
nlohmann::json ports_json(const std::vector<io::SerialPortInfo>& shown, const std::vector<io::ProgrammerInfo>& progs,
                          const std::vector<io::SerialPortInfo>& ports, size_t usb) {
  nlohmann::json j = {{"ok", true}, {"serial", nlohmann::json::array()}, {"programmers", nlohmann::json::array()}};
  for (const auto& p : shown) {
    nlohmann::json e = {{"path", p.path},
                        {"by_id", p.by_id},
                        {"usb", p.usb},
                        {"manufacturer", p.manufacturer},
                        {"product", p.product},
                        {"serial", p.serial},
                        {"driver", p.driver},
                        {"note", p.note},
                        {"can_open", p.can_open.value_or(false)}};
    e["usb_id"] = p.usb ? nlohmann::json(fmt::format("{:04x}:{:04x}", p.vid, p.pid)) : nlohmann::json(nullptr);
    if (!p.can_open.value_or(false)) e["hint"] = io::permission_hint(p.path);
    j["serial"].push_back(e);
  }
  for (const auto& g : progs) {
    nlohmann::json e = {{"name", g.name},
                        {"usb_id", fmt::format("{:04x}:{:04x}", g.vid, g.pid)},
                        {"device", fmt::format("{}:{}", g.bus, g.address)},
                        {"node", g.node},
                        {"can_open", g.can_open}};
    if (!g.can_open) e["hint"] = ch341a::udev_rule_hint();
    j["programmers"].push_back(e);
  }
  j["auto"] = usb == 1 ? nlohmann::json(io::choose_auto_port(ports).path) : nlohmann::json(nullptr);
  return j;
}

void print_ports(const PortsArgs& a, const std::vector<io::SerialPortInfo>& shown,
                 const std::vector<io::ProgrammerInfo>& progs, const std::vector<io::SerialPortInfo>& ports,
                 size_t usb) {
  fmt::print("serial ports{}:\n", a.all ? "" : " (USB adapters; --all adds built-in UARTs)");
  if (shown.empty()) fmt::print("  none: plug in the USB-serial adapter (set it to 3.3 V for camera UARTs)\n");
  for (const auto& p : shown) {
    std::string what = p.usb ? fmt::format("{:04x}:{:04x}", p.vid, p.pid) : "built-in";
    fmt::print("  {}  {}{}{}\n", p.path, what, p.note.empty() ? "" : "  " + p.note,
               p.driver.empty() ? "" : fmt::format(" (driver {})", p.driver));
    if (!p.by_id.empty()) fmt::print("      by-id:  {}\n", p.by_id);
    if (!p.product.empty() || !p.serial.empty())
      fmt::print("      usb:    {}{}{}\n", p.manufacturer.empty() ? "" : p.manufacturer + " ", p.product,
                 p.serial.empty() ? "" : ", serial " + p.serial);
    fmt::print("      access: {}\n",
               p.can_open.value_or(false) ? "ok" : "no permission: " + io::permission_hint(p.path));
  }
  fmt::print("CH341A programmers (1a86:5512):\n");
  if (progs.empty()) fmt::print("  none\n");
  for (const auto& g : progs)
    fmt::print("  bus {} device {} (--device {}:{}, {})  access: {}\n", g.bus, g.address, g.bus, g.address, g.node,
               g.can_open ? "ok" : "no permission: " + ch341a::udev_rule_hint());
  if (usb == 1) fmt::print("PORT auto is {}\n", io::choose_auto_port(ports).path);
  else fmt::print("PORT auto: {} USB serial adapters (auto needs exactly one)\n", usb);
}

void run(const PortsArgs& a, Context&) {
  auto ports = io::list_serial_ports();
  auto progs = io::list_programmers();
  std::vector<io::SerialPortInfo> shown;
  size_t usb = 0;
  for (const auto& p : ports) {
    if (p.usb) ++usb;
    if (p.usb || a.all) shown.push_back(p);
  }
  if (a.json) fmt::print("{}\n", ports_json(shown, progs, ports, usb).dump(2));
  else print_ports(a, shown, progs, ports, usb);
}

}  // namespace

void register_ports(Command app, Context& ctx) {
  auto a = std::make_shared<PortsArgs>();
  Command c = add_command(
      app, "ports",
      "List the USB serial adapters (path, /dev/serial/by-id name, USB ID, the usual chip: CH340, CP210x, FT232, "
      "PL2303) and CH341A programmers, with whether you may open them; the last line says what PORT auto picks");
  c.flag("--all", a->all, "Also list built-in serial ports (/dev/ttyS*, /dev/ttyAMA*)");
  c.flag("--json", a->json, "Print only JSON on stdout");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
