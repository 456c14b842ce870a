// SPDX-License-Identifier: MIT
#include "cli/port.hpp"

#include <fmt/core.h>

#include "io/open_port.hpp"
#include "io/port_list.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_stub.hpp"

namespace camdump::cli {
namespace {

// Forwards everything; reports the received byte count to the live progress line.
class WireTap : public io::Transport {
 public:
  WireTap(std::unique_ptr<io::Transport> inner, StderrReporter& rep) : inner_(std::move(inner)), rep_(rep) {}
  bool set_baud(uint32_t b) override { return inner_->set_baud(b); }
  std::optional<uint32_t> baud() const override { return inner_->baud(); }
  bool eight_bit_clean() const override { return inner_->eight_bit_clean(); }
  std::string describe() const override { return inner_->describe(); }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override {
    size_t n = inner_->read(buf, timeout);
    if (n) rep_.wire(inner_->rx_bytes());
    return n;
  }
  void do_write(std::span<const uint8_t> data) override { inner_->write(data); }

 private:
  std::unique_ptr<io::Transport> inner_;
  StderrReporter& rep_;
};

}  // namespace

std::unique_ptr<io::Transport> open_cli_port(const std::string& port, uint32_t baud, const std::string& log,
                                             Context& ctx) {
  io::PortOptions po;
  po.baud = baud;
  po.log = log;
  std::string name = port;
  if (port == "auto") {
    io::SerialPortInfo p = io::auto_port();
    name = p.path;
    ctx.reporter.log(LogLevel::Info, fmt::format("PORT auto: {}{}{}", p.path, p.note.empty() ? "" : " (" + p.note + ")",
                                                 p.by_id.empty() ? "" : ", " + p.by_id));
  }
  // Every virtual camera the CLI opens runs camdump's stub at `go`, like a real camera would.
  auto t = io::open_port(
      name, po, [&ctx](std::string_view spec) { return sim::open_sim(spec, ctx.reporter, sim::with_sim_stub()); });
  // The virtual camera is left unwrapped: commands look at its clock (dynamic_cast), and it
  // delivers a chunk faster than the line is redrawn anyway.
  if (port == "sim" || port.rfind("sim:", 0) == 0) return t;
  return std::make_unique<WireTap>(std::move(t), ctx.reporter);
}

}  // namespace camdump::cli
