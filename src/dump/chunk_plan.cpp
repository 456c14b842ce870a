// SPDX-License-Identifier: MIT
#include "dump/chunk_plan.hpp"

#include <fmt/format.h>

#include "core/crc32.hpp"
#include "core/error.hpp"
#include "core/size.hpp"

namespace camdump::dump {

ChunkPlan ChunkPlan::make(uint64_t offset, uint64_t length, uint64_t chunk, uint64_t flash_size) {
  if (chunk == 0 || chunk % 16) fail(ErrorKind::Usage, "--chunk must be a non-zero multiple of 16");
  if (length == 0) fail(ErrorKind::Usage, "nothing to dump (length 0)");
  if (offset % 16 || length % 16) fail(ErrorKind::Usage, "--offset and --length must be multiples of 16");
  // Without a known flash size the range is still bounded by the address space: it may not wrap.
  checked_range(offset, length, flash_size ? flash_size : UINT64_MAX, "dump range");
  ChunkPlan p;
  p.offset = offset;
  p.length = length;
  p.chunk = chunk;
  p.flash_size = flash_size;
  for (uint64_t o = 0; o < length; o += chunk) p.chunks.push_back({offset + o, std::min(chunk, length - o)});
  return p;
}

uint64_t ChunkPlan::settled_bytes() const {
  uint64_t n = 0;
  for (const auto& c : chunks)
    if (c.status != ChunkStatus::Pending) n += c.len;
  return n;
}

uint64_t ChunkPlan::blank_bytes() const {
  uint64_t n = 0;
  for (const auto& c : chunks)
    if (c.status == ChunkStatus::Blank) n += c.len;
  return n;
}

uint32_t ChunkPlan::combined_crc() const {
  uint32_t crc = 0;
  bool first = true;
  for (const auto& c : chunks) {
    crc = first ? c.crc : crc32_combine(crc, c.crc, c.len);
    first = false;
  }
  return crc;
}

std::string ChunkPlan::state_line(size_t index, const Chunk& c) {
  return fmt::format("c {} {} {:08x}\n", index, c.status == ChunkStatus::Blank ? 'b' : 'v', c.crc);
}

std::string ChunkPlan::state_text() const {
  std::string s = fmt::format("camdump-uart-state 1\noffset 0x{:x}\nlength 0x{:x}\nchunk 0x{:x}\nflash 0x{:x}\n",
                              offset, length, chunk, flash_size);
  for (size_t i = 0; i < chunks.size(); ++i)
    if (chunks[i].status != ChunkStatus::Pending) s += state_line(i, chunks[i]);
  return s;
}

ChunkPlan parse_state(std::string_view text) {
  auto bad = [](const std::string& why) -> ChunkPlan {
    fail(ErrorKind::Corrupt, "resume state file is damaged: " + why, "delete OUT.part and OUT.part.state to start over");
  };
  std::vector<std::string_view> lines;
  size_t pos = 0;
  bool last_complete = text.empty() || text.back() == '\n';
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (!last_complete && !lines.empty()) lines.pop_back();  // torn append
  if (lines.size() < 5 || lines[0] != "camdump-uart-state 1") return bad("bad header");
  uint64_t v[4];
  const char* keys[] = {"offset ", "length ", "chunk ", "flash "};
  for (int i = 0; i < 4; ++i) {
    std::string_view l = lines[1 + i];
    if (!l.starts_with(keys[i])) return bad(std::string("missing ") + keys[i]);
    auto n = parse_number(l.substr(std::string_view(keys[i]).size()));
    if (!n) return bad(std::string(l));
    v[i] = *n;
  }
  ChunkPlan p = ChunkPlan::make(v[0], v[1], v[2], v[3]);
  for (size_t i = 5; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (l.empty()) continue;
    if (!l.starts_with("c ")) return bad(std::string(l));
    l.remove_prefix(2);
    size_t sp = l.find(' ');
    if (sp == std::string_view::npos || sp + 2 >= l.size()) return bad(std::string(lines[i]));
    auto idx = parse_number(l.substr(0, sp));
    char st = l[sp + 1];
    auto crc = parse_crc(l.substr(sp + 3));
    if (!idx || *idx >= p.chunks.size() || (st != 'v' && st != 'b') || !crc) return bad(std::string(lines[i]));
    p.chunks[*idx].status = st == 'b' ? ChunkStatus::Blank : ChunkStatus::Verified;
    p.chunks[*idx].crc = *crc;
  }
  return p;
}

}  // namespace camdump::dump
