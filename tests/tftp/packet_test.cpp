// SPDX-License-Identifier: MIT
// Unit tests for the TFTP packet codec (RFC 1350/2347/2348/2349/7440): byte layouts, round trips,
// and refusal of malformed datagrams without throwing.
#include "tftp/packet.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

using namespace camdump::tftp;

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace

TEST(TftpPacket, RrqLayoutMatchesRfc1350) {
  auto b = build_rrq("fw.bin", {{"blksize", "1468"}, {"tsize", "0"}});
  EXPECT_EQ(b, bytes(std::string("\0\1fw.bin\0octet\0blksize\0"
                                 "1468\0tsize\0"
                                 "0\0",
                                 36)));
}

TEST(TftpPacket, WrqRoundTripLowercasesModeAndOptions) {
  auto b = build_request(Request{true, "dump.bin", "OCTET", {{"BlkSize", "1468"}, {"timeout", "5"}}});
  auto r = parse(b);
  ASSERT_TRUE(r) << r.reason;
  auto* req = std::get_if<Request>(&*r.packet);
  ASSERT_NE(req, nullptr);
  EXPECT_TRUE(req->write);
  EXPECT_EQ(req->filename, "dump.bin");
  EXPECT_EQ(req->mode, "octet");
  ASSERT_EQ(req->options.size(), 2u);
  EXPECT_EQ(req->options[0], (Option{"blksize", "1468"}));
  auto o = decode_options(req->options);
  EXPECT_EQ(o.blksize, 1468u);
  EXPECT_EQ(o.timeout, 5u);
  EXPECT_FALSE(o.tsize);
}

TEST(TftpPacket, DataAckErrorLayouts) {
  std::vector<uint8_t> payload{1, 2, 3};
  EXPECT_EQ(build_data(0x1234, payload), (std::vector<uint8_t>{0, 3, 0x12, 0x34, 1, 2, 3}));
  EXPECT_EQ(build_ack(0xfffe), (std::vector<uint8_t>{0, 4, 0xff, 0xfe}));
  EXPECT_EQ(build_error(ErrorCode::FileExists, "exists"), bytes(std::string("\0\5\0\6exists\0", 11)));
  auto wire = build_data(65535, payload);  // the parsed payload points into it
  auto d = parse(wire);
  ASSERT_TRUE(d);
  auto& data = std::get<Data>(*d.packet);
  EXPECT_EQ(data.block, 65535);
  EXPECT_EQ(std::vector<uint8_t>(data.payload.begin(), data.payload.end()), payload);
  auto empty = parse(build_data(0, {}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(std::get<Data>(*empty.packet).payload.empty());
  auto e = parse(build_error(ErrorCode::AccessViolation, "no"));
  ASSERT_TRUE(e);
  EXPECT_EQ(std::get<ErrorPacket>(*e.packet).code, ErrorCode::AccessViolation);
  EXPECT_EQ(std::get<ErrorPacket>(*e.packet).message, "no");
  EXPECT_EQ(std::get<Ack>(*parse(build_ack(7)).packet).block, 7);
}

TEST(TftpPacket, OackRoundTripAndEncode) {
  Options o;
  o.blksize = 1468;
  o.tsize = 16777216;
  o.windowsize = 8;
  auto b = build_oack(encode_options(o));
  EXPECT_EQ(b, bytes(std::string("\0\6blksize\0"
                                 "1468\0tsize\0"
                                 "16777216\0windowsize\0"
                                 "8\0",
                                 43)));
  auto r = parse(b);
  ASSERT_TRUE(r);
  EXPECT_EQ(decode_options(std::get<Oack>(*r.packet).options), o);
}

TEST(TftpPacket, OptionRangesFollowTheRfcs) {
  auto o = decode_options({{"blksize", "7"}, {"timeout", "0"}, {"windowsize", "65536"}, {"tsize", "x"}});
  EXPECT_FALSE(o.blksize);
  EXPECT_FALSE(o.timeout);
  EXPECT_FALSE(o.windowsize);
  EXPECT_FALSE(o.tsize);
  o = decode_options({{"blksize", "65464"}, {"timeout", "255"}, {"windowsize", "1"}, {"tsize", "0"}});
  EXPECT_EQ(o.blksize, 65464u);
  EXPECT_EQ(o.timeout, 255u);
  EXPECT_EQ(o.windowsize, 1u);
  EXPECT_EQ(o.tsize, 0u);
  EXPECT_FALSE(decode_options({{"blksize", "65465"}}).blksize);
  EXPECT_FALSE(parse_option_number("-1"));
  EXPECT_FALSE(parse_option_number(" 1"));
  EXPECT_FALSE(parse_option_number(""));
  EXPECT_FALSE(parse_option_number("99999999999999999999"));
  EXPECT_EQ(parse_option_number("0012"), 12u);
}

TEST(TftpPacket, RefusesMalformedWithReason) {
  const std::vector<std::string> bad = {
      std::string(""),                   // empty
      std::string("\0", 1),              // half an opcode
      std::string("\0\7xx", 4),          // unknown opcode
      std::string("\0\0", 2),            // opcode 0
      std::string("\0\1file", 6),        // filename without NUL
      std::string("\0\1\0octet\0", 9),   // empty filename
      std::string("\0\1f\0octet", 9),    // mode without NUL
      std::string("\0\2f\0\0", 5),       // empty mode
      std::string("\0\3\0", 3),          // DATA without full block number
      std::string("\0\4", 2),            // ACK without block
      std::string("\0\5\0", 3),          // ERROR without code
      std::string("\0\5\0\1abc", 7),     // ERROR message without NUL
      std::string("\0\6blksize\0", 10),  // OACK option without value
      std::string("\0\6\0"
                  "5\0",
                  5),  // OACK empty option name
  };
  for (const auto& s : bad) {
    auto r = parse(bytes(s));
    EXPECT_FALSE(r) << "accepted " << testing::PrintToString(s);
    EXPECT_FALSE(r.reason.empty());
  }
  std::vector<uint8_t> huge(4 + kMaxBlksize + 1, 0);
  huge[1] = 3;
  EXPECT_FALSE(parse(huge));
}

TEST(TftpPacket, ToleratesWhatCommonClientsSend) {
  // Trailing padding / incomplete last option after a request, repeated options: first wins.
  auto r =
      parse(bytes(std::string("\0\1f\0octet\0blksize\0"
                              "1024\0blksize\0"
                              "512\0tsi",
                              34)));
  ASSERT_TRUE(r) << r.reason;
  auto& req = std::get<Request>(*r.packet);
  ASSERT_EQ(req.options.size(), 1u);
  EXPECT_EQ(decode_options(req.options).blksize, 1024u);
  // ERROR with a bare code.
  auto e = parse(bytes(std::string("\0\5\0\4", 4)));
  ASSERT_TRUE(e);
  EXPECT_EQ(std::get<ErrorPacket>(*e.packet).code, ErrorCode::IllegalOperation);
  EXPECT_EQ(peek_opcode(bytes(std::string("\0\3", 2))), Opcode::Data);
  EXPECT_FALSE(peek_opcode(bytes(std::string("\0\11", 2))));
}

TEST(TftpPacket, RandomBytesNeverThrow) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> b(rng() % 64);
    for (auto& c : b) c = static_cast<uint8_t>(rng() % 8 == 0 ? 0 : rng());
    if (b.size() >= 2 && rng() % 2) {
      b[0] = 0;
      b[1] = static_cast<uint8_t>(1 + rng() % 6);
    }
    EXPECT_NO_THROW({
      auto r = parse(b);
      EXPECT_EQ(r.packet.has_value(), r.reason.empty());
    });
  }
}
