// SPDX-License-Identifier: MIT
// `camdump dump ch341a`: read the whole chip (or a range) through a CH341A programmer, N times,
// re-reading sectors that differ until two reads agree; OUT appears only when every sector has
// agreement. Summary with SHA-256, re-reads, NAND bad blocks and ECC failures.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "dump/ch341a_dump.hpp"
#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/groups.hpp"
#include "cli/option_groups.hpp"
#include "cli/inspect_summary.hpp"
#include "cli/json.hpp"
#include "core/error.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"

namespace camdump::cli {
namespace {

struct DumpArgs {
  OutputArgs output;
  RangeArgs range;
  ProgrammerArgs programmer;
  std::optional<uint64_t> size;
  uint32_t reads = 2;
  bool nand_oob = false, nand_data = false;
};

std::string list_pages(const std::vector<uint32_t>& v, size_t max = 16) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < max; ++i) s += fmt::format("{}{}", i ? ", " : "", v[i]);
  if (v.size() > max) s += fmt::format(" and {} more", v.size() - max);
  return s;
}

nlohmann::json to_json(const DumpArgs& a, const ch341a::DumpSummary& r, const ch341a::DumpOptions& o,
                       ch341a::Ch341aSession& s) {
  const bool nand = r.probe.kind == spi::ChipKind::Nand;
  const std::string type = nand ? "SPI NAND" : "SPI NOR";
  nlohmann::json j =
      route_json({.command = "dump ch341a",
                  .route = "ch341a",
                  .output = r.out.string(),
                  .offset = o.offset,
                  .length = r.bytes,
                  .flash_size = r.image_size,
                  .verified = a.reads >= 2,  // --reads 1 compares nothing
                  .verified_by = a.reads >= 2 ? fmt::format("{} reads, every sector in two agreeing reads", a.reads)
                                              : "nothing (--reads 1)",
                  .sha256 = r.verify.sha256,
                  .seconds = r.seconds},
                 programmer_device_json(s.describe(), r.probe.name, r.probe.vendor, spi::id_string(r.probe.id), type));
  j["bytes"] = r.bytes;
  j["chip"] = r.probe.name;
  j["vendor"] = r.probe.vendor;
  j["id"] = spi::id_string(r.probe.id);
  j["type"] = type;
  j["layout"] = nand ? (a.nand_oob ? "data+oob" : "data") : "bytes";
  j["reads"] = a.reads;
  j["verified"] = a.reads >= 2;
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
  if (!nand) j["inspect"] = dump_inspect_summary(r.out, o.offset);
  return j;
}

void run(const DumpArgs& a, Context& ctx) {
  check_output_path(a.output.out, a.output.check());  // before the programmer is touched
  ch341a::DumpOptions o;
  o.out = a.output.out;
  o.reads = a.reads;
  o.chip = a.programmer.chip;
  if (a.size) o.size = *a.size;
  o.offset = a.range.offset.value_or(0);
  o.length = a.range.length.value_or(0);
  o.nand_oob = a.nand_oob;
  o.resume = a.output.resume;
  auto s = ch341a::Ch341aSession::open({a.programmer.device, a.programmer.sim, a.programmer.in_flight});
  ch341a::DumpSummary r = ch341a::dump_ch341a(*s, o, ctx.reporter, ctx.cancel);
  bool nand = r.probe.kind == spi::ChipKind::Nand;
  double per_byte = r.verify.bytes_read ? 1.0 / double(r.verify.bytes_read) : 0;
  if (a.output.json) {
    fmt::print("{}\n", to_json(a, r, o, *s).dump(2));
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
    fmt::print("verified: {} reads; {} sectors differed, settled by {} re-reads{}\n", a.reads, r.verify.disputed_units,
               r.verify.rereads, resumed);
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
    if (auto summary = dump_inspect_summary(r.out, o.offset); !summary.empty()) fmt::print("{}\n", summary);
  }
}

}  // namespace

void register_dump_ch341a(Command app, Context& ctx) {
  auto a = std::make_shared<DumpArgs>();
  Command c = add_command(dump_group(app), "ch341a",
                          "Read a SPI NOR / SPI NAND chip through a CH341A programmer, verified by repeated reads; "
                          "OUT is written only when every sector has two agreeing reads");
  add_output_options(c, a->output,
                     {.out = "Output file (written as OUT.part, renamed when verified)",
                      .resume = "Continue an interrupted dump from OUT.part and OUT.part.state (same chip and range): "
                                "the first read is not repeated where it got to; later reads still check every byte"});
  c.option("--reads", a->reads,
           "Full reads of the chip (default 2; 1 = no verification); sectors "
           "that differ are re-read until two reads agree")
      .range(1, 16);
  add_programmer_options(c, a->programmer);
  c.size("--size", a->size, "Chip size for a part the table does not know (16M, 0x1000000)");
  add_range_options(c, a->range,
                    {.offset = "Start reading at this byte offset (NAND: of the image layout)",
                     .length = "Read only this many bytes (default: to the end)"});
  Opt oob = c.flag("--nand-oob", a->nand_oob, "SPI NAND: write data+OOB per page (e.g. 2048+64 bytes)");
  c.flag("--nand-data", a->nand_data, "SPI NAND: write page data only (the default)").excludes(oob);
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
