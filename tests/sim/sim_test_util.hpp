// SPDX-License-Identifier: MIT
// Helpers for the virtual-camera tests: drive a sim: transport like a user at a terminal.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "sim/sim_camera.hpp"

namespace camdump::sim::testing {

struct Cam {
  std::unique_ptr<io::Transport> t;
  explicit Cam(const std::string& spec, GoPrograms programs = {})
      : t(open_sim(spec, null_reporter(), std::move(programs))) {}
  SimTransport& st() { return dynamic_cast<SimTransport&>(*t); }
  SimCamera& cam() { return st().camera(); }

  /// Everything printed until `want` appears (inclusive), or what came within `tries` reads.
  std::string until(const std::string& want, int tries = 400) {
    std::string got;
    uint8_t buf[65536];
    for (int i = 0; i < tries; ++i) {
      size_t n = t->read(buf, std::chrono::milliseconds(100));
      got.append(reinterpret_cast<char*>(buf), n);
      if (!want.empty() && got.find(want) != std::string::npos) break;
    }
    return got;
  }
  /// Everything printed within `tries` reads (drains).
  std::string drain(int tries = 5) { return until("", tries); }
  /// Send `line` + CR, return the output after the echoed command up to (excluding) the prompt.
  std::string cmd(const std::string& line) {
    t->write(line + "\r");
    std::string got = until("\r\n" + cam().prompt());
    std::string echo = line + "\r\n";
    EXPECT_EQ(got.substr(0, echo.size()), echo) << got;
    std::string body = got.size() >= echo.size() ? got.substr(echo.size()) : got;
    std::string p = cam().prompt();
    if (body.size() >= p.size() && body.compare(body.size() - p.size(), p.size(), p) == 0)
      body.resize(body.size() - p.size());
    return body;
  }
  /// Boot to the prompt (stop autoboot with Ctrl-C).
  void to_prompt() {
    t->write("\x03");
    until(cam().prompt());
  }
};

}  // namespace camdump::sim::testing
