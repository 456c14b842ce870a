// SPDX-License-Identifier: MIT
// Fuzz the telnet decoder (bytes from a remote server) and exec: word splitting (user input):
// any input decodes without crashing; decoding is independent of how the stream is split; and
// escaping any data then decoding it gives the data back with no commands.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/error.hpp"
#include "io/telnet_codec.hpp"
#include "io/word_split.hpp"

using namespace camdump::io;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  for (bool nvt : {false, true}) {
    TelnetDecoder whole(nvt), bytewise(nvt);
    std::vector<uint8_t> d1, d2;
    std::vector<TelnetEvent> e1, e2;
    whole.feed(in, d1, e1);
    for (size_t i = 0; i < size; ++i) bytewise.feed(in.subspan(i, 1), d2, e2);
    if (d1 != d2 || e1.size() != e2.size()) std::abort();
  }
  std::vector<uint8_t> wire, back;
  std::vector<TelnetEvent> events;
  telnet_escape(in, false, wire);
  TelnetDecoder dec(false);
  dec.feed(wire, back, events);
  if (back != std::vector<uint8_t>(in.begin(), in.end()) || !events.empty()) std::abort();
  try {
    split_words(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const camdump::Error&) {}
  return 0;
}
