// SPDX-License-Identifier: MIT
#include "ch341a/sim_spec.hpp"

#include <fmt/core.h>

#include <cstring>
#include <random>

#include "core/error.hpp"
#include "core/file_util.hpp"
#include "core/key_value.hpp"
#include "core/size.hpp"

namespace camdump::ch341a {
namespace {

std::set<uint32_t> parse_list(const std::string& key, const std::string& v) {
  std::set<uint32_t> r;
  size_t start = 0;
  while (start <= v.size()) {
    size_t end = v.find(':', start);
    if (end == std::string::npos) end = v.size();
    auto n = parse_number(std::string_view(v).substr(start, end - start));
    if (!n || *n > 0xFFFFFFFFu)
      fail(ErrorKind::Usage, fmt::format("--sim {}={}: expected numbers separated by ':'", key, v));
    r.insert(uint32_t(*n));
    start = end + 1;
  }
  return r;
}

}  // namespace

SimSpec parse_sim_spec(const std::string& text) {
  SimSpec s;
  for (const KeyValueItem& kv : split_key_values(text)) {
    if (kv.text.empty()) continue;
    if (!kv.has_value) fail(ErrorKind::Usage, fmt::format("--sim: '{}' is not key=value", kv.text));
    const std::string k(kv.key), v(kv.value);
    auto num = [&] { return number_arg(fmt::format("--sim {}", k), v); };
    if (k == "image") s.image = v;
    else if (k == "chip") {
      s.chip = spi::find_chip_by_name(v);
      if (!s.chip)
        fail(ErrorKind::Usage, fmt::format("--sim chip={}: unknown part", v),
             "see `camdump probe ch341a --help` for the list of parts");
    } else if (k == "flaky") {
      char* e = nullptr;
      double r = std::strtod(v.c_str(), &e);
      if (!e || *e || r < 0 || r > 1) fail(ErrorKind::Usage, fmt::format("--sim flaky={}: expected a rate 0..1", v));
      s.faults.flip_rate = r;
    } else if (k == "seed") {
      s.faults.seed = num();
      s.seed_set = true;
    } else if (k == "save") {
      if (v.empty()) fail(ErrorKind::Usage, "--sim save=: expected a file name");
      s.save = v;
    } else if (k == "wp") {
      uint64_t w = num();
      if (w > 0xFF) fail(ErrorKind::Usage, fmt::format("--sim wp={}: expected a status register value 0..0xff", v));
      s.sr1 = uint8_t(w & 0xFC);  // BUSY and WEL are never set at power-up
    } else if (k == "unplug") s.faults.unplug_after = num();
    else if (k == "stall") s.faults.stall_after = num();
    else if (k == "hang") s.faults.hang_after = num();
    else if (k == "bad") s.bad_blocks = parse_list(k, v);
    else if (k == "worn") {
      for (uint32_t a : parse_list(k, v)) s.worn.insert(uint64_t(a) & ~uint64_t(4095));
    } else if (k == "eccfail") s.ecc_fail_pages = parse_list(k, v);
    else if (k == "size") s.size = size_arg("--sim size", v);
    else if (k == "sfdp") {
      if (v == "bits") s.sfdp_encoding = 0;
      else if (v == "exp") s.sfdp_encoding = 1;
      else if (v == "none") s.sfdp_encoding = -1;
      else fail(ErrorKind::Usage, fmt::format("--sim sfdp={}: expected bits, exp or none", v));
    } else if (k == "id") {
      auto h = parse_hex(v);
      if (!h || v.size() != 6) fail(ErrorKind::Usage, fmt::format("--sim id={}: expected 6 hex digits (EF4018)", v));
      s.id = std::vector<uint8_t>{uint8_t(*h >> 16), uint8_t(*h >> 8), uint8_t(*h)};
    } else {
      fail(ErrorKind::Usage, fmt::format("--sim: unknown key '{}'", k),
           "keys: image, chip, flaky, seed, save, wp, worn, bad, eccfail, unplug, stall, hang, id, size, sfdp");
    }
  }
  if (!s.chip && !s.id) s.chip = spi::find_chip_by_name("W25Q128FV");
  return s;
}

std::vector<uint8_t> sim_pattern(uint64_t size, uint64_t seed) {
  std::vector<uint8_t> v(size);
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 12345);
  size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    uint64_t x = rng();
    std::memcpy(v.data() + i, &x, 8);
  }
  for (; i < v.size(); ++i) v[i] = uint8_t(rng());
  return v;
}

std::unique_ptr<Ch341aEmu> make_emulator(const SimSpec& s) {
  bool nand = s.chip && s.chip->kind == spi::ChipKind::Nand;
  uint64_t size = s.size ? s.size : s.chip ? s.chip->size : 0;
  if (!size && s.id) size = uint64_t(1) << s.id->at(2);
  std::vector<uint8_t> image = s.image.empty() ? sim_pattern(size, s.faults.seed) : read_file(s.image);
  std::unique_ptr<SpiSlave> chip;
  EmuFaults faults = s.faults;
  if (!s.seed_set) faults.seed = std::random_device{}() ^ (uint64_t(std::random_device{}()) << 32);
  if (nand) {
    NandEmuConfig cfg;
    cfg.chip = s.chip;
    cfg.bad_blocks = s.bad_blocks;
    cfg.ecc_fail_pages = s.ecc_fail_pages;
    chip = make_nand_emu(cfg, std::move(image));
  } else {
    NorEmuConfig cfg;
    cfg.name = s.chip ? std::string(s.chip->name()) : "unknown";
    const uint8_t* id = s.id ? s.id->data() : s.chip->id;
    std::copy(id, id + 3, cfg.id);
    cfg.size = size;
    cfg.flags = s.chip ? s.chip->flags : 0;
    cfg.sfdp_encoding = s.sfdp_encoding;
    cfg.sr1 = s.sr1;
    cfg.worn = s.worn;
    if (!s.image.empty() && image.size() != size)
      fail(ErrorKind::Usage,
           fmt::format("--sim image={} is {} bytes but {} holds {}", s.image, image.size(), cfg.name, size),
           "pass size=... or a chip of that size");
    chip = make_nor_emu(cfg, std::move(image));
  }
  auto emu = std::make_unique<Ch341aEmu>(std::move(chip), faults);
  emu->save_on_exit(s.save);
  return emu;
}

}  // namespace camdump::ch341a
