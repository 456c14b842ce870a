// SPDX-License-Identifier: MIT
// A small scripted console for session tests (not a second simulator): it echoes what is typed,
// answers each CR-terminated line through a handler, prints a prompt, and can start with a boot
// log + countdown that only a given key stops, or with a Linux boot that ignores input until
// `linux_ctrlc_until_reboot` Ctrl-Cs have arrived. Records every byte sent to it.
#pragma once
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "io/transport.hpp"

namespace camdump::test {

class FakeConsole : public io::Transport {
 public:
  enum class Start { Prompt, Silent, Countdown, Linux };
  std::string prompt = "isvp_t31# ";
  std::string boot_log = "U-Boot SPL 2013.07 (Jan 01 2024 - 00:00:00)\r\nDRAM:  64 MiB\r\n";
  std::string countdown = "Hit any key to stop autoboot:  1 ";
  bool ctrlc_only = false;          ///< Thingino keyed autoboot: only 0x03 stops it
  std::optional<char> stop_key;     ///< when set, only this byte stops the countdown (OpenIPC: '\r')
  std::string damaged_prompt_once;  ///< printed once instead of the prompt after a command (noise)
  int linux_ctrlc_until_reboot = 5;
  std::function<std::string(const std::string&)> handler;  ///< reply text for a command (CR LF lines)
  std::optional<uint32_t> rate;                            ///< host rate (nullopt: the transport has none)
  std::string sent;                                        ///< everything the host wrote

  explicit FakeConsole(Start s) : start_(s) {}
  void begin();
  bool set_baud(uint32_t b) override;
  std::optional<uint32_t> baud() const override { return rate; }
  std::string describe() const override { return "fake"; }
  uint32_t device_rate = 115200;  ///< what the "camera" runs at; output is garbled when it differs

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  void do_write(std::span<const uint8_t> data) override;

 private:
  void on_byte(char c);
  void out(const std::string& s);
  enum class State { Countdown, Linux, Prompt, BaudWait } st_ = State::Prompt;
  Start start_;
  bool begun_ = false;
  int linux_ctrlc_ = 0;
  std::string line_, out_;
};

}  // namespace camdump::test
