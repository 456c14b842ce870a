// SPDX-License-Identifier: MIT
#include "cli/json.hpp"

#include "core/size.hpp"

namespace camdump::cli {

nlohmann::json uboot_device_json(const uboot::DeviceInfo& d) {
  return {{"kind", "u-boot"},
          {"prompt", d.prompt},
          {"version", d.version},
          {"soc", d.soc},
          {"console_uart", d.console_uart},
          {"arch", d.arch}};
}

nlohmann::json programmer_device_json(const std::string& programmer, const std::string& chip, const std::string& vendor,
                                      const std::string& id, const std::string& type) {
  return {{"kind", "ch341a"}, {"programmer", programmer}, {"chip", chip}, {"vendor", vendor}, {"id", id},
          {"type", type}};
}

nlohmann::json route_json(const RouteFacts& f, nlohmann::json device) {
  const nlohmann::json flash = f.flash_size ? nlohmann::json(*f.flash_size) : nlohmann::json(nullptr);
  const nlohmann::json crc = f.crc32 ? nlohmann::json(crc_hex(*f.crc32)) : nlohmann::json(nullptr);
  const nlohmann::json wire = f.wire_seconds ? nlohmann::json(*f.wire_seconds) : nlohmann::json(nullptr);
  nlohmann::json j;
  j["command"] = f.command;
  j["route"] = f.route;
  j["output"] = f.output.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.output);
  j["device"] = std::move(device);
  j["range"] = {{"offset", f.offset}, {"length", f.length}, {"flash_size", flash}};
  j["verification"] = {{"verified", f.verified}, {"by", f.verified_by}, {"crc32", crc}, {"sha256", f.sha256}};
  j["timing"] = {{"seconds", f.seconds}, {"wire_seconds", wire}};
  // The flat keys scripts written against earlier versions read.
  j["offset"] = f.offset;
  j["length"] = f.length;
  j["flash_size"] = flash;
  j["crc32"] = crc;
  j["sha256"] = f.sha256;
  j["seconds"] = f.seconds;
  return j;
}

nlohmann::json restore_json(const RouteFacts& f, nlohmann::json device, const RestoreFacts& r) {
  nlohmann::json j = route_json(f, std::move(device));
  j["image"] = r.image;
  j["chip"] = r.chip;
  j["id"] = r.id;
  const dump::RestoreOutcome& o = r.outcome;
  j["range"]["end"] = o.end;
  j["boot_region"] = {{"offset", o.boot.first}, {"end", o.boot.second}};
  j["dry_run"] = o.dry_run;
  j["resumed"] = o.resumed;
  // One count under both names the restores printed before they shared this shape.
  j["differing_sectors"] = o.plan.differing_sectors;
  j["differing_units"] = o.plan.differing_sectors;
  nlohmann::json units = nlohmann::json::array();
  for (const auto& u : o.plan.units) units.push_back({{"offset", u.offset}, {"size", u.size}, {"boot", u.boot}});
  j["units"] = units;
  j["plan_bytes"] = o.plan.bytes;
  j["backup"] = o.backup.string();
  j["problems"] = o.problems;
  j["notes"] = o.notes;
  j["units_written"] = o.units_written;
  j["unit_retries"] = o.unit_retries;
  j["final_rewrites"] = o.final_rewrites;
  return j;
}

}  // namespace camdump::cli
