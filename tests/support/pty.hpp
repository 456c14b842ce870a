// SPDX-License-Identifier: MIT
// Test support: a pseudo-terminal pair the test owns, standing in for a serial port. Give
// slave_path() to the code under test (or to ser2net) and play the device on master().
// Both ends start in raw mode (cfmakeraw), so bytes pass unchanged. tcgetattr on the master
// reports the slave's termios on Linux, which is how a test sees a baud rate set on the slave side.
#pragma once
#include <termios.h>

#include <optional>
#include <string>

namespace camdump::test {

class PtyPair {
 public:
  /// Opens a pair (openpty). `keep_slave_open`: hold an fd on the slave too, so the master never
  /// sees a hangup (EIO) while the code under test reopens the slave.
  explicit PtyPair(bool keep_slave_open = true);
  ~PtyPair();
  PtyPair(const PtyPair&) = delete;
  PtyPair& operator=(const PtyPair&) = delete;

  int master() const { return master_; }
  int slave() const { return slave_; }  ///< -1 unless keep_slave_open
  const std::string& slave_path() const { return path_; }
  /// The slave's termios as seen from the master side.
  termios attrs() const;
  /// The input speed of the slave's termios as a plain number (115200), or nullopt if unknown.
  std::optional<unsigned> baud() const;

 private:
  int master_ = -1, slave_ = -1;
  std::string path_;
};

/// Maps a speed_t constant (B115200) to its rate (115200); 0 if unknown.
unsigned speed_to_baud(speed_t s);

}  // namespace camdump::test
