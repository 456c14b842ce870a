// SPDX-License-Identifier: MIT
// open_port: PORT parsing, error messages with hints, the injected sim: factory, and the
// --log transcript decorator.
#include <gtest/gtest.h>

#include <deque>

#include "core/error.hpp"
#include "io/logging_transport.hpp"
#include "io/open_port.hpp"
#include "io_test_util.hpp"
#include "support/param_name.hpp"
#include "support/process.hpp"

using namespace camdump;
using namespace camdump::io;
using namespace camdump::io::testing;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {
// A loopback transport: what is written can be read back; reports the last baud set.
class Loop : public Transport {
 public:
  explicit Loop(std::string name) : name_(std::move(name)) {}
  std::string describe() const override { return name_; }
  bool set_baud(uint32_t b) override {
    baud_ = b;
    return true;
  }
  std::optional<uint32_t> baud() const override { return baud_; }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds) override {
    size_t n = std::min(buf.size(), q_.size());
    for (size_t i = 0; i < n; ++i) {
      buf[i] = q_.front();
      q_.pop_front();
    }
    return n;
  }
  void do_write(std::span<const uint8_t> d) override { q_.insert(q_.end(), d.begin(), d.end()); }

 private:
  std::string name_;
  std::deque<uint8_t> q_;
  std::optional<uint32_t> baud_;
};

ErrorKind kind_of(std::string_view port, std::string* hint = nullptr, std::string* what = nullptr) {
  try {
    open_port(port);
  } catch (const Error& e) {
    if (hint) *hint = e.hint();
    if (what) *what = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no error for " << port;
  return ErrorKind::Cancelled;
}
}  // namespace

TEST(OpenPort, SimPortsGoToTheInjectedFactoryWithTheSpec) {
  std::string seen = "unset";
  SimFactory sim = [&](std::string_view spec) {
    seen = spec;
    return std::make_unique<Loop>("sim");
  };
  auto t = open_port("sim:cam.bin,noise=1e-4", {}, sim);
  EXPECT_EQ(seen, "cam.bin,noise=1e-4");
  EXPECT_EQ(t->describe(), "sim");
  open_port("sim:", {}, sim);
  EXPECT_EQ(seen, "");
  EXPECT_EQ(kind_of("sim:"), ErrorKind::Unsupported);  // no factory
}

TEST(OpenPort, UnknownFormsListTheForms) {
  std::string hint, what;
  EXPECT_EQ(kind_of("COM3", &hint, &what), ErrorKind::Usage);
  EXPECT_EQ(what, "unknown PORT 'COM3'");
  for (const char* form : {"/dev/ttyUSB0", "tcp:HOST:PORT", "rfc2217:HOST:PORT", "telnet:HOST[:PORT]", "exec:", "sim:"})
    EXPECT_NE(hint.find(form), std::string::npos) << form;
  EXPECT_EQ(kind_of("ttyUSB0", &hint), ErrorKind::Usage);
  EXPECT_NE(hint.find("/dev/ttyUSB0"), std::string::npos);
  EXPECT_EQ(kind_of(""), ErrorKind::Usage);
}

class MalformedHostPort : public ::testing::TestWithParam<const char*> {};

TEST_P(MalformedHostPort, IsAUsageErrorWithAHint) {
  std::string hint;
  EXPECT_EQ(kind_of(GetParam(), &hint), ErrorKind::Usage);
  EXPECT_FALSE(hint.empty());
}

INSTANTIATE_TEST_SUITE_P(OpenPort, MalformedHostPort,
                         ::testing::Values("tcp:", "tcp:host", "tcp::4000", "tcp:host:0", "tcp:host:70000",
                                           "tcp:host:40x", "rfc2217:host", "tcp:::1:4000", "tcp:[::1", "telnet:"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return ct::param_name(i.param); });

TEST(OpenPort, ParseHostPort) {
  HostPort a = parse_host_port("cam.local:2000", "tcp");
  EXPECT_EQ(a.host, "cam.local");
  EXPECT_EQ(a.port, 2000);
  HostPort b = parse_host_port("[::1]:23", "telnet");
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 23);
  HostPort c = parse_host_port("192.168.1.10", "telnet", 23);
  EXPECT_EQ(c.port, 23);
}

TEST(OpenPort, UnknownHostIsNotFound) {
  std::string what;
  EXPECT_EQ(kind_of("tcp:no-such-host.invalid:4000", nullptr, &what), ErrorKind::NotFound);
  EXPECT_NE(what.find("cannot resolve"), std::string::npos);
}

TEST(OpenPort, LogOptionWrapsTheTransportAndRecordsBothDirections) {
  ct::TempDir dir;
  std::string log = (dir / "t.log").string();
  SimFactory sim = [](std::string_view) { return std::make_unique<Loop>("loop"); };
  {
    auto t = open_port("sim:", {.log = log}, sim);
    EXPECT_EQ(t->describe(), "loop");
    t->write("version\r\n");
    uint8_t buf[64];
    EXPECT_EQ(t->read(buf, 10ms), 9u);
    const uint8_t bin[] = {0x00, 0xff, '"', '\\', 'a'};
    t->write(std::span<const uint8_t>(bin));
    EXPECT_EQ(t->read(buf, 10ms), 5u);
    EXPECT_TRUE(t->set_baud(57600));
    EXPECT_EQ(t->baud(), 57600u);
  }
  std::string text = ct::read_file(log);
  EXPECT_NE(text.find("# camdump transcript: loop, opened "), std::string::npos) << text;
  EXPECT_NE(text.find(" TX \"version\\r\\n\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" RX \"version\\r\\n\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" TX \"\\x00\\xff\\\"\\\\a\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" RX \"\\x00\\xff\\\"\\\\a\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# set_baud 57600 ok"), std::string::npos) << text;
  EXPECT_NE(text.find("# closed after 14 bytes received, 14 sent"), std::string::npos) << text;
}

TEST(OpenPort, LogFileThatCannotBeOpenedFailsClearly) {
  SimFactory sim = [](std::string_view) { return std::make_unique<Loop>("loop"); };
  try {
    open_port("sim:", {.log = "/nonexistent-dir/x.log"}, sim);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.log"), std::string::npos);
    EXPECT_NE(e.hint().find("--log"), std::string::npos);
  }
}
