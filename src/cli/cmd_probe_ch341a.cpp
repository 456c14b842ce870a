// SPDX-License-Identifier: MIT
// `camdump probe ch341a`: identify the flash chip on a CH341A programmer (or the emulated one):
// JEDEC ID, vendor, part, size, SFDP summary, NOR or NAND, page/OOB sizes, wiring warnings.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "dump/ch341a_dump.hpp"
#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/groups.hpp"
#include "cli/option_groups.hpp"
#include "core/size.hpp"

namespace camdump::cli {
namespace {

struct ProbeArgs {
  ProgrammerArgs programmer;
  bool json = false;
};

void run(const ProbeArgs& a, Context& ctx) {
  auto s = ch341a::Ch341aSession::open({a.programmer.device, a.programmer.sim});
  spi::ProbeResult r = ch341a::probe_ch341a(*s, a.programmer.chip);
  bool nand = r.kind == spi::ChipKind::Nand;
  if (a.json) {
    nlohmann::json j;
    j["programmer"] = s->describe();
    j["id"] = spi::id_string(r.id);
    j["vendor"] = r.vendor;
    j["part"] = r.name;
    j["markings"] = r.chip ? spi::chip_names(*r.chip) : "";
    j["type"] = nand ? "SPI NAND" : "SPI NOR";
    j["size"] = r.size;
    if (nand) j["page"] = r.page, j["oob"] = r.oob;
    j["sfdp"] = r.sfdp ? nlohmann::json{{"summary", r.sfdp->summary()},
                                        {"size", r.sfdp->size},
                                        {"address_bytes", r.sfdp->address_bytes}}
                       : nlohmann::json(nullptr);
    j["warnings"] = r.warnings;
    fmt::print("{}\n", j.dump(2));
    return;
  }
  for (const auto& w : r.warnings) ctx.reporter.log(LogLevel::Warn, w);
  fmt::print("programmer: {}\n", s->describe());
  fmt::print("JEDEC ID:   {}\n", spi::id_string(r.id));
  fmt::print("chip:       {} {}{}\n", r.vendor, r.name,
             r.chip && spi::chip_names(*r.chip) != r.name ? " (" + spi::chip_names(*r.chip) + ")" : "");
  fmt::print("type:       {}\n", nand ? "SPI NAND" : "SPI NOR");
  fmt::print("size:       {}\n", format_size(r.size));
  if (nand) fmt::print("page:       {} + {} OOB bytes, {} pages per block\n", r.page, r.oob, r.chip->pages_per_block);
  fmt::print("SFDP:       {}\n", r.sfdp ? r.sfdp->summary() : std::string("none"));
  fmt::print("{} {} {} ({})\n", r.name, format_size(r.size), nand ? "SPI NAND" : "SPI NOR", spi::id_string(r.id));
}

}  // namespace

void register_probe_ch341a(Command app, Context& ctx) {
  auto args = std::make_shared<ProbeArgs>();
  Command c = add_command(probe_group(app), "ch341a",
                          "Identify the SPI NOR / SPI NAND chip on a CH341A programmer (1a86:5512): JEDEC ID, "
                          "part, size, SFDP, page/OOB sizes, and warnings for IDs that point to a wiring fault");
  add_programmer_options(
      c, args->programmer,
      {.device = "Use the CH341A at BUS:ADDR as lsusb prints it (default: the first one)",
       .sim = "Use the emulated CH341A instead of hardware: image=FILE,chip=NAME[,flaky=RATE,seed=N,"
              "bad=B1:B2,eccfail=P1:P2,unplug=N,stall=N,hang=N,id=EF4018,size=16M,sfdp=bits|exp|none]",
       .chip = "Take the part from the chip table by its package marking (e.g. XM25QH128C, W25Q256FV, "
               "MX25L12835F; case-insensitive) instead of trusting the ID",
       .in_flight = {}});
  add_json_flag(c, args->json, "Print only a JSON object on stdout");
  c.on_run([args, &ctx] { run(*args, ctx); });
}

}  // namespace camdump::cli
