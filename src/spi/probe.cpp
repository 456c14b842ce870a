// SPDX-License-Identifier: MIT
#include "spi/probe.hpp"

#include <fmt/core.h>

#include "core/error.hpp"
#include "core/size.hpp"
#include "spi/jedec_id.hpp"
#include "spi/spi_nand.hpp"
#include "spi/spi_nor.hpp"

namespace camdump::spi {
namespace {

ProbeResult from_chip(const ChipInfo& c, std::vector<uint8_t> id) {
  ProbeResult r;
  r.kind = c.kind;
  r.chip = &c;
  r.id = std::move(id);
  r.name = std::string(c.name());
  r.vendor = std::string(c.vendor);
  r.size = c.size;
  r.flags = c.flags;
  if (c.kind == ChipKind::Nand) r.page = c.page, r.oob = c.oob;
  return r;
}

}  // namespace

ProbeResult probe_chip(SpiMaster& m, const ChipInfo* forced) {
  std::vector<uint8_t> id = read_jedec_id(m, 3);
  if (forced) {
    ProbeResult r = from_chip(*forced, id);
    if (forced->kind == ChipKind::Nor) {
      if (id[0] != forced->id[0] || id[1] != forced->id[1] || id[2] != forced->id[2])
        r.warnings.push_back(fmt::format("--chip {} expects ID {} but the chip answered {}", forced->name(),
                                         id_string(forced->id), id_string(id)));
      r.sfdp = read_sfdp(m);
    }
    for (auto& w : wiring_warnings(id)) r.warnings.push_back(w);
    return r;
  }
  if (const ChipInfo* c = find_nor_by_id(id)) {
    ProbeResult r = from_chip(*c, id);
    r.sfdp = read_sfdp(m);
    if (r.sfdp && r.sfdp->size && r.sfdp->size != c->size)
      r.warnings.push_back(fmt::format("SFDP says {} but the table says {} for {}; using the table",
                                       format_size(r.sfdp->size), format_size(c->size), c->name()));
    return r;
  }
  std::optional<SfdpInfo> sfdp;
  if (!id_is_blank(id)) sfdp = read_sfdp(m);
  if (sfdp && sfdp->size) {
    ProbeResult r;
    r.id = id;
    r.name = "unknown SPI NOR";
    r.vendor = fmt::format("JEDEC 0x{:02X}", id[0]);
    r.size = sfdp->size;
    r.sfdp = sfdp;
    r.warnings.push_back(
        fmt::format("ID {} is not in the chip table; size {} from SFDP", id_string(id), format_size(r.size)));
    return r;
  }
  if (auto n = probe_nand(m)) {
    ProbeResult r = from_chip(*n->chip, {n->bytes[0], n->bytes[1], n->bytes[2]});
    r.id.resize(n->chip->id_len);
    return r;
  }
  auto warnings = wiring_warnings(id);
  if (!id_is_blank(id) && warnings.empty()) {
    if (auto size = size_from_capacity_byte(id[2])) {
      ProbeResult r;
      r.id = id;
      r.name = "unknown SPI NOR";
      r.vendor = fmt::format("JEDEC 0x{:02X}", id[0]);
      r.size = *size;
      r.warnings.push_back(
          fmt::format("ID {} is not in the chip table and has no SFDP; size {} "
                      "from the capacity byte (pass --size if that is wrong)",
                      id_string(id), format_size(*size)));
      return r;
    }
  }
  std::string why = warnings.empty() ? "not a known NOR or NAND part" : warnings.front();
  fail(ErrorKind::NotFound, fmt::format("no flash chip identified (ID {}): {}", id_string(id), why),
       "check the clip orientation (red wire = pin 1), power (3.3 V), and reseat; or name the "
       "part with --chip NAME and its size with --size");
}

}  // namespace camdump::spi
