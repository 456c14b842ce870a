// SPDX-License-Identifier: MIT
// A Linux shell on a camera console (serial, telnet, a program on a pty): log in when asked,
// reach a root shell, and run commands framed by markers so the echo of the typed line can
// never be mistaken for output. The markers are split by quotes in what we type
// (echo CD''S7 prints CDS7), the labgrid trick; the exit status travels in the end marker.
#pragma once
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/report.hpp"
#include "io/transport.hpp"

namespace camdump::shell {

struct LoginOptions {
  std::string user = "root";
  std::string password;  ///< sent only when a password prompt appears (never recorded in a --log transcript)
  /// Asked for the password when a password prompt appears and `password` is empty (a terminal
  /// prompt); may throw to refuse. Unset: the empty password is sent.
  std::function<std::string()> ask_password;
  std::chrono::milliseconds timeout{20000};
};

struct CommandResult {
  std::vector<std::string> lines;  ///< output lines, CR and line ends removed
  int status = -1;                 ///< the command's exit status ($?)
};

class ShellSession {
 public:
  ShellSession(io::Transport& t, Reporter& rep, const CancelFlag* cancel = nullptr);

  /// Get to a shell prompt: answers a login and password prompt, checks the shell answers a
  /// framed echo, and that it runs as root (reading /dev/mtd needs it). Never types into a
  /// running program: it sends a lone CR only after the console has been idle with no prompt.
  void attach(const LoginOptions& opt = {});

  /// Run `cmd` and collect its output. Throws Error(Timeout) when the end marker does not come
  /// within `timeout` of the last byte received.
  CommandResult run(std::string_view cmd, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Run `cmd`, handing each output line to `on_line` as it arrives (large transfers).
  /// Returns the exit status.
  int run_stream(std::string_view cmd, const std::function<void(std::string_view)>& on_line,
                 std::chrono::milliseconds idle_timeout = std::chrono::seconds(10));

  /// True when `name` runs here (a shell builtin, a program on PATH or a busybox applet).
  bool has_command(std::string_view name);

  io::Transport& transport() { return t_; }

 private:
  bool read_some(std::string& buf, std::chrono::milliseconds timeout);
  void send_line(std::string_view line);

  io::Transport& t_;
  Reporter& rep_;
  const CancelFlag* cancel_;
  unsigned seq_ = 0;
  std::string pending_;  ///< bytes received but not yet consumed
};

/// True when `tail` (the last bytes received) ends in a shell prompt ("# ", "$ ", "> "
/// after a newline, possibly with user@host:path before it).
bool looks_like_prompt(std::string_view tail);
/// True when `tail` ends in a login or password prompt.
bool looks_like_login(std::string_view tail);
bool looks_like_password(std::string_view tail);

}  // namespace camdump::shell
