// SPDX-License-Identifier: MIT
// Fuzz the one state-file parser (dump/resume_state.hpp) and what is built on it: the chunk plan of
// the console routes and the restore state. Any bytes must be refused with Error or parse; what
// parses must write back to a text that parses to the same entries, and a chunk plan from it must
// stay within its range.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "dump/chunk_plan.hpp"
#include "dump/restore_plan.hpp"
#include "dump/resume_state.hpp"

using namespace camdump;
using namespace camdump::dump;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::string_view kind : {"chunks", "restore", "chip", "ch341a-read"}) {
    try {
      const ResumeState st = ResumeState::parse(text, kind, "fuzz.state");
      const ResumeState again = ResumeState::parse(st.text(), kind, "fuzz.state");
      if (again.entries() != st.entries()) std::abort();
    } catch (const Error&) {}
  }
  try {
    const ChunkPlan p = parse_state(text, "fuzz.state", 1);
    if (p.settled_bytes() > p.length) std::abort();
    for (const auto& c : p.chunks)
      if (c.offset < p.offset || c.offset + c.len > p.offset + p.length) std::abort();
  } catch (const Error&) {}
  try {
    const RestoreState r = RestoreState::parse(text, "fuzz.state");
    if (r.end < r.begin) std::abort();
  } catch (const Error&) {}
  return 0;
}
