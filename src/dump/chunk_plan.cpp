// SPDX-License-Identifier: MIT
#include "dump/chunk_plan.hpp"

#include <fmt/format.h>

#include "core/crc32.hpp"
#include "core/error.hpp"
#include "core/size.hpp"

namespace camdump::dump {

ChunkPlan ChunkPlan::make(uint64_t offset, uint64_t length, uint64_t chunk, uint64_t flash_size, uint64_t align) {
  if (chunk == 0 || chunk % align)
    fail(ErrorKind::Usage, fmt::format("--chunk must be a non-zero multiple of {}", align));
  if (length == 0) fail(ErrorKind::Usage, "nothing to dump (length 0)");
  if (offset % align || length % align)
    fail(ErrorKind::Usage, fmt::format("--offset and --length must be multiples of {}", align));
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

ResumeState ChunkPlan::state(uint64_t part_size, const std::filesystem::path& file) const {
  ResumeState st("chunks", file);
  st.set_number("offset", offset);
  st.set_number("length", length);
  st.set_number("chunk", chunk);
  st.set_number("flash", flash_size);
  st.set_number("part_size", part_size);
  for (size_t i = 0; i < chunks.size(); ++i)
    if (chunks[i].status != ChunkStatus::Pending)
      st.set(fmt::format("chunk.{}", i),
             fmt::format("{} {:08x}", chunks[i].status == ChunkStatus::Blank ? "blank" : "verified", chunks[i].crc));
  return st;
}

namespace {

constexpr uint64_t kMaxStateChunks = 1u << 22;  // 64 GiB of 16 KiB chunks: more is not a real state

}  // namespace

ChunkPlan plan_from_state(const ResumeState& st, uint64_t align) {
  const uint64_t offset = st.number("offset"), length = st.number("length"), chunk = st.number("chunk");
  if (chunk == 0 || length / chunk >= kMaxStateChunks) st.refuse("its chunk size does not fit its length");
  ChunkPlan p;
  try {
    p = ChunkPlan::make(offset, length, chunk, st.number("flash"), align);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Corrupt) throw;
    st.refuse(e.what());
  }
  (void)st.number("part_size");
  for (const auto& [key, value] : st.entries()) {
    if (!key.starts_with("chunk.")) continue;
    const auto idx = parse_number(std::string_view(key).substr(6));
    const size_t sp = value.find(' ');
    const std::string status = value.substr(0, sp);
    const auto crc = sp == std::string::npos ? std::nullopt : parse_crc(std::string_view(value).substr(sp + 1));
    if (!idx || *idx >= p.chunks.size() || (status != "verified" && status != "blank") || !crc)
      st.refuse(fmt::format("bad line '{}={}'", key.substr(0, 24), value.substr(0, 24)));
    p.chunks[*idx].status = status == "blank" ? ChunkStatus::Blank : ChunkStatus::Verified;
    p.chunks[*idx].crc = *crc;
  }
  return p;
}

ChunkPlan parse_state(std::string_view text, const std::filesystem::path& file, uint64_t align) {
  return plan_from_state(ResumeState::parse(text, "chunks", file), align);
}

}  // namespace camdump::dump
