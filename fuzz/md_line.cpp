// SPDX-License-Identifier: MIT
// Fuzz the md line parser: any bytes must parse to Ok/NotMd/Corrupt without crashing, and an Ok
// line must render back to a line that parses to the same bytes. The SIMD fast path must agree
// with the scalar one on every line, including near-valid lines: a good md.b line (of bytes from
// the input) with characters replaced at input-chosen columns.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "uboot/md_fast.hpp"
#include "uboot/md_format.hpp"

using namespace camdump::uboot;

namespace {

void fast_paths_agree(std::string_view line) {
  MdLine a, b;
  const bool sa = detail::parse_full_md_b_scalar(line, a);
  if (!detail::simd_available()) return;
  const bool sb = detail::parse_full_md_b_simd(line, b);
  if (sa != sb || (sa && (a.addr != b.addr || a.bytes != b.bytes))) std::abort();
}

}  // namespace

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
  fast_paths_agree(line);
  if (size >= 21) {
    // data[0]: dialect; data[1..4]: address; data[5..20]: the bytes; then (column, char) pairs.
    MdRenderOptions opt;
    opt.dialect = (data[0] & 1) ? MdDialect::Old : MdDialect::Modern;
    opt.crlf = false;
    const uint64_t addr = (uint64_t{data[1]} << 24) | (uint64_t{data[2]} << 16) | (uint64_t{data[3]} << 8) | data[4];
    std::string near;
    render_md(near, std::span<const uint8_t>(data + 5, 16), addr & ~uint64_t{15}, opt);
    near.pop_back();
    fast_paths_agree(near);
    for (size_t i = 21; i + 1 < size; i += 2) near[data[i] % near.size()] = static_cast<char>(data[i + 1]);
    fast_paths_agree(near);
  }
  return 0;
}
