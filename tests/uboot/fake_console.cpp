// SPDX-License-Identifier: MIT
#include "fake_console.hpp"

#include <algorithm>
#include <cstring>

namespace camdump::test {

void FakeConsole::begin() {
  begun_ = true;
  switch (start_) {
    case Start::Prompt:
      out("\r\n" + prompt);
      st_ = State::Prompt;
      break;
    case Start::Silent: st_ = State::Prompt; break;
    case Start::Countdown:
      out(boot_log + countdown);
      st_ = State::Countdown;
      break;
    case Start::Linux:
      out("Starting kernel ...\r\n\r\n[    0.000000] Linux version 3.10.14\r\n");
      st_ = State::Linux;
      break;
  }
}

bool FakeConsole::set_baud(uint32_t b) {
  if (!rate) return false;
  rate = b;
  return true;
}

void FakeConsole::out(const std::string& s) {
  if (rate && *rate != device_rate) {
    for (char c : s) out_.push_back(static_cast<char>(c ^ 0x5a));  // wrong rate: garbage
  } else {
    out_ += s;
  }
}

size_t FakeConsole::do_read(std::span<uint8_t> buf, std::chrono::milliseconds) {
  if (!begun_) begin();
  size_t n = std::min(buf.size(), out_.size());
  std::memcpy(buf.data(), out_.data(), n);
  out_.erase(0, n);
  return n;
}

void FakeConsole::do_write(std::span<const uint8_t> data) {
  if (!begun_) begin();
  for (uint8_t b : data) {
    sent.push_back(static_cast<char>(b));
    if (rate && *rate != device_rate) continue;  // the camera cannot read us
    on_byte(static_cast<char>(b));
  }
}

void FakeConsole::on_byte(char c) {
  switch (st_) {
    case State::Countdown:
      if (stop_key ? c == *stop_key : (!ctrlc_only || c == 3)) {
        out("\b\b\b 0 \r\n" + prompt);
        st_ = State::Prompt;
      }
      return;
    case State::Linux:
      if (c == 3 && ++linux_ctrlc_ >= linux_ctrlc_until_reboot) {  // the user power-cycled
        out(boot_log + countdown);
        st_ = State::Countdown;
      }
      return;
    case State::BaudWait:
      if (c == '\r') {
        out("\r\n" + prompt);
        st_ = State::Prompt;
      }
      return;
    case State::Prompt: break;
  }
  if (c == 3) {
    line_.clear();
    out("<INTERRUPT>\r\n" + prompt);
    return;
  }
  if (c == '\r' || c == '\n') {
    std::string cmd = line_;
    line_.clear();
    out("\r\n");
    if (cmd.rfind("setenv baudrate ", 0) == 0) {
      uint32_t want = static_cast<uint32_t>(std::stoul(cmd.substr(16)));
      if (want > 115200) {
        out("## Baudrate " + std::to_string(want) + " bps not supported\r\n" + prompt);
        return;
      }
      out("## Switch baudrate to " + std::to_string(want) + " bps and press ENTER ...\r\n");
      device_rate = want;
      st_ = State::BaudWait;
      return;
    }
    if (cmd == "printenv baudrate") {
      out("baudrate=" + std::to_string(device_rate) + "\r\n" + prompt);
      return;
    }
    std::string p = prompt;
    if (!damaged_prompt_once.empty()) p.swap(damaged_prompt_once), damaged_prompt_once.clear();
    out((handler ? handler(cmd) : std::string()) + p);
    return;
  }
  line_.push_back(c);
  out(std::string(1, c));  // echo
}

}  // namespace camdump::test
