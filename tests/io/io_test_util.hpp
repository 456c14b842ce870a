// SPDX-License-Identifier: MIT
// Small helpers shared by the io tests: read from a Transport until a needle or a byte count.
#pragma once
#include <chrono>
#include <string>

#include "io/transport.hpp"

namespace camdump::io::testing {

/// Reads until `needle` is in the result or `timeout` passes.
inline std::string read_until(Transport& t, const std::string& needle, std::chrono::milliseconds timeout) {
  std::string acc;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t buf[4096];
  while (acc.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    size_t n = t.read(buf, std::chrono::milliseconds(50));
    acc.append(reinterpret_cast<char*>(buf), n);
  }
  return acc;
}

/// Reads exactly `count` bytes unless `timeout` passes first.
inline std::string read_n(Transport& t, size_t count, std::chrono::milliseconds timeout) {
  std::string acc;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t buf[4096];
  while (acc.size() < count && std::chrono::steady_clock::now() < deadline) {
    size_t n = t.read(std::span<uint8_t>(buf, std::min(sizeof buf, count - acc.size())), std::chrono::milliseconds(50));
    acc.append(reinterpret_cast<char*>(buf), n);
  }
  return acc;
}

inline std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s;
}

}  // namespace camdump::io::testing
