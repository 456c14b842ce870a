// SPDX-License-Identifier: MIT
// device_crc32: the one "ask the device's crc32" loop. Replies come from a scripted console that
// garbles the first N answers (unreadable) or gives a wrong value first, so the policy's counts
// and its agreement rule are what is tested.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <deque>

#include "fake_console.hpp"
#include "uboot/device_crc.hpp"
#include "uboot/session.hpp"

using namespace camdump;
using namespace camdump::uboot;
using namespace std::chrono_literals;
using camdump::test::FakeConsole;

namespace {

// Answers `crc32` from a queue: a value gives a proper reply, nullopt a garbled one; an empty
// queue answers with the last value. Counts the asks.
struct CrcConsole {
  FakeConsole c{FakeConsole::Start::Prompt};
  std::deque<std::optional<uint32_t>> replies;
  unsigned asks = 0;
  CrcConsole() {
    c.handler = [this](const std::string& cmd) -> std::string {
      if (cmd == "help") return "crc32   - checksum calculation\r\n";
      if (!cmd.starts_with("crc32 ")) return "Unknown command '" + cmd + "' - try 'help'\r\n";
      ++asks;
      std::optional<uint32_t> v = replies.empty() ? std::optional<uint32_t>(0x11111111) : replies.front();
      if (replies.size() > 1) replies.pop_front();
      if (!v) return "CRC32 for 80600000 ... 8060ffff ==> 0b@d\r\n";
      return "CRC32 for 80600000 ... 8060ffff ==> " + fmt::format("{:08x}", *v) + "\r\n";
    };
  }
};

SessionOptions fast() {
  SessionOptions o;
  o.attach_timeout = 5s;
  o.idle_timeout = 300ms;
  return o;
}

}  // namespace

TEST(DeviceCrc32, UnreadableRepliesAreAskedAgainUpToTries) {
  CrcConsole f;
  f.replies = {std::nullopt, std::nullopt, std::nullopt, 0x0badcafe};
  UbootSession s(f.c, null_reporter(), nullptr, fast());
  s.attach();
  EXPECT_EQ(device_crc32(s, 0x80600000, 0x10000, kChunkCrc), 0x0badcafeu);
  EXPECT_EQ(f.asks, 4u);
}

TEST(DeviceCrc32, GivesUpAfterTriesAndRequireNamesTheRange) {
  CrcConsole f;
  f.replies = {std::nullopt};
  UbootSession s(f.c, null_reporter(), nullptr, fast());
  s.attach();
  EXPECT_EQ(device_crc32(s, 0x80600000, 0x10000, kTftpCrc), std::nullopt);
  EXPECT_EQ(f.asks, 2u);
  try {
    require_device_crc32(s, 0x80600000, 0x10000, kHalfCrc);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Protocol);
    EXPECT_NE(std::string(e.what()).find("0x80600000 + 0x10000"), std::string::npos) << e.what();
  }
  EXPECT_EQ(f.asks, 5u);
}

TEST(DeviceCrc32, ADifferingReplyIsAskedAgainWhenAValueIsExpected) {
  CrcConsole f;
  f.replies = {0xdeadbeef, 0x0badcafe};
  UbootSession s(f.c, null_reporter(), nullptr, fast());
  s.attach();
  EXPECT_EQ(device_crc32(s, 0x80600000, 0x10000, whole_image_crc(0x0badcafe)), 0x0badcafeu);
  EXPECT_EQ(f.asks, 2u);
}

TEST(DeviceCrc32, AReplyThatStaysDifferentIsReturnedAfterTheRechecks) {
  CrcConsole f;
  f.replies = {0xdeadbeef};
  UbootSession s(f.c, null_reporter(), nullptr, fast());
  s.attach();
  EXPECT_EQ(device_crc32(s, 0x80600000, 0x10000, whole_image_crc(0x0badcafe)), 0xdeadbeefu);
  EXPECT_EQ(f.asks, 3u);  // the first answer and two rechecks
  f.asks = 0;
  EXPECT_EQ(device_crc32(s, 0x80600000, 0x10000, kChunkCrc), 0xdeadbeefu);  // no expectation: first readable
  EXPECT_EQ(f.asks, 1u);
}
