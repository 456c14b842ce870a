// SPDX-License-Identifier: MIT
// Issue 18 item 3, end to end through the CLI: on an `rfc2217:` port the stub's rate switch reaches
// the remote serial port; on `tcp:` and `exec:` (no line rate to change) the stub stays at the
// console's rate and says why. A real ser2net (Debian's 4.x: RFC 2217 and raw accepters) fronts a
// pty; the virtual camera plays the device on the pty's master and follows the rate ser2net sets on
// the pty (the termios the master sees), so the host and the camera only understand each other at
// 1.5 Mbaud if SET-BAUDRATE really changed the port.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "io/open_port.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"
#include "support/process.hpp"
#include "support/pty.hpp"
#include "support/ser2net.hpp"
#include "support/paths.hpp"

using namespace camdump;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

// The virtual camera on the pty's master, behind ser2net. A thread moves bytes between the pty and
// the camera and makes the camera's line follow the pty's rate: a rate the camera's UART does not
// run at turns its output into garbage and its input into nothing, as on a real wire.
class CameraBehindSer2net {
 public:
  explicit CameraBehindSer2net(const std::string& sim_spec)
      : ser_(ct::Ser2net::start(pty_.slave_path())),
        port_(sim::open_sim(sim_spec, null_reporter(), sim::with_sim_stub())),
        cam_(dynamic_cast<sim::SimTransport&>(*port_)) {
    thread_ = std::thread([this] { run(); });
  }
  ~CameraBehindSer2net() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  const ct::Ser2net& ser2net() const { return ser_; }
  const ct::PtyPair& pty() const { return pty_; }
  std::set<unsigned> rates() {
    std::lock_guard g(mu_);
    return rates_;
  }
  /// The camera itself (only once stop() has run).
  sim::SimCamera& camera() { return cam_.camera(); }

 private:
  void run() {
    unsigned current = 0;
    uint8_t buf[4096];
    // The camera's clock follows the real one: an idle read's timeout is the real time since the
    // last read (idle reads move the virtual clock by their timeout, and the stub has deadlines).
    auto last = std::chrono::steady_clock::now();
    auto follow_rate = [&] {
      if (auto b = pty_.baud(); b && *b != current) {
        current = *b;
        cam_.set_baud(current);  // the host's end of the wire now samples at the port's rate
        std::lock_guard g(mu_);
        rates_.insert(current);
      }
    };
    while (!stop_) {
      // A pty carries no rate per byte, only the termios of the moment. Bytes that wake the poll
      // go to the camera at the rate the port has when they are read: ser2net sets the rate
      // before it writes what came after SET-BAUDRATE, and in the stub's protocol a rate change
      // follows the host's last bytes at the old rate only after an answer has come back (the
      // 'Q' answer, the hello), so those bytes were read long before.
      pollfd p{pty_.master(), POLLIN, 0};
      if (::poll(&p, 1, 1) > 0 && (p.revents & POLLIN)) {
        follow_rate();
        const ssize_t n = ::read(pty_.master(), buf, sizeof buf);
        if (n > 0) port_->write(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
      }
      follow_rate();
      const auto now = std::chrono::steady_clock::now();
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - last);
      if (waited.count() < 1) continue;
      last = now;
      if (size_t n = port_->read(std::span<uint8_t>(buf, sizeof buf), waited))
        ct::write_all(pty_.master(), std::string_view(reinterpret_cast<char*>(buf), n));
    }
  }

  ct::PtyPair pty_;
  ct::Ser2net ser_;
  std::unique_ptr<io::Transport> port_;
  sim::SimTransport& cam_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::set<unsigned> rates_;  // every rate the remote port was set to
  std::thread thread_;
};

// NOLINTNEXTLINE(bugprone-exception-escape): json's move is noexcept; the throws the check sees need invalid values
struct Dumped {
  bool exited_ok = false;
  std::string err, fw;
  nlohmann::json j;
};

// `camdump dump uart PORT --method METHOD --fast-baud auto --json` over the first `length` bytes.
Dumped dump(const std::string& port, const std::string& length, const std::string& method = "stub") {
  ct::TempDir dir("camdump-stub-remote");
  const std::string camdump = camdump::test::camdump_exe();
  auto p = ct::Process::spawn({camdump, "dump", "uart", port, "-o", (dir / "fw.bin").string(), "--length", length,
                               "--method", method, "--fast-baud", "auto", "--json", "-v"},
                              {.stdout_file = (dir / "out.json").string(), .stderr_file = (dir / "err.txt").string()});
  auto st = p.wait_exit(300s);
  if (!st) p.stop();
  Dumped d;
  d.exited_ok = st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0;
  d.err = ct::read_file(dir / "err.txt");
  if (d.exited_ok) d.fw = ct::read_file(dir / "fw.bin");
  try {
    d.j = nlohmann::json::parse(ct::read_file(dir / "out.json"));
  } catch (const std::exception&) {
    d.j = nlohmann::json::object();
  }
  return d;
}

bool exact(CameraBehindSer2net& cam, const std::string& fw, size_t length) {
  const auto flash = cam.camera().flash();
  return fw.size() == length && length <= flash.size() &&
         fw == std::string(flash.begin(), flash.begin() + static_cast<std::ptrdiff_t>(length));
}

// U-Boot answers `version` through the same ser2net port at its own rate.
std::string ask_version(CameraBehindSer2net& cam) {
  auto t = io::open_port(cam.ser2net().rfc2217_spec(), {.baud = 115200});
  std::string got;
  uint8_t buf[512];
  for (int i = 0; i < 3 && got.find("U-Boot") == std::string::npos; i++) {
    t->write(std::string_view("version\r"));
    for (auto until = std::chrono::steady_clock::now() + 3s;
         std::chrono::steady_clock::now() < until && got.find("U-Boot") == std::string::npos;)
      if (size_t n = t->read(std::span<uint8_t>(buf, sizeof buf), 100ms)) got.append(reinterpret_cast<char*>(buf), n);
  }
  return got;
}

constexpr size_t k2M = 2u << 20;

// The stub's fast rate reaches the remote port through RFC 2217 and U-Boot's rate comes back after
// each run: the image is exact, U-Boot answers through the same port afterwards.
TEST(StubRfc2217, TheStubsFastRateIsSetOnTheRemotePortAndRestored) {
  if (!ct::Ser2net::available()) GTEST_SKIP() << "ser2net not installed (scripts/setup-deps --test)";
  CameraBehindSer2net cam("flash=8M,baud-timing=0,state=uboot");
  auto d = dump(cam.ser2net().rfc2217_spec(), "2M");
  ASSERT_TRUE(d.exited_ok) << d.err;
  EXPECT_EQ(d.j.value("method", std::string()), "stub") << d.j.dump();
  // U-Boot's "## Application terminated" after each run reached the host at U-Boot's rate: no
  // run was taken for a reboot (it was, every run, while the stub returned before the host's
  // SET-BAUDRATE had gone through ser2net).
  EXPECT_EQ(d.j.value("resets", -1), 0) << d.err;
  ASSERT_TRUE(d.j["rates"].contains("1500000")) << d.j.dump() << "\n" << d.err;
  EXPECT_GT(d.j["rates"]["1500000"].get<uint64_t>(), 0u);
  EXPECT_TRUE(cam.rates().count(1500000)) << "ser2net never set the pty to 1.5 Mbaud";
  EXPECT_EQ(cam.pty().baud(), 115200u) << "the remote port was not returned to U-Boot's rate";
  const std::string version = ask_version(cam);
  EXPECT_NE(version.find("U-Boot"), std::string::npos) << "U-Boot did not answer afterwards: " << version;
  cam.stop();
  EXPECT_TRUE(exact(cam, d.fw, k2M));
  EXPECT_EQ(cam.camera().console_baud(), 115200u) << "the stub did not restore U-Boot's divisor";
}

// tcp: (ser2net's raw accepter) carries no line rate: auto stays at the console's rate, the run says
// why, and the image is still exact. (exec: does not get this far: a program's terminal is not
// 8-bit clean, so the stub is refused there before any rate is considered; see below.)
TEST(StubRfc2217, RawTcpStaysAtTheConsoleRateAndSaysWhy) {
  if (!ct::Ser2net::available()) GTEST_SKIP() << "ser2net not installed (scripts/setup-deps --test)";
  CameraBehindSer2net cam("flash=8M,baud-timing=0,state=uboot");
  auto d = dump(cam.ser2net().raw_spec(), "256K");
  ASSERT_TRUE(d.exited_ok) << d.err;
  EXPECT_EQ(d.j.value("method", std::string()), "stub") << d.j.dump();
  EXPECT_FALSE(d.j["rates"].contains("1500000")) << d.j.dump();
  EXPECT_NE(d.j.value("method_detail", std::string()).find("at the console's rate"), std::string::npos) << d.j.dump();
  EXPECT_NE(d.err.find("carries no line rate the host could change"), std::string::npos) << d.err;
  EXPECT_EQ(cam.rates(), std::set<unsigned>{115200}) << "the remote port's rate was changed";
  cam.stop();
  EXPECT_TRUE(exact(cam, d.fw, 256u << 10));
}

// exec: (here busybox nc to ser2net's raw port: a program whose terminal is the console) carries
// no line rate and is not 8-bit clean: --method auto reads with md at the console's rate, says
// why the stub was not used, and the remote port's rate is never touched.
TEST(StubRfc2217, ExecPortReadsWithMdAtTheConsoleRateAndSaysWhy) {
  if (!ct::Ser2net::available()) GTEST_SKIP() << "ser2net not installed (scripts/setup-deps --test)";
  if (::access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "busybox not installed (scripts/setup-deps --test)";
  CameraBehindSer2net cam("flash=8M,baud-timing=0,state=uboot");
  auto d = dump("exec:/bin/busybox nc 127.0.0.1 " + std::to_string(cam.ser2net().raw_port()), "64K", "auto");
  ASSERT_TRUE(d.exited_ok) << d.err;
  EXPECT_EQ(d.j.value("method", std::string()), "md") << d.j.dump();
  EXPECT_NE(d.err.find("not 8-bit clean"), std::string::npos) << d.err;
  EXPECT_FALSE(d.j["rates"].contains("1500000")) << d.j.dump();
  EXPECT_EQ(cam.rates(), std::set<unsigned>{115200}) << "the remote port's rate was changed";
  cam.stop();
  EXPECT_TRUE(exact(cam, d.fw, 64u << 10));
}

}  // namespace
