// SPDX-License-Identifier: MIT
// errno_text() gives strerror's messages without strerror's shared buffer: the same text for known
// and unknown values, and each thread its own message when several format errors at once;
// errno_kind()/fail_errno() classify a failed call on a file the same way in every layer.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "core/errno_text.hpp"
#include "core/error.hpp"

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

// A failed open/stat says what kind of failure it was, the same in every layer: the CLI's exit
// code and hint depend on it.
TEST(ErrnoKind, MapsFileErrorsToKinds) {
  EXPECT_EQ(errno_kind(ENOENT), ErrorKind::NotFound);
  EXPECT_EQ(errno_kind(ENOTDIR), ErrorKind::NotFound);
  EXPECT_EQ(errno_kind(EACCES), ErrorKind::Permission);
  EXPECT_EQ(errno_kind(EPERM), ErrorKind::Permission);
  EXPECT_EQ(errno_kind(EIO), ErrorKind::Io);
  EXPECT_EQ(errno_kind(EISDIR), ErrorKind::Io);
}

TEST(ErrnoKind, FailErrnoNamesTheCallTheFileAndTheReason) {
  try {
    fail_errno(EACCES, "cannot open /dev/sdz", "try sudo");
    FAIL() << "fail_errno returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Permission);
    EXPECT_EQ(std::string(e.what()), "cannot open /dev/sdz: Permission denied");
    EXPECT_EQ(e.hint(), "try sudo");
  }
}
