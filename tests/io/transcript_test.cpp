// SPDX-License-Identifier: MIT
// Issue 17 item 7: `--log` never records a password, neither as typed (TX) nor as the camera
// echoes it back (RX), also when the echo arrives split across reads; everything else received is
// recorded unchanged.
#include <gtest/gtest.h>

#include <deque>

#include "io/logging_transport.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace camdump::io;

namespace {

// Returns the scripted chunks one per read; writes are dropped.
class Scripted : public Transport {
 public:
  explicit Scripted(std::deque<std::string> chunks) : chunks_(std::move(chunks)) {}
  std::string describe() const override { return "scripted"; }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds) override {
    if (chunks_.empty()) return 0;
    std::string c = chunks_.front();
    chunks_.pop_front();
    std::copy(c.begin(), c.end(), buf.begin());
    return c.size();
  }
  void do_write(std::span<const uint8_t>) override {}

 private:
  std::deque<std::string> chunks_;
};

std::string transcript_of(std::deque<std::string> echo, const std::string& password) {
  test::TempDir dir("camdump-transcript");
  const auto path = dir / "log.txt";
  {
    LoggingTransport log(std::make_unique<Scripted>(std::move(echo)), path.string());
    log.write(std::string_view("root\r"));
    const std::string pw = password + "\r";
    write_secret(log, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pw.data()), pw.size()), "password");
    uint8_t buf[256];
    for (int i = 0; i < 8; ++i) log.read(buf, std::chrono::milliseconds(1));
  }
  return test::read_file(path);
}

}  // namespace

TEST(Transcript, ThePasswordsEchoIsElidedLikeTheTypedPassword) {
  const std::string log = transcript_of({"Password: hunter2\r\n", "# "}, "hunter2");
  EXPECT_EQ(log.find("hunter2"), std::string::npos) << log;
  EXPECT_NE(log.find("TX <password elided>"), std::string::npos) << log;
  EXPECT_NE(log.find("RX \"Password: <password elided>\\r\\n\""), std::string::npos) << log;
  EXPECT_NE(log.find("RX \"# \""), std::string::npos) << log;
}

TEST(Transcript, AnEchoSplitAcrossReadsIsElidedToo) {
  const std::string log = transcript_of({"hun", "te", "r2\r\nwelcome\r\n"}, "hunter2");
  EXPECT_EQ(log.find("hun"), std::string::npos) << log;
  EXPECT_NE(log.find("<password elided>\\r\\n"), std::string::npos) << log;
  EXPECT_NE(log.find("welcome"), std::string::npos) << log;
}

TEST(Transcript, TextThatOnlyStartsLikeThePasswordIsKept) {
  const std::string log = transcript_of({"hunt", "ing\r\n"}, "hunter2");
  EXPECT_NE(log.find("hunting"), std::string::npos) << log;
}

TEST(Transcript, AnEchoCutOffAtTheEndIsMaskedNotLeaked) {
  const std::string log = transcript_of({"hunte"}, "hunter2");
  EXPECT_EQ(log.find("hunte"), std::string::npos) << log;
  EXPECT_NE(log.find("<password elided>"), std::string::npos) << log;
}
