// SPDX-License-Identifier: MIT
#include "cli/inspect_json.hpp"

#include "core/size.hpp"

namespace camdump::cli {
namespace {

using image::InspectReport;

nlohmann::json ranges_json(const std::vector<image::ByteRange>& v) {
  auto a = nlohmann::json::array();
  for (const auto& g : v) a.push_back({{"offset", hex(g.offset)}, {"size", g.size}});
  return a;
}

nlohmann::json payload_json(const image::PayloadCheck& p) {
  return {{"format", image::payload_format_name(p.format)},
          {"ok", p.ok},
          {"checksummed", p.checksummed},
          {"in_bytes", p.in_bytes},
          {"out_bytes", p.out_bytes},
          {"expected_out", p.expected_out ? nlohmann::json(*p.expected_out) : nlohmann::json(nullptr)},
          {"error", p.error},
          {"error_at", p.error_at}};
}

nlohmann::json boot_json(const image::BootInfo& b) {
  return {{"ingenic_spl", b.ingenic_spl},
          {"spl_length", b.spl_length},
          {"sigmastar_ipl", b.sigmastar_ipl},
          {"uboot_versions", b.uboot_versions},
          {"soc", b.soc},
          {"uboot_uimage", b.uboot_uimage ? nlohmann::json(hex(*b.uboot_uimage)) : nlohmann::json(nullptr)},
          {"spl_crc_ok", b.spl_crc_ok ? nlohmann::json(*b.spl_crc_ok) : nlohmann::json(nullptr)},
          {"spl_crc_stored", b.spl_crc_stored},
          {"spl_crc_computed", b.spl_crc_computed},
          {"spl_flash", b.spl_flash},
          {"uboot_raw", b.uboot_raw ? nlohmann::json(hex(*b.uboot_raw)) : nlohmann::json(nullptr)},
          {"uboot_payload_version", b.uboot_payload_version},
          {"uboot_payload",
           b.uboot_image && b.uboot_image->payload ? payload_json(*b.uboot_image->payload) : nlohmann::json(nullptr)}};
}

nlohmann::json env_json(const image::EnvBlock& e) {
  nlohmann::json vars = nlohmann::json::array();
  for (const auto& [k, v] : e.vars) vars.push_back({{"key", k}, {"value", v}});
  return {{"offset", hex(e.offset)}, {"size", e.size},     {"redundant", e.redundant},
          {"flags", e.flags},        {"crc_ok", e.crc_ok}, {"vars", vars}};
}

nlohmann::json uimage_json(const image::UImageInfo& u) {
  return {{"offset", hex(u.offset)},
          {"header_crc_ok", u.header_crc_ok},
          {"data_crc_ok", u.data_crc_ok},
          {"truncated", u.truncated},
          {"name", u.name},
          {"size", u.size},
          {"time", u.time},
          {"load", hex(u.load, 8)},
          {"entry", hex(u.entry, 8)},
          {"os", u.os},
          {"arch", u.arch},
          {"type", u.type},
          {"comp", u.comp},
          {"payload", u.payload ? payload_json(*u.payload) : nlohmann::json(nullptr)}};
}

nlohmann::json squashfs_json(const image::SquashfsInfo& q) {
  return {{"offset", hex(q.offset)},
          {"bytes_used", q.bytes_used},
          {"block_size", q.block_size},
          {"compression", q.compression},
          {"inodes", q.inodes},
          {"files", q.files},
          {"dirs", q.dirs},
          {"file_bytes", q.file_bytes},
          {"read_ok", q.read_ok},
          {"blocks", q.blocks},
          {"stored_blocks", q.stored_blocks},
          {"stored_bytes", q.stored_bytes}};
}

nlohmann::json jffs2_json(const image::Jffs2Info& f) {
  return {{"offset", hex(f.offset)},    {"good_nodes", f.good_nodes},     {"bad_nodes", f.bad_nodes},
          {"used_bytes", f.used_bytes}, {"erased_bytes", f.erased_bytes}, {"erase_size", f.erase_size},
          {"big_endian", f.big_endian}};
}

nlohmann::json ubi_json(const image::UbiInfo& u) {
  auto vols = nlohmann::json::array();
  for (const auto& v : u.volumes)
    vols.push_back({{"id", v.id},
                    {"name", v.name},
                    {"static", v.is_static},
                    {"reserved_pebs", v.reserved_pebs},
                    {"lebs", v.lebs},
                    {"used_ebs", v.used_ebs},
                    {"data_bytes", v.data_bytes},
                    {"crc_lebs", v.crc_lebs},
                    {"content", v.content},
                    {"summary", v.summary},
                    {"ok", v.ok}});
  return {{"offset", hex(u.offset)},
          {"peb_size", u.peb_size},
          {"ec_headers", u.ec_headers},
          {"vid_headers", u.vid_headers},
          {"bad_headers", u.bad_headers},
          {"blank_pebs", u.blank_pebs},
          {"vid_hdr_offset", u.vid_hdr_offset},
          {"data_offset", u.data_offset},
          {"vtbl_found", u.vtbl_found},
          {"vtbl_ok", u.vtbl_ok},
          {"volumes", vols}};
}

nlohmann::json part_json(const image::PartReport& p) {
  nlohmann::json pj = {{"name", p.name},
                       {"offset", hex(p.offset)},
                       {"size", p.size},
                       {"whole_chip", p.whole_chip},
                       {"overlapping", p.overlapping},
                       {"content", p.content},
                       {"ok", p.ok},
                       {"summary", p.summary},
                       {"blank_bytes", p.blank_bytes}};
  if (p.uimage) pj["uimage"] = uimage_json(*p.uimage);
  if (p.squashfs) pj["squashfs"] = squashfs_json(*p.squashfs);
  if (p.jffs2) pj["jffs2"] = jffs2_json(*p.jffs2);
  if (p.ubi) pj["ubi"] = ubi_json(*p.ubi);
  pj["proof"] = p.proof;
  pj["proof_detail"] = p.proof_detail;
  return pj;
}

}  // namespace

nlohmann::json inspect_report_json(const InspectReport& r, const std::string& path) {
  nlohmann::json j;
  j["file"] = path;
  j["ok"] = r.ok();
  j["size"] = r.size;
  j["flash_size"] = r.flash_size;
  j["mirror_of"] = r.mirror_of ? nlohmann::json(*r.mirror_of) : nlohmann::json(nullptr);
  j["blank"] = ranges_json(r.blank);
  j["zero"] = ranges_json(r.zero);
  j["boot"] = boot_json(r.boot);
  j["envs"] = nlohmann::json::array();
  for (const auto& e : r.envs) j["envs"].push_back(env_json(e));
  j["layout"] = {{"source", r.layout.source}, {"mtdparts", r.layout.mtdparts}, {"known", r.layout.known}};
  j["parts"] = nlohmann::json::array();
  for (const auto& p : r.parts) j["parts"].push_back(part_json(p));
  j["problems"] = nlohmann::json::array();
  for (const auto& p : r.problems)
    j["problems"].push_back({{"part", p.part}, {"offset", hex(p.offset)}, {"message", p.message}, {"text", p.text()}});
  return j;
}

}  // namespace camdump::cli
