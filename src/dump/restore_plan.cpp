// SPDX-License-Identifier: MIT
#include "dump/restore_plan.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/size.hpp"
#include "dump/resume_state.hpp"

namespace camdump::dump {

RestorePlan plan_restore(const RestorePlanInput& in) {
  const uint64_t s = in.sector;
  if (!s || in.begin % s || in.end % s || in.end < in.begin)
    fail(ErrorKind::Usage,
         fmt::format("restore range {}-{} is not a whole number of {} KiB sectors", hex(in.begin), hex(in.end),
                     s / 1024),
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
    uint64_t end = uint64_t{256} * 1024;
    for (const auto& p : r.parts)
      if (!p.whole_chip && !p.overlapping && p.offset > 0) {
        end = p.offset;
        break;
      }
    return {0, std::min<uint64_t>(end, r.size ? r.size : end)};
  }
  return {0, 64 * 1024};
}

std::string boot_region_warning(std::pair<uint64_t, uint64_t> boot) {
  return fmt::format(
      "writing the boot region {}-{} (SPL + U-Boot) now: if this is cut short, the camera will not "
      "boot until it is written again (by a programmer)",
      hex(boot.first), hex(boot.second - 1));
}

std::string format_units(const std::vector<RestoreUnit>& units, size_t max) {
  std::string s;
  for (size_t i = 0; i < units.size() && i < max; ++i)
    s += fmt::format("{}{}-{} ({} KiB)", i ? ", " : "", hex(units[i].offset), hex(units[i].offset + units[i].size - 1),
                     units[i].size / 1024);
  if (units.size() > max) s += fmt::format(" and {} more", units.size() - max);
  return s;
}

namespace {

ResumeState to_state(const RestoreState& r) {
  ResumeState st("restore");
  st.set("image_sha256", r.image_sha256);
  st.set("chip_id", r.chip_id);
  st.set_number("begin", r.begin);
  st.set_number("end", r.end);
  st.set("backup", r.backup);
  st.set("saved_sr1", std::to_string(r.saved_sr1));
  st.set_number("units_written", r.units_written);
  return st;
}

RestoreState from_state(const ResumeState& st) {
  RestoreState r;
  r.image_sha256 = st.get("image_sha256");
  r.chip_id = st.get("chip_id");
  r.begin = st.number("begin");
  r.end = st.number("end");
  r.backup = st.get("backup");
  const std::string_view sr1 = st.get("saved_sr1");
  if (sr1 == "-1") {
    r.saved_sr1 = -1;
  } else if (auto n = parse_number(sr1); n && *n <= 0xff) {
    r.saved_sr1 = static_cast<int>(*n);
  } else {
    st.refuse("saved_sr1 is not -1 or a status byte");
  }
  r.units_written = st.number("units_written");
  if (r.end < r.begin) st.refuse("its end is before its begin");
  return r;
}

}  // namespace

RestoreState RestoreState::parse(std::string_view text, const std::filesystem::path& file) {
  return from_state(ResumeState::parse(text, "restore", file));
}

std::string RestoreState::text() const { return to_state(*this).text(); }

void RestoreState::save(const std::filesystem::path& p) const { to_state(*this).save(p); }

std::optional<RestoreState> RestoreState::load(const std::filesystem::path& p) {
  const auto st = ResumeState::load(p, "restore");
  if (!st) return std::nullopt;
  return from_state(*st);
}

std::filesystem::path restore_state_path(const std::filesystem::path& image) {
  return std::filesystem::path(image.string() + ".restore-state");
}

}  // namespace camdump::dump
