// SPDX-License-Identifier: MIT
#include "dump/restore_plan.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/size.hpp"

namespace camdump::dump {

RestorePlan plan_restore(const RestorePlanInput& in) {
  const uint64_t s = in.sector;
  if (!s || in.begin % s || in.end % s || in.end < in.begin)
    fail(ErrorKind::Usage, fmt::format("restore range {}-{} is not a whole number of {} KiB sectors", hex(in.begin),
                                       hex(in.end), s / 1024),
         "give --offset and --length as multiples of 4K");
  const uint64_t sectors = (in.end - in.begin) / s;
  if (in.differs.size() != sectors)
    fail(ErrorKind::Usage, fmt::format("restore plan: {} sector flags for {} sectors", in.differs.size(), sectors));
  RestorePlan plan;
  std::vector<RestoreUnit> normal, boot;
  const uint64_t per_block = in.block && in.block % s == 0 ? in.block / s : 0;
  auto add = [&](uint64_t off, uint32_t size) {
    RestoreUnit u{off, size, off < in.boot_end && off + size > in.boot_begin};
    (u.boot ? boot : normal).push_back(u);
    plan.bytes += size;
  };
  for (uint64_t i = 0; i < sectors;) {
    const uint64_t off = in.begin + i * s;
    // A whole aligned block inside the range whose every sector differs: one block erase
    // (one 150 ms block erase instead of 16 x 45 ms sector erases, typical W25Q128JV times).
    if (per_block && off % in.block == 0 && i + per_block <= sectors &&
        std::all_of(in.differs.begin() + long(i), in.differs.begin() + long(i + per_block), [](bool d) { return d; })) {
      add(off, in.block);
      plan.differing_sectors += per_block;
      i += per_block;
      continue;
    }
    if (in.differs[i]) {
      add(off, uint32_t(s));
      ++plan.differing_sectors;
    }
    ++i;
  }
  plan.boot_units = boot.size();
  plan.units = std::move(normal);
  plan.units.insert(plan.units.end(), boot.begin(), boot.end());
  return plan;
}

std::pair<uint64_t, uint64_t> boot_region(const image::InspectReport& r) {
  for (const auto& p : r.parts) {
    if (p.whole_chip || p.overlapping) continue;
    if (p.name == "boot" || p.name == "uboot" || p.name == "u-boot" || p.content == "boot")
      return {p.offset, p.offset + p.size};
  }
  if (r.boot.ingenic_spl || r.boot.sigmastar_ipl || !r.boot.uboot_versions.empty()) {
    uint64_t end = 256 * 1024;
    for (const auto& p : r.parts)
      if (!p.whole_chip && !p.overlapping && p.offset > 0) {
        end = p.offset;
        break;
      }
    return {0, std::min<uint64_t>(end, r.size ? r.size : end)};
  }
  return {0, 64 * 1024};
}

std::string format_units(const std::vector<RestoreUnit>& units, size_t max) {
  std::string s;
  for (size_t i = 0; i < units.size() && i < max; ++i)
    s += fmt::format("{}{}-{} ({} KiB)", i ? ", " : "", hex(units[i].offset), hex(units[i].offset + units[i].size - 1),
                     units[i].size / 1024);
  if (units.size() > max) s += fmt::format(" and {} more", units.size() - max);
  return s;
}

std::string RestoreState::text() const {
  return fmt::format("camdump-restore 1\nimage_sha256 {}\nchip_id {}\nbegin {}\nend {}\nbackup {}\nsaved_sr1 {}\n"
                     "units_written {}\n",
                     image_sha256, chip_id, begin, end, backup.empty() ? "-" : backup, saved_sr1, units_written);
}

std::optional<RestoreState> RestoreState::parse(const std::string& t) {
  RestoreState st;
  std::istringstream in(t);
  std::string line;
  if (!std::getline(in, line) || line != "camdump-restore 1") return std::nullopt;
  unsigned seen = 0;
  while (std::getline(in, line)) {
    const size_t sp = line.find(' ');
    if (sp == std::string::npos) return std::nullopt;
    const std::string key = line.substr(0, sp), v = line.substr(sp + 1);
    auto number = [&](auto& out, unsigned bit) {
      const char* e = v.data() + v.size();
      if (!v.empty() && std::from_chars(v.data(), e, out).ptr == e) seen |= bit;
    };
    if (key == "image_sha256") st.image_sha256 = v, seen |= 1;
    else if (key == "chip_id") st.chip_id = v, seen |= 2;
    else if (key == "begin") number(st.begin, 4);
    else if (key == "end") number(st.end, 8);
    else if (key == "backup") st.backup = v == "-" ? "" : v, seen |= 16;
    else if (key == "saved_sr1") number(st.saved_sr1, 32);
    else if (key == "units_written") number(st.units_written, 64);
    else return std::nullopt;
  }
  return seen == 127 ? std::optional<RestoreState>(st) : std::nullopt;
}

void RestoreState::save(const std::filesystem::path& p) const {
  const std::string t = text();
  write_file_atomic(p, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.data()), t.size()));
}

std::optional<RestoreState> RestoreState::load(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return std::nullopt;
  const auto raw = read_file(p);
  return parse(std::string(raw.begin(), raw.end()));
}

std::filesystem::path restore_state_path(const std::filesystem::path& image) {
  return std::filesystem::path(image.string() + ".restore-state");
}

}  // namespace camdump::dump
