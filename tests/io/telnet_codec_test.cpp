// SPDX-License-Identifier: MIT
// Telnet stream decoding (data vs commands, any split) and escaping.
#include <gtest/gtest.h>

#include "io/telnet_codec.hpp"

using namespace camdump::io;
using namespace camdump::io::telnet;
using B = std::vector<uint8_t>;

namespace {
struct Decoded {
  B data;
  std::vector<TelnetEvent> events;
};
Decoded decode(const B& wire, size_t step, bool nvt = false) {
  TelnetDecoder d(nvt);
  Decoded r;
  for (size_t i = 0; i < wire.size(); i += step)
    d.feed(std::span<const uint8_t>(wire).subspan(i, std::min(step, wire.size() - i)), r.data, r.events);
  return r;
}
}  // namespace

TEST(TelnetCodec, SplitsDataFromCommandsAtAnySplit) {
  B wire{'a', kIac, kIac, 'b',  kIac, kWill, kOptEcho, 'c', kIac, kSb,  kOptComPort,
         101, 0,    1,    kIac, kIac, 0,     kIac,     kSe, kIac, kNop, 'd'};
  for (size_t step : {1u, 2u, 3u, 100u}) {
    Decoded r = decode(wire, step);
    EXPECT_EQ(r.data, (B{'a', 0xff, 'b', 'c', 'd'})) << step;
    ASSERT_EQ(r.events.size(), 3u) << step;
    EXPECT_EQ(r.events[0].verb, kWill);
    EXPECT_EQ(r.events[0].option, kOptEcho);
    EXPECT_EQ(r.events[1].verb, kSb);
    EXPECT_EQ(r.events[1].option, kOptComPort);
    EXPECT_EQ(r.events[1].payload, (B{101, 0, 1, 0xff, 0}));
    EXPECT_EQ(r.events[2].verb, kNop);
  }
}

TEST(TelnetCodec, NvtModeTurnsCrNulIntoCr) {
  B wire{'x', '\r', 0, 'y', '\r', '\n'};
  EXPECT_EQ(decode(wire, 1, true).data, (B{'x', '\r', 'y', '\r', '\n'}));
  EXPECT_EQ(decode(wire, 1, false).data, wire);
}

TEST(TelnetCodec, EscapeDoublesIacAndRoundTripsAllBytes) {
  B all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(i));
  B wire;
  telnet_escape(all, false, wire);
  EXPECT_EQ(wire.size(), 257u);
  Decoded r = decode(wire, 7);
  EXPECT_EQ(r.data, all);
  EXPECT_TRUE(r.events.empty());
}

TEST(TelnetCodec, NvtEscapeSendsBareCrAsCrNul) {
  B out;
  telnet_escape(B{'a', '\r', 'b', '\r', '\n', '\r'}, true, out);
  EXPECT_EQ(out, (B{'a', '\r', 0, 'b', '\r', '\n', '\r', 0}));
}

TEST(TelnetCodec, SubnegotiationEscapesPayload) {
  EXPECT_EQ(telnet_subneg(kOptComPort, B{1, 0xff, 2}), (B{kIac, kSb, 44, 1, 0xff, 0xff, 2, kIac, kSe}));
  EXPECT_EQ(telnet_command(kDo, kOptSga), (B{kIac, kDo, kOptSga}));
}
