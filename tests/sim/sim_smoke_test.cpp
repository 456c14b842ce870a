// SPDX-License-Identifier: MIT
// First smoke test of the virtual camera: boots, stops autoboot, answers a command.
#include <gtest/gtest.h>

#include "sim/sim_camera.hpp"

using namespace camdump;

TEST(SimSmoke, StopsAutobootAndRunsVersion) {
  auto t = sim::open_sim("", null_reporter());
  std::string got;
  uint8_t buf[4096];
  for (int i = 0; i < 50 && got.find("KEY:") == std::string::npos; ++i) {
    size_t n = t->read(buf, std::chrono::milliseconds(100));
    got.append(reinterpret_cast<char*>(buf), n);
  }
  ASSERT_NE(got.find("Press Ctrl-C now"), std::string::npos) << got;
  t->write("\x03");
  got.clear();
  for (int i = 0; i < 20 && got.find("isvp_t31# ") == std::string::npos; ++i) {
    size_t n = t->read(buf, std::chrono::milliseconds(100));
    got.append(reinterpret_cast<char*>(buf), n);
  }
  EXPECT_EQ(got, "isvp_t31# ");
}
