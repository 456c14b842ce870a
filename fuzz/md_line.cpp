// SPDX-License-Identifier: MIT
// Fuzz the md line parser: any bytes must parse to Ok/NotMd/Corrupt without crashing, and an Ok
// line must render back to a line that parses to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "uboot/md_format.hpp"

using namespace camdump::uboot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  MdLine l;
  if (parse_md_line(line, Endian::Little, l) == MdParse::Ok) {
    std::string again;
    MdRenderOptions opt;
    opt.width = l.width;
    render_md(again, std::span<const uint8_t>(l.bytes.data(), l.count), l.addr, opt);
    MdLine l2;
    if (parse_md_line(again, Endian::Little, l2) != MdParse::Ok || l2.count != l.count || l2.bytes != l.bytes)
      std::abort();
  }
  return 0;
}
