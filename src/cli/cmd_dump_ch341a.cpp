// SPDX-License-Identifier: MIT
// `camdump dump ch341a`: read the whole chip (or a range) through a CH341A programmer, N times,
// re-reading sectors that differ until two reads agree; OUT appears only when every sector has
// agreement. Summary with SHA-256, re-reads, NAND bad blocks and ECC failures.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "dump/ch341a_dump.hpp"
#include "cli/context.hpp"
#include "cli/groups.hpp"
#include "cli/inspect_summary.hpp"
#include "core/error.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"

namespace camdump::cli {
namespace {

struct DumpArgs {
  std::string out, chip, size, offset, length, device, sim;
  unsigned reads = 2, in_flight = 32;
  bool nand_oob = false, nand_data = false, resume = false, json = false, force = false;
};

std::string list_pages(const std::vector<uint32_t>& v, size_t max = 16) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < max; ++i) s += fmt::format("{}{}", i ? ", " : "", v[i]);
  if (v.size() > max) s += fmt::format(" and {} more", v.size() - max);
  return s;
}

void run(const DumpArgs& a, Context& ctx) {
  check_output_path(a.out, {.force = a.force, .resume = a.resume});  // before the programmer is touched
  if (a.reads < 1 || a.reads > 16) fail(ErrorKind::Usage, "--reads must be 1..16");
  if (a.nand_oob && a.nand_data) fail(ErrorKind::Usage, "--nand-oob and --nand-data exclude each other");
  ch341a::DumpOptions o;
  o.out = a.out;
  o.reads = a.reads;
  o.chip = a.chip;
  if (!a.size.empty()) o.size = size_arg("--size", a.size);
  if (!a.offset.empty()) o.offset = size_arg("--offset", a.offset);
  if (!a.length.empty()) o.length = size_arg("--length", a.length);
  o.nand_oob = a.nand_oob;
  o.resume = a.resume;
  auto s = ch341a::Ch341aSession::open({a.device, a.sim, a.in_flight});
  ch341a::DumpSummary r = ch341a::dump_ch341a(*s, o, ctx.reporter, ctx.cancel);
  bool nand = r.probe.kind == spi::ChipKind::Nand;
  double per_byte = r.verify.bytes_read ? 1.0 / double(r.verify.bytes_read) : 0;
  if (a.json) {
    nlohmann::json j;
    j["output"] = r.out.string();
    j["bytes"] = r.bytes;
    j["sha256"] = r.verify.sha256;
    j["chip"] = r.probe.name;
    j["vendor"] = r.probe.vendor;
    j["id"] = spi::id_string(r.probe.id);
    j["type"] = nand ? "SPI NAND" : "SPI NOR";
    j["layout"] = nand ? (a.nand_oob ? "data+oob" : "data") : "bytes";
    j["reads"] = a.reads;
    j["verified"] = a.reads >= 2;  // --reads 1 compares nothing
    j["disputed_sectors"] = r.verify.disputed_units;
    j["rereads"] = r.verify.rereads;
    j["resumed_bytes"] = r.verify.resumed_bytes;
    j["bad_blocks"] = r.bad_blocks;
    j["ecc_failed_pages"] = r.ecc_failed_pages;
    j["ecc_corrected_pages"] = r.ecc_corrected_pages;
    j["warnings"] = r.probe.warnings;
    j["usb"] = {{"transfers_out", r.bus.transfers_out}, {"transfers_in", r.bus.transfers_in},
                {"bytes_out", r.bus.bytes_out},         {"bytes_in", r.bus.bytes_in},
                {"max_in_flight", r.bus.max_in_flight}, {"flash_bytes_read", r.verify.bytes_read}};
    j["seconds"] = r.seconds;
    if (!nand) j["inspect"] = dump_inspect_summary(r.out, o.offset);
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("chip:     {} {} ({}, ID {})\n", r.probe.vendor, r.probe.name, format_size(r.probe.size),
             spi::id_string(r.probe.id));
  const std::string resumed = r.verify.resumed_bytes ? fmt::format("; first read of {} resumed from OUT.part",
                                                                    format_size(r.verify.resumed_bytes))
                                                      : "";
  if (a.reads < 2)  // one read: there was nothing to compare it with
    fmt::print("verified: no (--reads 1: the chip was read once and nothing was compared){}\n", resumed);
  else
    fmt::print("verified: {} reads; {} sectors differed, settled by {} re-reads{}\n", a.reads,
               r.verify.disputed_units, r.verify.rereads, resumed);
  if (nand) {
    fmt::print("layout:   {} per page\n", a.nand_oob ? "data+OOB" : "data only");
    fmt::print("bad blocks ({}): {}\n", r.bad_blocks.size(), r.bad_blocks.empty() ? "none" : list_pages(r.bad_blocks));
    fmt::print("ECC failures ({} pages): {}\n", r.ecc_failed_pages.size(),
               r.ecc_failed_pages.empty() ? "none" : list_pages(r.ecc_failed_pages));
  }
  fmt::print("USB:      {:.4f} transfers and {:.4f} bus bytes per flash byte, {} IN transfers in flight\n",
             double(r.bus.transfers_in + r.bus.transfers_out) * per_byte,
             double(r.bus.bytes_in + r.bus.bytes_out) * per_byte, r.bus.max_in_flight);
  fmt::print("{}: {}, sha256 {}\n", r.out.string(), format_size(r.bytes), r.verify.sha256);
  if (!nand) {
    if (auto s = dump_inspect_summary(r.out, o.offset); !s.empty()) fmt::print("{}\n", s);
  }
}

}  // namespace

void register_dump_ch341a(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<DumpArgs>();
  CLI::App* c = dump_group(app).add_subcommand(
      "ch341a", "Read a SPI NOR / SPI NAND chip through a CH341A programmer, verified by repeated reads; "
                "OUT is written only when every sector has two agreeing reads");
  c->add_option("-o,--output", a->out, "Output file (written as OUT.part, renamed when verified)")->required();
  c->add_option("--reads", a->reads, "Full reads of the chip (default 2; 1 = no verification); sectors "
                                     "that differ are re-read until two reads agree");
  c->add_option("--chip", a->chip, "Part by package marking (XM25QH128C, W25Q256FV, MX25L12835F; "
                                   "case-insensitive) instead of identifying it by its ID");
  c->add_option("--size", a->size, "Chip size for a part the table does not know (16M, 0x1000000)");
  c->add_option("--offset", a->offset, "Start reading at this byte offset (NAND: of the image layout)");
  c->add_option("--length", a->length, "Read only this many bytes (default: to the end)");
  c->add_option("--device", a->device, "Use the CH341A at BUS:ADDR as lsusb prints it (default: the first)");
  c->add_flag("--nand-oob", a->nand_oob, "SPI NAND: write data+OOB per page (e.g. 2048+64 bytes)");
  c->add_flag("--nand-data", a->nand_data, "SPI NAND: write page data only (the default)");
  c->add_option("--sim", a->sim,
                "Use the emulated CH341A: image=FILE,chip=NAME[,flaky=RATE,seed=N,bad=B1:B2,"
                "eccfail=P1:P2,unplug=N,stall=N,hang=N,id=EF4018,size=16M,sfdp=bits|exp|none]");
  c->add_flag("--force", a->force, "Replace an existing OUT (otherwise refused, naming its size and date)");
  c->add_flag("--resume", a->resume,
              "Continue an interrupted dump from OUT.part and OUT.part.state (same chip and range): the "
              "first read is not repeated where it got to; later reads still check every byte");
  c->add_option("--in-flight", a->in_flight, "USB IN transfers kept queued (default 32, as flashrom)");
  c->add_flag("--json", a->json, "Print only a JSON summary on stdout");
  c->callback([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
