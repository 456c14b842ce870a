// SPDX-License-Identifier: MIT
// errno_text() gives strerror's messages without strerror's shared buffer: the same text for known
// and unknown values, and each thread its own message when several format errors at once.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "core/errno_text.hpp"

using namespace camdump;

TEST(ErrnoText, NamesKnownErrors) {
  EXPECT_EQ(errno_text(ENOENT), "No such file or directory");
  EXPECT_EQ(errno_text(EACCES), "Permission denied");
}

TEST(ErrnoText, NamesAnUnknownValueWithItsNumber) { EXPECT_EQ(errno_text(99999), "Unknown error 99999"); }

TEST(ErrnoText, EachThreadGetsItsOwnMessage) {
  // Unknown values are the ones strerror formats into a buffer; every thread must read its own.
  std::vector<std::thread> threads;
  threads.reserve(8);
  std::vector<int> wrong(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &wrong] {
      const int value = 100000 + t;
      const std::string want = "Unknown error " + std::to_string(value);
      for (int i = 0; i < 2000; ++i) wrong[size_t(t)] += errno_text(value) != want;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(wrong[size_t(t)], 0) << "thread " << t;
}
