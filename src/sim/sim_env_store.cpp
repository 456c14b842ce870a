// SPDX-License-Identifier: MIT
// The virtual camera's stored environment (see sim_env_store.hpp).
#include "sim/sim_env_store.hpp"

#include "core/crc32.hpp"

namespace camdump::sim {

void EnvStore::load(std::span<const uint8_t> flash) {
  saved.clear();
  const uint64_t offsets[] = {0x50000, 0x40000};
  const uint64_t sizes[] = {0x10000, 0x8000, 0x4000};
  for (uint64_t off : offsets) {
    for (uint64_t block : sizes) {
      if (off + block > flash.size()) continue;
      const uint8_t* p = flash.data() + off;
      uint32_t stored = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
      if (camdump::crc32({p + 4, block - 4}) != stored) continue;
      size = block - 4;
      size_t i = 4;
      while (i < block && p[i]) {
        std::string kv;
        while (i < block && p[i]) kv += static_cast<char>(p[i++]);
        ++i;
        auto eq = kv.find('=');
        if (eq != std::string::npos) saved[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      return;
    }
  }
  // No valid environment in the image: U-Boot's default environment.
  saved = {{"baudrate", "115200"},     {"bootcmd", "sf probe;sf read 0x80600000 0x70000 0x190000;bootm 0x80600000"},
           {"bootdelay", "1"},         {"ethaddr", "00:11:22:33:44:55"},
           {"ipaddr", "192.168.1.10"}, {"serverip", "192.168.1.2"},
           {"loadaddr", "0x80600000"}};
}

}  // namespace camdump::sim
