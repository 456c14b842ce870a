// SPDX-License-Identifier: MIT
// U-Boot `md` output, both ways. The renderer prints exactly what print_buffer() prints
// (lib/display_options.c): "%08lx:" then per unit " %0*x", short last line padded, then the ASCII
// column after 4 spaces (U-Boot <= v2021.07, incl. Ingenic 2013.07) or 2 spaces (>= v2021.10).
// The parser reads one line back and uses the ASCII column as a check on the hex.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace camdump::uboot {

enum class MdDialect {
  Old,     ///< 4 spaces before the ASCII column (v2013.07 .. v2021.07, Ingenic vendor builds)
  Modern,  ///< 2 spaces (v2021.10 and later)
};
enum class Endian { Little, Big };

/// Unit size in bytes: md.b = 1, md.w = 2, md.l = 4.
using MdWidth = unsigned;

struct MdRenderOptions {
  MdWidth width = 1;
  MdDialect dialect = MdDialect::Modern;
  Endian endian = Endian::Little;  ///< CPU byte order: how words are read from memory
  bool pad_short_line = true;      ///< very old U-Boots (<= 2012.10) do not pad a short last line
  bool crlf = true;                ///< serial drivers turn \n into \r\n
};

/// Append the lines `md.<w> addr <count>` prints for `data` (data.size() a multiple of width).
void render_md(std::string& out, std::span<const uint8_t> data, uint64_t addr, const MdRenderOptions& opt);

/// Characters on the wire for `bytes` bytes of md output at this width/dialect (CR LF included).
uint64_t md_wire_chars(uint64_t bytes, MdWidth width, MdDialect dialect);

struct MdLine {
  uint64_t addr = 0;
  MdWidth width = 1;
  unsigned count = 0;  ///< data bytes on the line (16, or fewer on a last line)
  std::array<uint8_t, 16> bytes{};
  bool ascii_present = false;  ///< an ASCII column was found (and matched the hex)
};

enum class MdParse {
  Ok,       ///< a well-formed md line whose ASCII column (if any) agrees with the hex
  NotMd,    ///< not an md data line (prompt, command echo, other output)
  Corrupt,  ///< starts like an md line at `addr` but the hex or ASCII is damaged
};

/// Parse one line (without its line end; a trailing '\r' is tolerated). On Corrupt, out.addr is
/// the address when it could be read, and out.width the width guessed.
/// `endian` says how md.w/md.l words map to memory bytes.
MdParse parse_md_line(std::string_view line, Endian endian, MdLine& out);

}  // namespace camdump::uboot
