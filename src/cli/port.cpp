// SPDX-License-Identifier: MIT
#include "cli/port.hpp"

#include "io/open_port.hpp"
#include "sim/sim_camera.hpp"

namespace camdump::cli {

std::unique_ptr<io::Transport> open_cli_port(const std::string& port, uint32_t baud, const std::string& log,
                                             Context& ctx) {
  io::PortOptions po;
  po.baud = baud;
  po.log = log;
  return io::open_port(port, po, [&ctx](std::string_view spec) { return sim::open_sim(spec, ctx.reporter); });
}

}  // namespace camdump::cli
